package template_test

import (
	"strings"
	"testing"
)

func TestCheckRules(t *testing.T) {
	src := `Parameters:
  Env: {Type: String, Default: test}
  Size: {Type: String, Default: small}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-1,subnet-2"}
  Other: {Type: "AWS::EC2::Subnet::Id", Default: subnet-3}
Rules:
  ProdIsLarge:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: {"Fn::Contains": [[large, xlarge], !Ref Size]}
        AssertDescription: For a production environment, the size must be large or xlarge
  KnownEnv:
    Assertions:
      - Assert: {"Fn::Contains": [[test, prod], !Ref Env]}
  SubnetsUnique:
    Assertions:
      - Assert: {"Fn::EachMemberIn": [!Ref Subnets, {"Fn::RefAll": "List<AWS::EC2::Subnet::Id>"}]}
      - Assert: !Not [{"Fn::EachMemberEquals": [!Ref Subnets, subnet-1]}]
        AssertDescription: subnets must differ
  Region:
    Assertions:
      - Assert: !Or [!Equals [!Ref "AWS::Region", us-east-1], !Equals [!Ref "AWS::Region", eu-west-1]]
        AssertDescription: wrong region
Resources:
  R: {Type: T}
`
	tp := mustParse(t, "t.yaml", src)
	if err := tp.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	tests := []struct {
		name     string
		supplied map[string]string
		region   string
		want     string
	}{
		{"AllHold", nil, "us-east-1", ""},
		{"RuleConditionFalseSkips", map[string]string{"Size": "tiny"}, "us-east-1", ""},
		{"AssertDescription", map[string]string{"Env": "prod"}, "us-east-1", "For a production environment, the size must be large or xlarge"},
		{"ProdLarge", map[string]string{"Env": "prod", "Size": "large"}, "us-east-1", ""},
		{"DefaultMessage", map[string]string{"Env": "dev"}, "us-east-1", "Template validation error: Assertion 1 of rule KnownEnv failed"},
		{"EachMemberEquals", map[string]string{"Subnets": "subnet-1, subnet-1"}, "us-east-1", "subnets must differ"},
		{"PseudoParameter", nil, "ap-south-1", "wrong region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, err := tp.ResolveParameters(tt.supplied, nil)
			if err != nil {
				t.Fatal(err)
			}
			scope := testScope(params, nil)
			scope.Region = tt.region
			err = tp.CheckRules(scope)
			if got := errMessage(err); got != tt.want {
				t.Errorf("CheckRules(%v) = %q, want %q", tt.supplied, got, tt.want)
			}
			if err != nil && !containsAll(err.Error(), "t.yaml:", ": ") {
				t.Errorf("CheckRules().Error() = %q, want a position", err.Error())
			}
		})
	}
}

func TestCheckRulesErrors(t *testing.T) {
	tests := []struct{ name, rules, want string }{
		{"ValueOf", `R1: {Assertions: [{Assert: !Equals [{"Fn::ValueOf": [Env, Tags]}, x]}]}`,
			"Template error: Fn::ValueOf is not supported: it reads the attributes of resources in an AWS account, which cloudlet does not have"},
		{"ResourceRef", `R1: {Assertions: [{Assert: !Equals [!Ref R, x]}]}`, "Template format error: Unresolved dependencies [R]. Cannot reference resources in the Rules block of the template"},
		{"NotBoolean", `R1: {Assertions: [{Assert: !Ref Env}]}`, "Template error: Assert of rule R1 must evaluate to a boolean"},
		{"ContainsShape", `R1: {Assertions: [{Assert: {"Fn::Contains": [a, b]}}]}`, "Template error: every Fn::Contains object requires a list of 2 parameters, a list of strings and a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := mustParse(t, "t.yaml", "Parameters:\n  Env: {Type: String, Default: x}\nRules:\n  "+tt.rules+"\nResources:\n  R: {Type: T}\n")
			params, _ := tp.ResolveParameters(nil, nil)
			if got := errMessage(tp.CheckRules(testScope(params, nil))); got != tt.want {
				t.Errorf("CheckRules() = %q, want %q", got, tt.want)
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
