package console

import (
	"fmt"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

func TestResourceLink(t *testing.T) {
	tests := []struct {
		r    stack.Resource
		want string
	}{
		{stack.Resource{Type: "AWS::Lambda::Function", PhysicalID: "fa-005-function"}, "/_cloudlet/functions/fa-005-function"},
		{stack.Resource{Type: "AWS::ApiGatewayV2::Api", PhysicalID: "zt4ooxqesp"}, "/_cloudlet/apis/zt4ooxqesp"},
		{stack.Resource{Type: "AWS::ApiGatewayV2::Route", PhysicalID: "r1", Properties: map[string]any{"ApiId": "zt4ooxqesp"}}, "/_cloudlet/apis/zt4ooxqesp#routes"},
		{stack.Resource{Type: "AWS::ApiGatewayV2::Stage", PhysicalID: "$default", Properties: map[string]any{"ApiId": "a1"}}, "/_cloudlet/apis/a1#stages"},
		{stack.Resource{Type: "AWS::IAM::Role", PhysicalID: "fa-005-Role-X"}, "/_cloudlet/iam/roles/fa-005-Role-X"},
		{stack.Resource{Type: "AWS::Lambda::Permission", PhysicalID: "p", Properties: map[string]any{"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:f:live"}}, "/_cloudlet/functions/f"},
		{stack.Resource{Type: "AWS::Logs::LogGroup", PhysicalID: "/aws/lambda/f"}, "/_cloudlet/logs/group?name=%2Faws%2Flambda%2Ff"},
		{stack.Resource{Type: stack.StackType, PhysicalID: "arn:aws:cloudformation:us-east-1:000000000000:stack/n/1"}, "/_cloudlet/stacks/arn:aws:cloudformation:us-east-1:000000000000:stack%2Fn%2F1"},
		{stack.Resource{Type: "AWS::Lambda::Function"}, ""},
		{stack.Resource{Type: "AWS::IAM::Policy", PhysicalID: "p"}, ""},
		{stack.Resource{Type: "AWS::ApiGatewayV2::Route", PhysicalID: "r1"}, ""},
	}
	for _, tt := range tests {
		if got := resourceLink(tt.r); got != tt.want {
			t.Errorf("resourceLink(%s %s) = %q, want %q", tt.r.Type, tt.r.PhysicalID, got, tt.want)
		}
	}
}

func TestStackTree(t *testing.T) {
	all := []*stack.Stack{
		{ID: "c", Name: "child", ParentID: "r", Status: stack.CreateComplete},
		{ID: "r", Name: "root", Status: stack.CreateComplete},
		{ID: "g", Name: "grandchild", ParentID: "c", Status: stack.CreateComplete},
		{ID: "d", Name: "deleted", Status: stack.DeleteComplete},
		{ID: "o", Name: "orphan", ParentID: "gone", Status: stack.CreateComplete},
	}
	var got []string
	for _, n := range stackTree(all, false) {
		got = append(got, string(rune('0'+n.Depth))+n.Stack.Name)
	}
	want := "[0root 1child 2grandchild 0orphan]"
	if s := fmt.Sprint(got); s != want {
		t.Errorf("stackTree = %s, want %s", s, want)
	}
	if n := len(stackTree(all, true)); n != 5 {
		t.Errorf("stackTree(withDeleted) has %d stacks, want 5", n)
	}
}
