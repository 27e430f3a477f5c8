package template_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const depsTemplate = `Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
Resources:
  Queue: {Type: T}
  Topic: {Type: T}
  Table: {Type: T}
  DevBucket: {Type: T, Condition: IsDev}
  Fn:
    Type: T
    DependsOn: [Table]
    Properties:
      A: !Ref Queue
      B: !Sub "${Topic.Arn} ${Env} ${AWS::Region} ${!Literal} ${Bound}"
      C: !Sub ["${X}", {X: !GetAtt Table.Arn}]
      D: !If [IsDev, !Ref DevBucket, !Ref "AWS::NoValue"]
      E: !Sub ["${Bound}", {Bound: x}]
    Metadata:
      M: !Ref Queue
  Api:
    Type: T
    Properties:
      F: !GetAtt Fn.Arn
`

func TestDependencies(t *testing.T) {
	tp := mustParse(t, "t.yaml", depsTemplate)
	tests := []struct {
		id    string
		conds map[string]bool
		want  []string
	}{
		{"Fn", nil, []string{"DevBucket", "Queue", "Table", "Topic"}},
		{"Fn", map[string]bool{"IsProd": true, "IsDev": false}, []string{"Queue", "Table", "Topic"}},
		{"Fn", map[string]bool{"IsProd": false, "IsDev": true}, []string{"DevBucket", "Queue", "Table", "Topic"}},
		{"Api", nil, []string{"Fn"}},
		{"Queue", nil, []string{}},
	}
	for _, tt := range tests {
		got := tp.Dependencies(tp.Resource(tt.id), tt.conds)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Dependencies(%s, %v) mismatch (-want +got):\n%s", tt.id, tt.conds, diff)
		}
	}
}

func TestOrder(t *testing.T) {
	// The unresolved "Bound" of B is an error for Order; drop it.
	tp := mustParse(t, "t.yaml", replaceAll(depsTemplate, " ${Bound}\"", "\""))
	tests := []struct {
		conds map[string]bool
		want  [][]string
	}{
		{map[string]bool{"IsProd": true, "IsDev": false}, [][]string{{"Queue", "Table", "Topic"}, {"Fn"}, {"Api"}}},
		{map[string]bool{"IsProd": false, "IsDev": true}, [][]string{{"DevBucket", "Queue", "Table", "Topic"}, {"Fn"}, {"Api"}}},
		{nil, [][]string{{"DevBucket", "Queue", "Table", "Topic"}, {"Fn"}, {"Api"}}},
	}
	for _, tt := range tests {
		got, err := tp.Order(tt.conds)
		if err != nil {
			t.Fatalf("Order(%v) = %v", tt.conds, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Order(%v) mismatch (-want +got):\n%s", tt.conds, diff)
		}
	}
}

func TestOrderErrors(t *testing.T) {
	tests := []struct {
		name, resources string
		conds           map[string]bool
		want            string
	}{
		{"Cycle", "A: {Type: T, Properties: {X: !Ref B}}\n  B: {Type: T, Properties: {X: !GetAtt A.Arn}}", nil,
			"Circular dependency between resources: [A, B]"},
		{"CycleWithDependents", "C: {Type: T, DependsOn: B}\n  A: {Type: T, Properties: {X: !Sub '${B}'}}\n  B: {Type: T, DependsOn: [A]}\n  D: {Type: T}", nil,
			"Circular dependency between resources: [C, A, B]"},
		{"SelfReference", "A: {Type: T, Properties: {X: !Ref A}}", nil,
			"Circular dependency between resources: [A]"},
		{"Unresolved", "A: {Type: T, Properties: {X: !Ref Nope, Y: !Sub '${Other.Arn}'}}", nil,
			"Template format error: Unresolved resource dependencies [Nope, Other] in the Resources block of the template"},
		{"DependsOnUnknown", "A: {Type: T, DependsOn: Nope}", nil,
			"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"ConditionFalseTarget", "A: {Type: T, Condition: C}\n  B: {Type: T, Properties: {X: !Ref A}}", map[string]bool{"C": false},
			"Template format error: Unresolved resource dependencies [A] in the Resources block of the template"},
		{"UntakenBranchIsFine", "A: {Type: T, Condition: C}\n  B: {Type: T, Properties: {X: !If [C, !Ref A, x]}}", map[string]bool{"C": false},
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := mustParse(t, "t.yaml", "Conditions:\n  C: !Equals [a, b]\nResources:\n  "+tt.resources+"\n")
			_, err := tp.Order(tt.conds)
			if got := errMessage(err); got != tt.want {
				t.Errorf("Order() = %q, want %q", got, tt.want)
			}
		})
	}
}
