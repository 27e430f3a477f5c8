package template_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// errMessages lists the AWS messages of every error joined in err.
func errMessages(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, errMessages(e)...)
		}
		return out
	}
	return []string{errMessage(err)}
}

func TestValidate(t *testing.T) {
	const (
		res  = "Resources:\n  R: {Type: T}\n"
		fnIs = "Template error: Encountered unsupported function: "
	)
	tests := []struct {
		name string
		src  string
		want []string // every message, in order
	}{
		{"Minimal", res, nil},
		{"Full", `AWSTemplateFormatVersion: "2010-09-09"
Description: d
Transform: AWS::LanguageExtensions
Metadata: {Anything: {Ref: Nope}}
Parameters:
  Env: {Type: String, Default: prod, AllowedValues: [prod, dev], Description: e}
Mappings:
  M: {K: {A: x, B: [y, z]}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Both: !And [!Condition IsProd, !Not [!Equals [!FindInMap [M, K, A], y]]]
Resources:
  R:
    Type: T
    Condition: IsProd
    DeletionPolicy: Retain
    UpdateReplacePolicy: Delete
    Metadata: {M: !Ref Env}
    Properties:
      A: !If [Both, !GetAtt S.Arn, !Ref "AWS::NoValue"]
      B: !Join [",", [!Select [0, !GetAZs ""], !Sub "${S.Arn}-${AWS::Region}"]]
      C: !Split [",", !ImportValue shared]
      D: !Base64 {"Fn::Sub": ["${X}", {X: !Ref Env}]}
      E: !Cidr ["10.0.0.0/16", 2, 8]
      F: {"Fn::ToJsonString": {a: !Ref Env}}
      G: {"Fn::Length": [1, 2]}
      H: !FindInMap [M, !Ref Env, A, {DefaultValue: d}]
  S: {Type: T}
  U: {Type: T, DependsOn: R}
Outputs:
  O:
    Value: !GetAtt S.Arn
    Description: o
    Condition: IsProd
    Export: {Name: !Sub "${AWS::StackName}-o"}
Rules:
  Rule1:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: {"Fn::Contains": [[prod, dev], !Ref Env]}
        AssertDescription: bad env
`, nil},
		{"NoResources", "Description: x\n", []string{"Template format error: At least one Resources member must be defined."}},
		{"EmptyResources", "Resources: {}\n", []string{"Template format error: At least one Resources member must be defined."}},
		{"UnknownSections", "Foo: 1\nBar: 2\n" + res, []string{"Template format error: Invalid template property or properties [Foo, Bar]"}},
		{"FormatVersion", "AWSTemplateFormatVersion: 2020-01-01\n" + res, []string{"Template format error: AWSTemplateFormatVersion must be 2010-09-09"}},
		{"DescriptionList", "Description: [a]\n" + res, []string{"Template format error: Every Description member must be a string."}},
		{"TransformMap", "Transform: {a: b}\n" + res, []string{"Template format error: Transform must be a string or a list of strings"}},
		{"SectionNotMap", "Outputs: [a]\n" + res, []string{"Template format error: The Outputs section must be an object"}},
		{"ResourceNotMap", "Resources:\n  R: abc\n", []string{"Template format error: Any Resources member must be an object."}},
		{"NoType", "Resources:\n  R: {Properties: {}}\n", []string{"Template format error: [/Resources/R] Every Resources object must contain a Type member."}},
		{"TypeNotString", "Resources:\n  R: {Type: [T]}\n", []string{"Template format error: [/Resources/R/Type] Type must be a String"}},
		{"BadResourceAttribute", "Resources:\n  R: {Type: T, Propertes: {}}\n", []string{"Invalid template resource property 'Propertes'"}},
		{"NonAlphanumericIDs", "Parameters:\n  my_param: {Type: String, Default: x}\nResources:\n  My-Res: {Type: T}\n  \"AWS::NoValue\": {Type: T}\n",
			[]string{"Template format error: Parameter name my_param is non alphanumeric.", "Template format error: Resource name My-Res is non alphanumeric.", "Template format error: Resource name AWS::NoValue is non alphanumeric."}},
		{"NameClash", "Parameters:\n  R: {Type: String, Default: x}\n" + res, []string{"Template format error: Duplicate logical ID R: used by both a parameter and a resource"}},
		{"DependsOnShape", "Resources:\n  R: {Type: T, DependsOn: {a: b}}\n", []string{"Template format error: DependsOn must be a string or list of strings."}},
		{"DependsOnUnknown", "Resources:\n  R: {Type: T, DependsOn: [Nope]}\n", []string{"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"}},
		{"ResourceConditionUnknown", "Resources:\n  R: {Type: T, Condition: Nope}\n", []string{"Template format error: Unresolved condition dependency Nope in the Resources block of the template"}},
		{"ResourceConditionNotString", "Resources:\n  R: {Type: T, Condition: [a]}\n", []string{"Template format error: Every Condition member must be a string."}},
		{"DeletionPolicy", "Resources:\n  R: {Type: T, DeletionPolicy: Keep, UpdateReplacePolicy: RetainExceptOnCreate}\n",
			[]string{"Template format error: Unrecognized DeletionPolicy Keep for resource R", "Template format error: Unrecognized UpdateReplacePolicy RetainExceptOnCreate for resource R"}},
		{"NullProperty", "Resources:\n  R:\n    Type: T\n    Properties:\n      A:\n      B: [x, null]\n",
			[]string{"[/Resources/R/Properties/A] 'null' values are not allowed in templates", "[/Resources/R/Properties/B/1] 'null' values are not allowed in templates"}},
		{"NullProperties", "Resources:\n  R:\n    Type: T\n    Properties:\n", []string{"[/Resources/R/Properties] 'null' values are not allowed in templates"}},
		{"PropertiesNotMap", "Resources:\n  R: {Type: T, Properties: [a]}\n", []string{"Template format error: [/Resources/R/Properties] Properties must be an object"}},
		{"RefUnknown", "Resources:\n  R: {Type: T, Properties: {A: !Ref Nope}}\nOutputs:\n  O: {Value: !Ref Gone}\n",
			[]string{"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template", "Template format error: Unresolved resource dependencies [Gone] in the Outputs block of the template"}},
		{"RefShape", "Resources:\n  R: {Type: T, Properties: {A: {Ref: [x]}}}\n", []string{"Template error: every Ref object must have a single String value."}},
		{"GetAtt", "Resources:\n  R: {Type: T, Properties: {A: !GetAtt Nope.Arn, B: !GetAtt R, C: !GetAtt [R, A, B]}}\n",
			[]string{"Template error: instance of Fn::GetAtt references undefined resource Nope", getAttShape, getAttShape}},
		{"Sub", "Resources:\n  R:\n    Type: T\n    Properties:\n      A: !Sub '${Nope}-${Gone.Arn}-${R.Arn}-${!x}'\n      B: !Sub [a, b, c]\n      C: !Sub ['${X}', {X: [1]}]\n",
			[]string{"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template", "Template format error: Unresolved resource dependencies [Gone] in the Resources block of the template", subShape,
				"Template error: every value of the context object of every Fn::Sub object must be a string or a function that returns a string"}},
		{"UnknownFunction", "Resources:\n  R: {Type: T, Properties: {A: !Nope x, B: {\"Fn::Contains\": [[a], a]}}}\n",
			[]string{fnIs + "Fn::Nope Supported functions are: [" + supported + "]", fnIs + "Fn::Contains Supported functions are: [" + supported + "]"}},
		{"Transform", "Resources:\n  R: {Type: T, Properties: {\"Fn::Transform\": {Name: AWS::Include}}}\n", []string{"Template error: Fn::Transform is not supported: cloudlet does not run macros such as AWS::Include"}},
		{"Shapes", `Mappings:
  M: {K: {A: x}}
Resources:
  R:
    Type: T
    Properties:
      A: !Join [","]
      B: !Select [x, [a]]
      C: !Select [2, [a, b]]
      D: !Split [",", [a]]
      E: !FindInMap [M, K]
      F: !FindInMap [M, K, Nope]
      G: !Base64 [a]
      H: !GetAZs [a]
      I: !Cidr [a, b]
      J: !ImportValue [a]
      K: {"Fn::ToJsonString": a}
      L: {"Fn::Length": a}
      N: !Equals [a]
`, []string{joinShape, selectShape, "Template error: Fn::Select cannot select nonexistent value at index 2", splitShape,
			"Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value",
			"Template error: Unable to get mapping for M::K::Nope", "Template error: every Fn::Base64 object must have a String value",
			"Template error: every Fn::GetAZs object requires a single string parameter", cidrShape,
			"Template error: every Fn::ImportValue object requires a single string parameter",
			"Template error: every Fn::ToJsonString object requires a map or a list",
			"Template error: every Fn::Length object requires a list or a function that returns a list",
			"Template error: every Fn::Equals object requires a list of 2 string parameters."}},
		{"If", "Conditions:\n  C: !Equals [a, a]\nResources:\n  R: {Type: T, Properties: {A: !If [Nope, a, b], B: !If [C, a], D: !If [[C], a, b]}}\n",
			[]string{"Template error: unresolved condition dependency Nope in Fn::If", "Template error: Fn::If requires a list argument with three elements",
				"Template error: Fn::If requires a list argument with the first element being a condition"}},
		{"ImportValueDependsOnResource", "Resources:\n  R: {Type: T, Properties: {A: !ImportValue {\"Fn::Sub\": \"${S}-x\"}}}\n  S: {Type: T}\n",
			[]string{"Template error: the attribute in Fn::ImportValue must not depend on any resources, imported values, or Fn::GetAZs"}},
		{"Conditions", `Parameters:
  Env: {Type: String, Default: x}
Conditions:
  A: !Equals [!Ref R, x]
  B: !And [!Condition A]
  C: !Not [!Condition Nope, !Condition A]
  D: !Ref Env
  E: !Or [!Condition A, x]
  F: !Not [!Condition Nope]
  G: !Equals [!GetAtt R.Arn, x]
  H: !Equals [!Ref Nope, x]
Resources:
  R: {Type: T}
`, []string{"Template format error: Unresolved dependencies [R]. Cannot reference resources in the Conditions block of the template",
			"Template error: every Fn::And object requires a list of atleast 2 and atmost 10 boolean parameters.",
			"Template error: every Fn::Not object requires a list of 1 boolean parameter.",
			"Template format error: Conditions can only be boolean operations on parameters and other conditions",
			"Template error: every Fn::Or object requires a list of atleast 2 and atmost 10 boolean parameters.",
			"Template error: unresolved condition dependency Nope in Fn::Condition",
			"Template format error: Unresolved dependencies [R]. Cannot reference resources in the Conditions block of the template",
			"Template format error: Unresolved dependencies [Nope]. Cannot reference resources in the Conditions block of the template"}},
		{"ConditionCycle", "Conditions:\n  A: !Not [!Condition B]\n  B: !And [!Condition A, !Equals [a, a]]\n" + res,
			[]string{"Template format error: Circular dependency between conditions: [A, B, A]"}},
		{"Parameters", `Parameters:
  NoType: {Default: x}
  BadType: {Type: Strin}
  BadProp: {Type: String, Default: x, Requred: true}
  BadDefault: {Type: String, Default: c, AllowedValues: [a, b]}
  ListDefault: {Type: CommaDelimitedList, Default: [a, b]}
  BadMin: {Type: String, MinLength: abc}
  BadNumberDefault: {Type: Number, Default: abc}
  NotMap: abc
` + res, []string{"Template format error: [/Parameters/NoType] Every Parameters object must contain a Type member.",
			"Template format error: Unrecognized parameter type: Strin", "Template format error: Invalid template parameter property 'Requred'",
			"Parameter 'BadDefault' must be one of AllowedValues", "Template format error: Every Default member must be a string.",
			"Template format error: Parameter BadMin MinLength must be a number", "Parameter 'BadNumberDefault' must be a number.",
			"Template format error: Any Parameters member must be an object."}},
		{"Mappings", "Mappings:\n  A: x\n  B: {K: x}\n  C: {K: {V: {x: y}}}\n  OK: {K: {V: [a, 1]}}\n" + res,
			[]string{"Template format error: Every Mappings member A must be a map", "Template format error: Every Mappings member K must be a map",
				"Template format error: Every Mappings attribute must be a String or a List."}},
		{"Outputs", `Conditions:
  C: !Equals [a, a]
Resources:
  R: {Type: T}
Outputs:
  NoValue: {Description: d}
  NullValue: {Value: null}
  BadProp: {Value: x, Exprt: {Name: x}}
  NoExportName: {Value: x, Export: {}}
  BadExportName: {Value: x, Export: {Name: "a b"}}
  ExportFromResource: {Value: x, Export: {Name: !Ref R}}
  UnknownCondition: {Value: x, Condition: Nope}
  DescriptionMap: {Value: x, Description: {a: b}}
  Fine: {Value: !Ref R, Condition: C, Export: {Name: !Sub "${AWS::StackName}-x"}}
`, []string{"Template format error: Every Outputs member must contain a Value object",
			"[/Outputs/NullValue/Value] 'null' values are not allowed in templates",
			"Template format error: Invalid template output property 'Exprt'",
			"Template format error: Output NoExportName is malformed. The Name field of every Export member must be specified and consist only of alphanumeric characters, colons, or hyphens.",
			"Template format error: Output BadExportName is malformed. The Name field of every Export member must be specified and consist only of alphanumeric characters, colons, or hyphens.",
			"Template error: the attribute in Fn::ImportValue must not depend on any resources, imported values, or Fn::GetAZs",
			"Template format error: Unresolved condition dependency Nope in the Outputs block of the template",
			"Template format error: Every Description member must be a string."}},
		{"Rules", `Parameters:
  Env: {Type: String, Default: x}
Rules:
  NoAssertions: {RuleCondition: !Equals [a, a]}
  BadAssert:
    Assertions:
      - AssertDescription: x
  BadField:
    Assertions: [{Assert: !Equals [a, a], Extra: 1}]
  RefResource:
    Assertions: [{Assert: !Equals [!Ref R, a]}]
  BadContains:
    Assertions: [{Assert: {"Fn::Contains": [a]}}]
` + res, []string{"Template format error: Every Rules member must be an object with an Assertions list",
			"Template format error: Every Assertions member of rule BadAssert must contain an Assert object",
			"Template format error: Invalid rule property 'Extra' in rule BadField",
			"Template format error: Unresolved dependencies [R]. Cannot reference resources in the Rules block of the template",
			"Template error: every Fn::Contains object requires a list of 2 parameters"}},
		{"Cycle", "Resources:\n  A: {Type: T, Properties: {X: !Ref B}}\n  B: {Type: T, Properties: {X: !GetAtt A.Arn}}\n",
			[]string{"Circular dependency between resources: [A, B]"}},
		{"TooManyResources", "Resources:\n" + manyResources(501), []string{"Template format error: Number of resources, 501, is greater than maximum allowed, 500"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := mustParse(t, "t.yaml", tt.src)
			err := tp.Validate()
			if diff := cmp.Diff(tt.want, errMessages(err)); diff != "" {
				t.Errorf("Validate() mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
			if len(tt.want) > 0 {
				if ae := template.AWSError(err); ae == nil || ae.Code != "ValidationError" || ae.Message != tt.want[0] {
					t.Errorf("AWSError(Validate()) = %v, want ValidationError %q", ae, tt.want[0])
				}
			}
		})
	}
}

const (
	getAttShape = "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"
	subShape    = "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"
	joinShape   = "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined."
	selectShape = "Template error: Fn::Select requires a list argument with two elements: an integer index and a list"
	splitShape  = "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split."
)

// manyResources returns the YAML of n resources.
func manyResources(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("  R" + strconv.Itoa(i) + ": {Type: T}\n")
	}
	return b.String()
}

func TestValidateErrorsNameFileLineAndLogicalID(t *testing.T) {
	src := "Resources:\n  Fn:\n    Type: T\n    Properties:\n      A: !Ref Nope\n  Other: {Type: T, DependsOn: Gone}\n"
	err := mustParse(t, "fa-005.yaml", src).Validate()
	var te *template.Error
	if !errors.As(err, &te) {
		t.Fatalf("Validate() = %v, want *template.Error", err)
	}
	got := err.Error()
	for _, want := range []string{
		"fa-005.yaml:5:10: Fn: Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template",
		"fa-005.yaml:6:31: Other: Template format error: Unresolved resource dependencies [Gone] in the Resources block of the template",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Validate().Error() = %q, want it to contain %q", got, want)
		}
	}
}
