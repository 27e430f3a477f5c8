package template_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

func TestEvalConditions(t *testing.T) {
	src := `Parameters:
  Env: {Type: String, Default: prod}
  Zones: {Type: CommaDelimitedList, Default: "a,b"}
Mappings:
  EnvMap:
    prod: {Big: "true"}
    dev: {Big: "false"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsBig: !Equals [!FindInMap [EnvMap, !Ref Env, Big], "true"]
  IsEast: !Equals [!Ref "AWS::Region", us-east-1]
  ProdAndEast: !And [!Condition IsProd, !Condition IsEast]
  NotProd: !Not [!Condition IsProd]
  Either:
    Fn::Or:
      - Condition: NotProd
      - !Equals [!Select [1, !Ref Zones], b]
  IfBased: !If [IsProd, !Condition IsEast, !Condition NotProd]
Resources:
  R: {Type: T}
`
	tp := mustParse(t, "t.yaml", src)
	tests := []struct {
		env  string
		want map[string]bool
	}{
		{"prod", map[string]bool{"IsProd": true, "IsBig": true, "IsEast": true, "ProdAndEast": true, "NotProd": false, "Either": true, "IfBased": true}},
		{"dev", map[string]bool{"IsProd": false, "IsBig": false, "IsEast": true, "ProdAndEast": false, "NotProd": true, "Either": true, "IfBased": true}},
	}
	for _, tt := range tests {
		params, err := tp.ResolveParameters(map[string]string{"Env": tt.env}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tp.EvalConditions(testScope(params, nil))
		if err != nil {
			t.Fatalf("EvalConditions(Env=%s) = %v", tt.env, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("EvalConditions(Env=%s) mismatch (-want +got):\n%s", tt.env, diff)
		}
	}
}

func TestEvalConditionsErrors(t *testing.T) {
	tests := []struct {
		name, conditions, want string
	}{
		{"ResourceRef", `C: !Equals [!Ref R, x]`, "Template format error: Unresolved dependencies [R]. Cannot reference resources in the Conditions block of the template"},
		{"ResourceGetAtt", `C: !Equals [!GetAtt R.Arn, x]`, "Template format error: Unresolved dependencies [R]. Cannot reference resources in the Conditions block of the template"},
		{"UnknownRef", `C: !Equals [!Sub "${Nope}", x]`, "Template format error: Unresolved dependencies [Nope]. Cannot reference resources in the Conditions block of the template"},
		{"UnknownCondition", `C: !Not [!Condition Nope]`, "Template error: unresolved condition dependency Nope in Fn::Condition"},
		{"Cycle", "A: !Not [!Condition B]\n  B: !Not [!Condition A]", "Template format error: Circular dependency between conditions: [A, B, A]"},
		{"SelfCycle", "A: !And [!Condition A, !Condition A]", "Template format error: Circular dependency between conditions: [A, A]"},
		{"NotAConditionFunction", `C: !Ref Env`, "Template format error: Conditions can only be boolean operations on parameters and other conditions"},
		{"Literal", `C: "true"`, "Template format error: Conditions can only be boolean operations on parameters and other conditions"},
		{"EqualsShape", `C: !Equals [a, b, c]`, "Template error: every Fn::Equals object requires a list of 2 string parameters."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := mustParse(t, "t.yaml", "Parameters:\n  Env: {Type: String, Default: x}\nConditions:\n  "+tt.conditions+"\nResources:\n  R: {Type: T}\n")
			params, err := tp.ResolveParameters(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tp.EvalConditions(testScope(params, nil))
			if got := errMessage(err); got != tt.want {
				t.Errorf("EvalConditions() = %q, want %q", got, tt.want)
			}
		})
	}
}

// A scope without Conditions evaluates a condition when Fn::If first
// needs it.
func TestEvalIfWithoutPrecomputedConditions(t *testing.T) {
	tp := mustParse(t, "t.yaml", `Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  R:
    Type: T
    Properties:
      Size: !If [IsProd, 10, 1]
`)
	params, _ := tp.ResolveParameters(nil, nil)
	got, err := template.Eval(tp.Resources[0].Properties.Get("Size"), testScope(params, nil))
	if err != nil || !isNumber(got) || numberText(got) != "1" {
		t.Errorf("Eval(!If) = %v, %v; want 1", got, err)
	}
	// A condition given in the scope wins.
	got, err = template.Eval(tp.Resources[0].Properties.Get("Size"), testScope(params, map[string]bool{"IsProd": true}))
	if err != nil || numberText(got) != "10" {
		t.Errorf("Eval(!If) with IsProd=true = %v, %v; want 10", got, err)
	}
}
