package awsapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// stackStatus is DescribeStacks' status of one stack, asked once.
func stackStatus(t *testing.T, c *cfn.Client, nameOrID string) cfntypes.StackStatus {
	t.Helper()
	ds, err := c.DescribeStacks(ctx(t), &cfn.DescribeStacksInput{StackName: aws.String(nameOrID)})
	if err != nil || len(ds.Stacks) != 1 {
		t.Fatalf("DescribeStacks(%s) = %v, %v", nameOrID, ds, err)
	}
	return ds.Stacks[0].StackStatus
}

// TestStackOperationsAnswerWhenDone: every operation that starts stack
// work answers once the work is over, so the first poll of a waiter sees
// the end (spec cloudformation §5.8).
func TestStackOperationsAnswerWhenDone(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := cfn.NewFromConfig(e.cfg())
	iamCaps := []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}
	created, err := c.CreateStack(cx, &cfn.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(roleTemplate), Capabilities: iamCaps})
	if err != nil {
		t.Fatalf("CreateStack: %v", err)
	}
	if got := stackStatus(t, c, "app"); got != cfntypes.StackStatusCreateComplete {
		t.Errorf("status right after CreateStack = %s, want CREATE_COMPLETE", got)
	}
	if _, err := c.UpdateStack(cx, &cfn.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true), Capabilities: iamCaps,
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Name"), ParameterValue: aws.String("r2")}}}); err != nil {
		t.Fatalf("UpdateStack: %v", err)
	}
	if got := stackStatus(t, c, "app"); got != cfntypes.StackStatusUpdateComplete {
		t.Errorf("status right after UpdateStack = %s, want UPDATE_COMPLETE", got)
	}
	described := strings.Replace(roleTemplate, "    Properties:\n", "    Properties:\n      Description: !Ref Name\n", 1)
	cs, err := c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String("back"),
		TemplateBody: aws.String(described), Capabilities: iamCaps,
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Name"), ParameterValue: aws.String("r1")}}})
	if err != nil {
		t.Fatalf("CreateChangeSet: %v", err)
	}
	d, err := c.DescribeChangeSet(cx, &cfn.DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil || d.Status != cfntypes.ChangeSetStatusCreateComplete || d.ExecutionStatus != cfntypes.ExecutionStatusAvailable ||
		len(d.Changes) != 1 || d.Changes[0].ResourceChange.Action != cfntypes.ChangeActionModify {
		t.Fatalf("DescribeChangeSet right after CreateChangeSet = %+v, %v; want CREATE_COMPLETE, AVAILABLE, one Modify", d, err)
	}
	if len(d.Changes[0].ResourceChange.Details) == 0 {
		t.Errorf("DescribeChangeSet Modify has no Details")
	}
	if _, err := c.ExecuteChangeSet(cx, &cfn.ExecuteChangeSetInput{ChangeSetName: aws.String("back"), StackName: aws.String("app")}); err != nil {
		t.Fatalf("ExecuteChangeSet: %v", err)
	}
	if got := stackStatus(t, c, "app"); got != cfntypes.StackStatusUpdateComplete {
		t.Errorf("status right after ExecuteChangeSet = %s, want UPDATE_COMPLETE", got)
	}
	list, err := c.ListChangeSets(cx, &cfn.ListChangeSetsInput{StackName: aws.String("app")})
	if err != nil || len(list.Summaries) != 1 || list.Summaries[0].ExecutionStatus != cfntypes.ExecutionStatusExecuteComplete {
		t.Errorf("ListChangeSets after ExecuteChangeSet = %+v, %v; want one, EXECUTE_COMPLETE", list, err)
	}
	if _, err := c.DeleteStack(cx, &cfn.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatalf("DeleteStack: %v", err)
	}
	if got := stackStatus(t, c, aws.ToString(created.StackId)); got != cfntypes.StackStatusDeleteComplete {
		t.Errorf("status right after DeleteStack = %s, want DELETE_COMPLETE", got)
	}
}

// gate is a resource type whose Create waits for the test to open it.
type gate struct {
	open chan struct{}
	fail bool
}

func (g *gate) Schema() stack.Schema { return stack.Schema{} }

func (g *gate) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	select {
	case <-g.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if g.fail {
		return nil, errors.New("the gate was told to fail")
	}
	return &stack.Result{PhysicalID: req.LogicalID + "-gate"}, nil
}

func (g *gate) Delete(ctx context.Context, req *stack.Request) error { return nil }

const gateTemplate = "Resources:\n  Door:\n    Type: Test::Gate\n"

// TestStackOperationsWaitIsBounded: an operation still running when the
// bound passes (or whose client asked not to wait) is answered in
// progress, as AWS answers, and goes on.
func TestStackOperationsWaitIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settle   time.Duration
		noWait   bool
		fail     bool
		wantDone string
	}{
		{name: "bound passes", settle: 20 * time.Millisecond, wantDone: stack.CreateComplete},
		{name: "no-wait header", noWait: true, wantDone: stack.CreateComplete},
		{name: "bound passes then fails", settle: 20 * time.Millisecond, fail: true, wantDone: stack.RollbackComplete},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			g := &gate{open: make(chan struct{}), fail: tc.fail}
			e := newEnvWith(t, envOptions{settle: tc.settle, register: func(r *stack.Registry) { r.Register("Test::Gate", g) }})
			var opts []func(*cfn.Options)
			if tc.noWait {
				opts = append(opts, cfn.WithAPIOptions(smithyhttp.AddHeaderValue(awsapi.NoWaitHeader, "1")))
			}
			c := cfn.NewFromConfig(e.cfg(), opts...)
			out, err := c.CreateStack(ctx(t), &cfn.CreateStackInput{StackName: aws.String("slow"), TemplateBody: aws.String(gateTemplate)})
			if err != nil {
				t.Fatalf("CreateStack: %v", err)
			}
			if got := stackStatus(t, c, "slow"); got != cfntypes.StackStatusCreateInProgress {
				t.Errorf("status when CreateStack answered = %s, want CREATE_IN_PROGRESS (the gate is shut)", got)
			}
			close(g.open)
			st, _ := e.Stacks.Wait(ctx(t), aws.ToString(out.StackId))
			if st == nil || st.Status != tc.wantDone {
				t.Errorf("after opening the gate, Wait = %+v, want %s", st, tc.wantDone)
			}
		})
	}
}

// TestListImports: stacks importing an export are listed by name.
func TestListImports(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := cfn.NewFromConfig(e.cfg())
	iamCaps := []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}
	if _, err := c.CreateStack(cx, &cfn.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(roleTemplate), Capabilities: iamCaps}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ListImports(cx, &cfn.ListImportsInput{ExportName: aws.String("app-role")})
	if code, msg, _ := apiErr(err); code != "ValidationError" || msg != "Export 'app-role' is not imported by any stack." {
		t.Errorf("ListImports(unused) = %s %q", code, msg)
	}
	const importer = `Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: iam:GetRole
            Resource: !ImportValue app-role
`
	if _, err := c.CreateStack(cx, &cfn.CreateStackInput{StackName: aws.String("user"), TemplateBody: aws.String(importer), Capabilities: iamCaps}); err != nil {
		t.Fatal(err)
	}
	if got := stackStatus(t, c, "user"); got != cfntypes.StackStatusCreateComplete {
		t.Fatalf("user stack = %s, want CREATE_COMPLETE", got)
	}
	li, err := c.ListImports(cx, &cfn.ListImportsInput{ExportName: aws.String("app-role")})
	if err != nil || len(li.Imports) != 1 || li.Imports[0] != "user" {
		t.Errorf("ListImports(app-role) = %v, %v; want [user]", li, err)
	}
	_, err = c.DeleteStack(cx, &cfn.DeleteStackInput{StackName: aws.String("app")})
	if code, msg, _ := apiErr(err); code != "ValidationError" || !strings.Contains(msg, "in use by user") {
		t.Errorf("DeleteStack(exporting stack) = %s %q, want the export in use by user", code, msg)
	}
}
