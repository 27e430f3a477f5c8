package template_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

func TestEvalOutputs(t *testing.T) {
	tp := mustParse(t, "t.yaml", `Parameters:
  Secret: {Type: String, NoEcho: true, Default: hunter2}
  Zones: {Type: CommaDelimitedList, Default: "a,b"}
Conditions:
  Never: !Equals [a, b]
Resources:
  Fn: {Type: T}
Outputs:
  Arn:
    Description: the ARN
    Value: !GetAtt Fn.Arn
    Export: {Name: !Sub "${AWS::StackName}-Arn"}
  Hidden:
    Condition: Never
    Value: !Ref Fn
  Zones:
    Value: !Ref Zones
  Secret:
    Value: !Ref Secret
  Map:
    Value: {"Fn::GetAtt": [Fn, Config]}
`)
	params, err := tp.ResolveParameters(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	scope := testScope(params, nil)
	scope.Resources = fakeResolver{atts: map[string]any{"Fn.Config": map[string]any{"a": 1}}}
	got, err := tp.EvalOutputs(scope)
	if err != nil {
		t.Fatalf("EvalOutputs = %v", err)
	}
	want := []template.OutputValue{
		{Name: "Arn", Description: "the ARN", Value: "Fn.Arn-value", ExportName: "test-stack-Arn"},
		{Name: "Zones", Value: "a,b"},
		{Name: "Secret", Value: "hunter2"},
		{Name: "Map", Value: `{"a":1}`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EvalOutputs mismatch (-want +got):\n%s", diff)
	}
}

func TestEvalOutputsErrors(t *testing.T) {
	tp := mustParse(t, "t.yaml", "Resources:\n  R: {Type: T, Condition: Off}\nConditions:\n  Off: !Equals [a, b]\nOutputs:\n  O: {Value: !Ref R}\n")
	_, err := tp.EvalOutputs(testScope(nil, nil))
	want := "Template format error: Unresolved resource dependencies [R] in the Outputs block of the template"
	if got := errMessage(err); got != want {
		t.Errorf("EvalOutputs() = %q, want %q", got, want)
	}
}
