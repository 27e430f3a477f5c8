package template_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// evalPreamble is the template every eval case's value V is placed in.
const evalPreamble = `Parameters:
  Env: {Type: String, Default: prod}
  Subnets: {Type: CommaDelimitedList, Default: "a, b ,c"}
  Count: {Type: Number, Default: "3"}
  Zero: {Type: Number, Default: 0}
Mappings:
  RegionMap:
    us-east-1: {AMI: ami-1, Zones: [a, b]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  DevOnly: {Type: AWS::S3::Bucket, Condition: IsDev}
  Subject:
    Type: T
    Properties:
      V: `

// evalCase evaluates one value in the preamble's scope and returns its
// JSON, or the error.
func evalCase(t *testing.T, value string) (string, error) {
	t.Helper()
	tp := mustParse(t, "t.yaml", evalPreamble+value+"\n")
	params, err := tp.ResolveParameters(nil, nil)
	if err != nil {
		t.Fatalf("ResolveParameters = %v", err)
	}
	conds, err := tp.EvalConditions(testScope(params, nil))
	if err != nil {
		t.Fatalf("EvalConditions = %v", err)
	}
	v, err := template.Eval(tp.Resource("Subject").Properties.Get("V"), testScope(params, conds))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

type evalTest struct {
	name, value string
	want        string // JSON of the result
	wantErr     string // AWS message
}

func runEvalTests(t *testing.T, tests []evalTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evalCase(t, tt.value)
			if tt.wantErr != "" {
				if msg := errMessage(err); msg != tt.wantErr {
					t.Errorf("Eval(%s) error = %q, want %q", tt.value, msg, tt.wantErr)
				} else if !strings.HasPrefix(err.Error(), "t.yaml:") || !strings.Contains(err.Error(), ": Subject: ") {
					t.Errorf("Eval(%s).Error() = %q, want it to name t.yaml and Subject", tt.value, err.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("Eval(%s) = %v, want %s", tt.value, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("Eval(%s) = %s, want %s", tt.value, got, tt.want)
			}
		})
	}
}

const (
	unresolvedNope = "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"
)

func TestEvalRef(t *testing.T) {
	runEvalTests(t, []evalTest{
		{"String", `!Ref Env`, `"prod"`, ""},
		{"CommaDelimitedListTrimmed", `!Ref Subnets`, `["a","b","c"]`, ""},
		{"NumberIsString", `!Ref Count`, `"3"`, ""},
		{"Resource", `!Ref Bucket`, `"Bucket-phys"`, ""},
		{"Region", `!Ref AWS::Region`, `"us-east-1"`, ""},
		{"AccountId", `!Ref AWS::AccountId`, `"123456789012"`, ""},
		{"StackName", `!Ref AWS::StackName`, `"test-stack"`, ""},
		{"StackId", `!Ref AWS::StackId`, `"arn:aws:cloudformation:us-east-1:123456789012:stack/test-stack/00000000-0000-4000-8000-000000000000"`, ""},
		{"Partition", `!Ref AWS::Partition`, `"aws"`, ""},
		{"URLSuffix", `!Ref AWS::URLSuffix`, `"amazonaws.com"`, ""},
		{"NotificationARNs", `!Ref AWS::NotificationARNs`, `["arn:aws:sns:us-east-1:123456789012:topic"]`, ""},
		{"NoValueInList", `[a, !Ref AWS::NoValue, b]`, `["a","b"]`, ""},
		{"NoValueInMap", `{A: !Ref AWS::NoValue, B: 1}`, `{"B":1}`, ""},
		{"NoValueAlone", `!Ref AWS::NoValue`, `null`, ""},
		{"LongForm", `{Ref: Env}`, `"prod"`, ""},
		{"Unknown", `!Ref Nope`, "", unresolvedNope},
		{"ConditionFalseResource", `!Ref DevOnly`, "", "Template format error: Unresolved resource dependencies [DevOnly] in the Resources block of the template"},
		{"NotAString", `{Ref: [a]}`, "", "Template error: every Ref object must have a single String value."},
		{"Empty", `{Ref: ""}`, "", "Template error: every Ref object must have a single String value."},
	})
}

func TestEvalGetAtt(t *testing.T) {
	const shape = "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"
	runEvalTests(t, []evalTest{
		{"ShortForm", `!GetAtt Bucket.Arn`, `"Bucket.Arn-value"`, ""},
		{"DottedAttribute", `!GetAtt Bucket.Outputs.FunctionArn`, `"Bucket.Outputs.FunctionArn-value"`, ""},
		{"LongForm", `{"Fn::GetAtt": [Bucket, Arn]}`, `"Bucket.Arn-value"`, ""},
		{"JSONStringForm", `{"Fn::GetAtt": "Bucket.Arn"}`, `"Bucket.Arn-value"`, ""},
		{"AttributeFromRef", `!GetAtt [Bucket, !Ref Env]`, `"Bucket.prod-value"`, ""},
		{"UndefinedResource", `!GetAtt Nope.Arn`, "", "Template error: instance of Fn::GetAtt references undefined resource Nope"},
		{"ConditionFalseResource", `!GetAtt DevOnly.Arn`, "", "Template format error: Unresolved resource dependencies [DevOnly] in the Resources block of the template"},
		{"NoAttribute", `!GetAtt Bucket`, "", shape},
		{"OneItem", `!GetAtt [Bucket]`, "", shape},
		{"EmptyAttribute", `!GetAtt [Bucket, ""]`, "", shape},
		{"ThreeItems", `!GetAtt [Bucket, A, B]`, "", shape},
		{"Map", `{"Fn::GetAtt": {a: b}}`, "", shape},
	})
}

func TestEvalSub(t *testing.T) {
	runEvalTests(t, []evalTest{
		{"Everything", `!Sub "${AWS::Region}-${Env}-${Bucket}-${Bucket.Arn}"`, `"us-east-1-prod-Bucket-phys-Bucket.Arn-value"`, ""},
		{"DottedAttribute", `!Sub "${Bucket.Outputs.FunctionArn}"`, `"Bucket.Outputs.FunctionArn-value"`, ""},
		{"Literals", `!Sub "${!Literal} costs $5 ${ unterminated"`, `"${Literal} costs $5 ${ unterminated"`, ""},
		{"NoVariables", `!Sub plain`, `"plain"`, ""},
		{"VariableMap", `!Sub ["${A}-${B}", {A: !Ref Env, B: 5}]`, `"prod-5"`, ""},
		{"VariableMapFirst", `!Sub ["${Env}", {Env: override}]`, `"override"`, ""},
		{"OneItemList", `!Sub ["${Env}"]`, `"prod"`, ""},
		{"NumberParameter", `!Sub "n=${Count}"`, `"n=3"`, ""},
		{"Unresolved", `!Sub "${Nope}"`, "", unresolvedNope},
		{"UnresolvedDotted", `!Sub "${Nope.Attr}"`, "", unresolvedNope},
		{"ListParameter", `!Sub "${Subnets}"`, "", "Template error: variable Subnets in Fn::Sub expression does not resolve to a string"},
		{"ListVariable", `!Sub ["${X}", {X: !Ref Subnets}]`, "", "Template error: variable X in Fn::Sub expression does not resolve to a string"},
		{"LiteralListVariable", `!Sub ["${X}", {X: [1]}]`, "", "Template error: every value of the context object of every Fn::Sub object must be a string or a function that returns a string"},
		{"ThreeItems", `!Sub [a, {}, c]`, "", "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"},
		{"Map", `!Sub {a: b}`, "", "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"},
		{"SecondNotMap", `!Sub [a, b]`, "", "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"},
	})
}

func TestEvalJoinSelectSplit(t *testing.T) {
	const (
		joinShape   = "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined."
		selectShape = "Template error: Fn::Select requires a list argument with two elements: an integer index and a list"
		splitShape  = "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split."
	)
	runEvalTests(t, []evalTest{
		{"Join", `!Join [",", [a, !Ref Env, 1]]`, `"a,prod,1"`, ""},
		{"JoinEmptyDelimiter", `!Join ["", [a, b]]`, `"ab"`, ""},
		{"JoinListParameter", `!Join ["-", !Ref Subnets]`, `"a-b-c"`, ""},
		{"JoinGetAZs", `!Join ["-", !GetAZs ""]`, `"us-east-1a-us-east-1b-us-east-1c"`, ""},
		{"JoinNoValue", `!Join [",", [a, !Ref AWS::NoValue]]`, `"a"`, ""},
		{"JoinOneArg", `!Join [","]`, "", joinShape},
		{"JoinString", `!Join [",", abc]`, "", joinShape},
		{"JoinNestedList", `!Join [",", [[a]]]`, "", joinShape},
		{"JoinListDelimiter", `!Join [[","], [a]]`, "", joinShape},
		{"Select", `!Select [1, [a, b, c]]`, `"b"`, ""},
		{"SelectStringIndex", `!Select ["0", !Ref Subnets]`, `"a"`, ""},
		{"SelectRefIndex", `!Select [!Ref Zero, [x]]`, `"x"`, ""},
		{"SelectMap", `!Select [0, [{A: 1}]]`, `{"A":1}`, ""},
		{"SelectOutOfRange", `!Select [3, [a]]`, "", "Template error: Fn::Select cannot select nonexistent value at index 3"},
		{"SelectNegative", `!Select [-1, [a]]`, "", "Template error: Fn::Select cannot select nonexistent value at index -1"},
		{"SelectBadIndex", `!Select [x, [a]]`, "", selectShape},
		{"SelectOneArg", `!Select [0]`, "", selectShape},
		{"SelectNotList", `!Select [0, abc]`, "", selectShape},
		{"Split", `!Split ["|", "a||c|"]`, `["a","","c",""]`, ""},
		{"SplitRef", `!Split [",", !Ref Env]`, `["prod"]`, ""},
		{"SelectSplit", `!Select [1, !Split [",", "x,y"]]`, `"y"`, ""},
		{"SplitOneArg", `!Split [","]`, "", splitShape},
		{"SplitEmptyDelimiter", `!Split ["", abc]`, "", splitShape},
		{"SplitList", `!Split [",", [a]]`, "", splitShape},
	})
}

func TestEvalFindInMap(t *testing.T) {
	const shape = "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value"
	runEvalTests(t, []evalTest{
		{"RefKey", `!FindInMap [RegionMap, !Ref AWS::Region, AMI]`, `"ami-1"`, ""},
		{"ListValue", `!FindInMap [RegionMap, us-east-1, Zones]`, `["a","b"]`, ""},
		{"Missing", `!FindInMap [RegionMap, eu-west-1, AMI]`, "", "Template error: Unable to get mapping for RegionMap::eu-west-1::AMI"},
		{"MissingMap", `!FindInMap [Nope, us-east-1, AMI]`, "", "Template error: Unable to get mapping for Nope::us-east-1::AMI"},
		{"DefaultValue", `!FindInMap [RegionMap, eu-west-1, AMI, {DefaultValue: def}]`, `"def"`, ""},
		{"DefaultValueUnused", `!FindInMap [RegionMap, us-east-1, AMI, {DefaultValue: def}]`, `"ami-1"`, ""},
		{"DefaultValueList", `!FindInMap [RegionMap, x, y, {DefaultValue: [p, q]}]`, `["p","q"]`, ""},
		{"TwoArgs", `!FindInMap [RegionMap, us-east-1]`, "", shape},
		{"BadFourth", `!FindInMap [A, B, C, {Other: 1}]`, "", shape},
		{"ListKey", `!FindInMap [RegionMap, [us-east-1], AMI]`, "", shape},
	})
}

func TestEvalConditionFunctions(t *testing.T) {
	const andShape = "Template error: every Fn::And object requires a list of atleast 2 and atmost 10 boolean parameters."
	eleven := "[" + strings.Repeat("!Condition IsProd, ", 10) + "!Condition IsProd]"
	runEvalTests(t, []evalTest{
		{"IfTrue", `!If [IsProd, yes-prod, no]`, `"yes-prod"`, ""},
		{"IfLazy", `!If [IsDev, !Ref DevOnly, fallback]`, `"fallback"`, ""},
		{"IfNoValue", `{A: !If [IsDev, x, !Ref AWS::NoValue]}`, `{}`, ""},
		{"IfUnknown", `!If [Nope, a, b]`, "", "Template error: unresolved condition dependency Nope in Fn::If"},
		{"IfTwoArgs", `!If [IsProd, a]`, "", "Template error: Fn::If requires a list argument with three elements"},
		{"IfConditionNotName", `!If [[IsProd], a, b]`, "", "Template error: Fn::If requires a list argument with the first element being a condition"},
		{"Equals", `!Equals [!Ref Env, prod]`, `true`, ""},
		{"EqualsNumberText", `!Equals [!Ref Count, 3]`, `true`, ""},
		{"EqualsLists", `!Equals [!Ref Subnets, [a, b, c]]`, `true`, ""},
		{"EqualsOneArg", `!Equals [a]`, "", "Template error: every Fn::Equals object requires a list of 2 string parameters."},
		{"And", `!And [!Condition IsProd, !Equals [a, a]]`, `true`, ""},
		{"Or", `!Or [!Condition IsDev, !Equals [a, b]]`, `false`, ""},
		{"Not", `!Not [!Condition IsDev]`, `true`, ""},
		{"AndOneArg", `!And [!Condition IsProd]`, "", andShape},
		{"OrElevenArgs", `!Or ` + eleven, "", "Template error: every Fn::Or object requires a list of atleast 2 and atmost 10 boolean parameters."},
		{"AndNotBoolean", `!And [a, b]`, "", andShape},
		{"AndUnknownCondition", `!And [!Condition Nope, !Condition IsProd]`, "", "Template error: unresolved condition dependency Nope in Fn::Condition"},
		{"NotTwoArgs", `!Not [!Condition IsDev, !Condition IsProd]`, "", "Template error: every Fn::Not object requires a list of 1 boolean parameter."},
		{"NotString", `!Not [abc]`, "", "Template error: every Fn::Not object requires a list of 1 boolean parameter."},
	})
}

func TestEvalOtherFunctions(t *testing.T) {
	runEvalTests(t, []evalTest{
		{"Base64", `!Base64 "hello world"`, `"aGVsbG8gd29ybGQ="`, ""},
		{"Base64Sub", `!Base64 {"Fn::Sub": "${Env}"}`, `"cHJvZA=="`, ""},
		{"Base64List", `!Base64 [a]`, "", "Template error: every Fn::Base64 object must have a String value"},
		{"GetAZsCurrent", `!GetAZs ""`, `["us-east-1a","us-east-1b","us-east-1c"]`, ""},
		{"GetAZsNull", `{"Fn::GetAZs": null}`, `["us-east-1a","us-east-1b","us-east-1c"]`, ""},
		{"GetAZsRegion", `!GetAZs eu-west-1`, `["eu-west-1a","eu-west-1b","eu-west-1c"]`, ""},
		{"GetAZsRef", `{"Fn::GetAZs": !Ref AWS::Region}`, `["us-east-1a","us-east-1b","us-east-1c"]`, ""},
		{"GetAZsList", `!GetAZs [a]`, "", "Template error: every Fn::GetAZs object requires a single string parameter"},
		{"CidrIPv4", `!Cidr ["10.0.0.0/16", 3, 8]`, `["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]`, ""},
		{"CidrUnaligned", `!Cidr ["192.168.7.9/24", 2, 6]`, `["192.168.7.0/26","192.168.7.64/26"]`, ""},
		{"CidrStrings", `!Cidr ["10.0.0.0/24", "1", "4"]`, `["10.0.0.0/28"]`, ""},
		{"CidrIPv6", `!Cidr ["2001:db8::/56", 2, 64]`, `["2001:db8::/64","2001:db8:0:1::/64"]`, ""},
		{"CidrNoRoom", `!Cidr ["10.0.0.0/24", 5, 6]`, "", "Template error: Fn::Cidr cannot fit 5 subnets of /26 in 10.0.0.0/24"},
		{"CidrZeroCount", `!Cidr ["10.0.0.0/16", 0, 8]`, "", cidrShape},
		{"CidrBadBlock", `!Cidr [x, 1, 8]`, "", cidrShape},
		{"CidrTooManyBits", `!Cidr ["10.0.0.0/24", 1, 9]`, "", cidrShape},
		{"CidrTwoArgs", `!Cidr ["10.0.0.0/24", 1]`, "", cidrShape},
		{"ImportValue", `!ImportValue shared-vpc`, `"vpc-123"`, ""},
		{"ImportValueSub", `!ImportValue {"Fn::Sub": ["shared-${X}", {X: vpc}]}`, `"vpc-123"`, ""},
		{"ImportValueMap", `!ImportValue {"Fn::Sub": "x", X: y}`, "", "Template error: every Fn::ImportValue object requires a single string parameter"},
		{"ImportValueMissing", `!ImportValue nope`, "", "No export named nope found"},
		{"ImportValueList", `!ImportValue [a]`, "", "Template error: every Fn::ImportValue object requires a single string parameter"},
		{"ToJsonString", `{"Fn::ToJsonString": {b: 1, a: [x, !Ref Env], c: "<&>", d: !Ref AWS::NoValue}}`, `"{\"b\":1,\"a\":[\"x\",\"prod\"],\"c\":\"<&>\"}"`, ""},
		{"ToJsonStringList", `{"Fn::ToJsonString": [1.50, true]}`, `"[1.50,true]"`, ""},
		{"ToJsonStringScalar", `{"Fn::ToJsonString": abc}`, "", "Template error: every Fn::ToJsonString object requires a map or a list"},
		{"Length", `{"Fn::Length": [a, b, c]}`, `3`, ""},
		{"LengthRef", `{"Fn::Length": !Ref Subnets}`, `3`, ""},
		{"LengthNoValue", `{"Fn::Length": [a, !Ref AWS::NoValue]}`, `1`, ""},
		{"LengthScalar", `{"Fn::Length": abc}`, "", "Template error: every Fn::Length object requires a list or a function that returns a list"},
		{"UnknownFunction", `{"Fn::Nope": x}`, "", "Template error: Encountered unsupported function: Fn::Nope Supported functions are: [" + supported + "]"},
		{"UnknownShortForm", `!Nope x`, "", "Template error: Encountered unsupported function: Fn::Nope Supported functions are: [" + supported + "]"},
		{"RuleFunctionOutsideRules", `{"Fn::Contains": [[a], a]}`, "", "Template error: Encountered unsupported function: Fn::Contains Supported functions are: [" + supported + "]"},
		// goccy/go-yaml, like YAML 1.1, reads 1e3 as a string.
		{"PlainNumbers", `[1.50, 0123, 1e3, -0.5, .inf]`, `[1.50,"0123","1e3",-0.5,".inf"]`, ""},
		{"MapWithConditionKey", `{Condition: {StringEquals: {a: b}}}`, `{"Condition":{"StringEquals":{"a":"b"}}}`, ""},
	})
}

const (
	cidrShape = "Template error: every Fn::Cidr object requires three parameters, (1) an ip block in CIDR notation, (2) the number of subnets to generate between 1 and 256 and (3) the number of subnet bits between 1 and the size of the ip block"
	supported = "Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr, Fn::Length, Fn::ToJsonString"
)

func TestEvalErrorPosition(t *testing.T) {
	tp := mustParse(t, "fa.yaml", "Resources:\n  Fn:\n    Type: T\n    Properties:\n      A:\n        - ok\n        - !Ref Nope\n")
	_, err := template.Eval(tp.Resources[0].Properties, testScope(nil, nil))
	want := "fa.yaml:7:11: Fn: " + unresolvedNope
	if err == nil || err.Error() != want {
		t.Errorf("Eval() = %v, want %s", err, want)
	}
	var te *template.Error
	if !errors.As(err, &te) || te.LogicalID != "Fn" || te.Pos.Line != 7 {
		t.Errorf("Eval() error = %#v, want LogicalID Fn at line 7", te)
	}
}

func TestEvalResolverErrors(t *testing.T) {
	tp := mustParse(t, "t.yaml", "Resources:\n  A: {Type: T}\n  B:\n    Type: T\n    Properties:\n      X: !GetAtt A.Arn\n      Y: !ImportValue other\n")
	cause := awserr.New(awserr.CodeValidationError, "Resource type T does not support attribute {Arn}")
	scope := testScope(nil, nil)
	scope.Resources = fakeResolver{err: cause}
	_, err := template.Eval(tp.Resource("B").Properties.Get("X"), scope)
	if !errors.Is(err, cause) {
		t.Errorf("Eval(GetAtt) = %v, want it to wrap the resolver's error", err)
	}
	if ae := template.AWSError(err); ae != cause {
		t.Errorf("AWSError(Eval(GetAtt)) = %v, want the resolver's own error", ae)
	}
	if !strings.HasPrefix(err.Error(), "t.yaml:6:10: B: ") {
		t.Errorf("Eval(GetAtt).Error() = %q, want it to start with the position and logical ID", err.Error())
	}

	scope.ImportValue = nil
	_, err = template.Eval(tp.Resource("B").Properties.Get("Y"), scope)
	if got, want := errMessage(err), "No export named other found"; got != want {
		t.Errorf("Eval(ImportValue) with no exports = %q, want %q", got, want)
	}
}

func TestEvalPartitionAndURLSuffix(t *testing.T) {
	tp := mustParse(t, "t.yaml", "Resources:\n  A:\n    Type: T\n    Properties:\n      V: !Sub '${AWS::Partition} ${AWS::URLSuffix}'\n")
	tests := []struct{ region, want string }{
		{"us-east-1", "aws amazonaws.com"},
		{"cn-north-1", "aws-cn amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov amazonaws.com"},
	}
	for _, tt := range tests {
		got, err := template.Eval(tp.Resources[0].Properties.Get("V"), &template.Scope{Region: tt.region})
		if err != nil || got != tt.want {
			t.Errorf("Eval(Partition, URLSuffix) in %s = %v, %v; want %q", tt.region, got, err, tt.want)
		}
	}
}
