package stack_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// manyResources is a template of n independent resources.
func manyResources(n int) []byte {
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := range n {
		fmt.Fprintf(&b, "  R%03d:\n    Type: AWS::CloudFormation::WaitConditionHandle\n", i)
	}
	return []byte(b.String())
}

// gauge is a provider that records how many creates run at once. The
// first `want` creates wait until that many are in flight together, so
// that the test observes parallelism without timing anything.
type gauge struct {
	mu        sync.Mutex
	inflight  int
	max       int
	want      int
	reached   chan struct{}
	closeOnce sync.Once
}

func (g *gauge) Schema() stack.Schema { return stack.Schema{} }
func (g *gauge) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	g.mu.Lock()
	g.inflight++
	g.max = max(g.max, g.inflight)
	if g.inflight >= g.want {
		g.closeOnce.Do(func() { close(g.reached) })
	}
	g.mu.Unlock()
	select {
	case <-g.reached:
	case <-time.After(10 * time.Second): // never reached: fail below, do not hang
	}
	g.mu.Lock()
	g.inflight--
	g.mu.Unlock()
	return &stack.Result{PhysicalID: req.PhysicalName(64)}, nil
}
func (g *gauge) Delete(ctx context.Context, req *stack.Request) error { return nil }

// AWS creates independent resources in parallel (spec §4): 200 of them
// are worked on several at a time and all complete.
func TestParallelCreate(t *testing.T) {
	g := &gauge{want: 8, reached: make(chan struct{})}
	reg := stack.NewRegistry()
	reg.Register("AWS::CloudFormation::WaitConditionHandle", g)
	e := engineWith(t, reg)
	ctx := context.Background()
	st, err := e.CreateStack(ctx, stack.CreateInput{StackName: "many", TemplateBody: manyResources(200)})
	if err != nil {
		t.Fatal(err)
	}
	st, err = e.Wait(ctx, st.ID)
	if err != nil || st.Status != stack.CreateComplete {
		t.Fatalf("Wait = %v, %v; want CREATE_COMPLETE", st, err)
	}
	if g.max < g.want {
		t.Errorf("at most %d creates ran at once, want at least %d", g.max, g.want)
	}
	res, _ := e.Resources(ctx, "many")
	if len(res) != 200 {
		t.Errorf("Resources = %d, want 200", len(res))
	}
	evs, _ := e.Events(ctx, "many")
	for i := 1; i < len(evs); i++ {
		if !evs[i-1].Timestamp.After(evs[i].Timestamp) {
			t.Fatalf("events %d and %d are not strictly newest first: %v, %v", i-1, i, evs[i-1].Timestamp, evs[i].Timestamp)
		}
	}
	if len(evs) != 2+3*200 {
		t.Errorf("events = %d, want %d", len(evs), 2+3*200)
	}
}

// When one resource fails, the others in flight are cancelled with AWS's
// reason and the stack lists them all as failed (spec §5.3).
func TestFailureCancelsInFlight(t *testing.T) {
	e, fs := newEngine(t, engineOpts{par: 4})
	ctx := context.Background()
	tmpl := `
Resources:
  Slow:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: block}
  Bad:
    Type: AWS::SSM::Parameter
    DependsOn: Gate
    Properties: {Type: String, Value: fail-create}
  Gate:
    Type: AWS::CloudFormation::WaitConditionHandle
`
	// Gate gives Slow time to start; Bad fails after it.
	st, err := e.CreateStack(ctx, stack.CreateInput{StackName: "s", TemplateBody: []byte(tmpl)})
	if err != nil {
		t.Fatal(err)
	}
	<-fs.param.started
	got, _ := e.Wait(ctx, st.ID)
	if got.Status != stack.RollbackComplete {
		t.Fatalf("status = %s, want ROLLBACK_COMPLETE", got.Status)
	}
	want := "The following resource(s) failed to create: [Bad, Slow]. Rollback requested by user."
	if got.StatusReason != want {
		t.Errorf("reason = %q, want %q", got.StatusReason, want)
	}
	evs, _ := e.Events(ctx, "s")
	found := false
	for _, ev := range evs {
		if ev.LogicalResourceID == "Slow" && ev.ResourceStatus == stack.CreateFailed && ev.ResourceStatusReason == "Resource creation cancelled" {
			found = true
		}
	}
	if !found {
		t.Errorf("no CREATE_FAILED 'Resource creation cancelled' event for Slow")
	}
}

// Change set errors carry AWS's codes and statuses (spec §5.6, §9.3).
func TestChangeSetErrors(t *testing.T) {
	e, _ := newEngine(t, engineOpts{})
	ctx := context.Background()
	body := []byte("Resources:\n  H:\n    Type: AWS::CloudFormation::WaitConditionHandle\n")
	st, err := e.CreateStack(ctx, stack.CreateInput{StackName: "live", TemplateBody: body})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	noChange, err := e.CreateChangeSet(ctx, stack.CreateChangeSetInput{StackName: "live", ChangeSetName: "same", TemplateBody: body})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"createOnExisting", func() error {
			_, err := e.CreateChangeSet(ctx, stack.CreateChangeSetInput{StackName: "live", ChangeSetName: "c", ChangeSetType: "CREATE", TemplateBody: body})
			return err
		}, "ValidationError", 400, "Stack [live] already exists and cannot be created again with the changeSet [c]."},
		{"updateOnMissing", func() error {
			_, err := e.CreateChangeSet(ctx, stack.CreateChangeSetInput{StackName: "nope", ChangeSetName: "c", TemplateBody: body})
			return err
		}, "ValidationError", 400, "Stack [nope] does not exist"},
		{"badName", func() error {
			_, err := e.CreateChangeSet(ctx, stack.CreateChangeSetInput{StackName: "live", ChangeSetName: "1bad", TemplateBody: body})
			return err
		}, "ValidationError", 400, "1 validation error detected: Value '1bad' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"},
		{"describeMissing", func() error {
			_, err := e.DescribeChangeSet(ctx, "ghost", "live")
			return err
		}, "ChangeSetNotFound", 404, "ChangeSet [ghost] does not exist"},
		{"describeOnMissingStack", func() error {
			_, err := e.DescribeChangeSet(ctx, "ghost", "nope")
			return err
		}, "ValidationError", 400, "Stack [nope] does not exist"},
		{"executeFailed", func() error {
			_, err := e.ExecuteChangeSet(ctx, noChange.ID, "", false)
			return err
		}, "InvalidChangeSetStatus", 400, fmt.Sprintf("ChangeSet [%s] cannot be executed in its current status of [FAILED]", noChange.ID)},
		{"deleteMissing", func() error { return e.DeleteChangeSet(ctx, "ghost", "live") }, "ChangeSetNotFound", 404, "ChangeSet [ghost] does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			ae, ok := awserr.As(err)
			if !ok || ae.Code != tt.code || ae.HTTPStatus() != tt.status || ae.Message != tt.msg {
				t.Errorf("error = %v, want %s (%d) %q", err, tt.code, tt.status, tt.msg)
			}
		})
	}
	if noChange.Status != stack.ChangeSetFailed || noChange.StatusReason != stack.NoChangesReason || noChange.ExecutionStatus != stack.ExecutionUnavailable {
		t.Errorf("no-change change set = %s %s %q, want FAILED UNAVAILABLE with AWS's reason", noChange.Status, noChange.ExecutionStatus, noChange.StatusReason)
	}
	list, err := e.ListChangeSets(ctx, "live")
	if err != nil || len(list) != 1 {
		t.Errorf("ListChangeSets = %d, %v; want 1", len(list), err)
	}
	if err := e.DeleteChangeSet(ctx, "same", "live"); err != nil {
		t.Errorf("DeleteChangeSet = %v", err)
	}
}

// A REVIEW_IN_PROGRESS stack from a CREATE change set can be deleted
// straight away, and its change sets go with it (spec §5.1).
func TestReviewStackDelete(t *testing.T) {
	e, _ := newEngine(t, engineOpts{})
	ctx := context.Background()
	cs, err := e.CreateChangeSet(ctx, stack.CreateChangeSetInput{StackName: "rv", ChangeSetName: "c", ChangeSetType: "CREATE",
		TemplateBody: []byte("Resources:\n  H:\n    Type: AWS::CloudFormation::WaitConditionHandle\n")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.Describe(ctx, "rv")
	if err != nil || st.Status != stack.ReviewInProgress {
		t.Fatalf("Describe = %v, %v; want REVIEW_IN_PROGRESS", st, err)
	}
	if err := e.DeleteStack(ctx, "rv"); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.Wait(ctx, st.ID); st.Status != stack.DeleteComplete {
		t.Errorf("after delete = %s, want DELETE_COMPLETE", st.Status)
	}
	if _, err := e.DescribeChangeSet(ctx, cs.ID, ""); awserr.Code(err) != stack.CodeChangeSetNotFound {
		t.Errorf("DescribeChangeSet after stack delete = %v, want ChangeSetNotFound", err)
	}
}

// DescribeStacks' wording for a missing stack is load-bearing: the AWS
// CLI and SAM CLI match it (spec §5.2).
func TestMissingStackWording(t *testing.T) {
	e, _ := newEngine(t, engineOpts{})
	ctx := context.Background()
	_, err := e.Describe(ctx, "ghost")
	if ae, ok := awserr.As(err); !ok || ae.Message != "Stack with id ghost does not exist" {
		t.Errorf("Describe(ghost) = %v, want 'Stack with id ghost does not exist'", err)
	}
	_, err = e.Events(ctx, "ghost")
	if ae, ok := awserr.As(err); !ok || ae.Message != "Stack [ghost] does not exist" {
		t.Errorf("Events(ghost) = %v, want 'Stack [ghost] does not exist'", err)
	}
	if err := e.DeleteStack(ctx, "ghost"); err != nil {
		t.Errorf("DeleteStack(ghost) = %v, want nil (AWS ignores it)", err)
	}
	var ve *stack.ValidationError
	_, err = e.CreateStack(ctx, stack.CreateInput{StackName: "x", TemplateBody: []byte("Resources: {}")})
	if !errors.As(err, &ve) {
		t.Errorf("CreateStack(empty) = %v, want a ValidationError", err)
	}
}

func engineWith(t *testing.T, reg *stack.Registry) *stack.Engine {
	t.Helper()
	e, _ := newEngine(t, engineOpts{registry: reg})
	return e
}
