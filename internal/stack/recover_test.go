package stack_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// restartable runs an engine over a store that a test can "crash" and
// reopen, keeping the fake providers (the world outside the process).
type restartable struct {
	t   *testing.T
	dir string
	fs  *fakes
	db  *store.DB
	e   *stack.Engine
	tpl mapTemplates
}

func newRestartable(t *testing.T, tpl mapTemplates) *restartable {
	r := &restartable{t: t, dir: t.TempDir(), fs: newFakes(), tpl: tpl}
	r.start()
	return r
}

func (r *restartable) start() {
	db, err := store.Open(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	r.db = db
	r.e, _ = newEngine(r.t, engineOpts{db: db, fakes: r.fs, templates: r.tpl})
}

// restart kills the engine mid-operation and starts a new one on the
// same store, which recovers.
func (r *restartable) restart() {
	crash(r.t, r.e, r.db)
	r.start()
	if err := r.e.Recover(context.Background()); err != nil {
		r.t.Fatalf("Recover = %v", err)
	}
}

func (r *restartable) events(name string) []string {
	evs, err := r.e.Events(context.Background(), name)
	if err != nil {
		r.t.Fatal(err)
	}
	slices.Reverse(evs)
	var out []string
	for _, ev := range evs {
		s := ev.LogicalResourceID + " " + ev.ResourceStatus
		if ev.ResourceStatusReason != "" {
			s += " " + ev.ResourceStatusReason
		}
		out = append(out, s)
	}
	return out
}

const blockedCreate = `
Resources:
  A:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: a}
  B:
    Type: AWS::SSM::Parameter
    DependsOn: A
    Properties: {Type: String, Value: %s}
`

// AWS has no crashes; cloudlet can be killed. A create cut short is
// rolled back on restart, and what the interrupted Create made (its
// planned ID was recorded before the provider was called) is deleted.
func TestRecoverCreate(t *testing.T) {
	tests := []struct {
		name, value, disable string
		wantStatus           string
		wantLive             []string
	}{
		{"rollsBackAndDeletesUnrecorded", "block-make", "", stack.RollbackComplete, nil},
		{"rollsBackWhenNothingWasMade", "block", "", stack.RollbackComplete, nil},
		{"disabledRollbackKeepsWhatWasMade", "block", "yes", stack.CreateFailed, []string{"phys-A-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRestartable(t, nil)
			st, err := r.e.CreateStack(context.Background(), stack.CreateInput{StackName: "s",
				TemplateBody: fmt.Appendf(nil, blockedCreate, tt.value), DisableRollback: tt.disable != ""})
			if err != nil {
				t.Fatal(err)
			}
			<-r.fs.param.started
			r.restart()
			got, _ := r.e.Wait(context.Background(), st.ID)
			if got.Status != tt.wantStatus {
				t.Errorf("status after recovery = %s (%s), want %s", got.Status, got.StatusReason, tt.wantStatus)
			}
			if live := r.fs.liveIDs(); !slices.Equal(live, tt.wantLive) {
				t.Errorf("live after recovery = %v, want %v", live, tt.wantLive)
			}
			evs := strings.Join(r.events("s"), "\n")
			if !strings.Contains(evs, "B CREATE_FAILED Resource creation cancelled: cloudlet stopped") {
				t.Errorf("events = \n%s\nwant B CREATE_FAILED for the interrupted create", evs)
			}
		})
	}
}

// An update cut short is rolled back from its journal: the in-place
// change is undone, the replacement's new copy (made, but unrecorded) is
// deleted, the old copy is current again.
func TestRecoverUpdate(t *testing.T) {
	r := newRestartable(t, nil)
	ctx := context.Background()
	v1 := `
Resources:
  A:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: a1}
  B:
    Type: AWS::SSM::Parameter
    Properties: {Name: b-one, Type: String, Value: b}
`
	v2 := `
Resources:
  A:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: a2}
  B:
    Type: AWS::SSM::Parameter
    DependsOn: A
    Properties: {Name: b-two, Type: String, Value: block-make}
`
	st, err := r.e.CreateStack(ctx, stack.CreateInput{StackName: "s", TemplateBody: []byte(v1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.e.Wait(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.e.UpdateStack(ctx, stack.UpdateInput{StackName: "s", TemplateBody: []byte(v2)}); err != nil {
		t.Fatal(err)
	}
	<-r.fs.param.started
	r.restart()
	got, _ := r.e.Wait(ctx, st.ID)
	if got.Status != stack.UpdateRollbackComplete {
		t.Fatalf("status after recovery = %s (%s), want UPDATE_ROLLBACK_COMPLETE", got.Status, got.StatusReason)
	}
	if live := r.fs.liveIDs(); !slices.Equal(live, []string{"b-one", "phys-A-1"}) {
		t.Errorf("live after recovery = %v, want [b-one phys-A-1]", live)
	}
	res, _ := r.e.Resources(ctx, "s")
	for _, x := range res {
		if x.LogicalID == "A" && x.Properties["Value"] != "a1" {
			t.Errorf("A's recorded Value = %v, want a1 restored", x.Properties["Value"])
		}
		if x.LogicalID == "B" && x.PhysicalID != "b-one" {
			t.Errorf("B's physical ID = %s, want b-one restored", x.PhysicalID)
		}
	}
	if got.TemplateBody != v1 {
		t.Errorf("template after recovery is not the previous one")
	}
}

// Nested stacks are recovered before their parents: the child rolls back,
// then the parent's rollback deletes it.
func TestRecoverNested(t *testing.T) {
	tpl := mapTemplates{"child.yaml": fmt.Sprintf(blockedCreate, "block-make")}
	r := newRestartable(t, tpl)
	ctx := context.Background()
	parent := `
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: https://b.s3.amazonaws.com/child.yaml}
`
	st, err := r.e.CreateStack(ctx, stack.CreateInput{StackName: "p", TemplateBody: []byte(parent)})
	if err != nil {
		t.Fatal(err)
	}
	<-r.fs.param.started
	r.restart()
	got, _ := r.e.Wait(ctx, st.ID)
	if got.Status != stack.RollbackComplete {
		t.Errorf("parent after recovery = %s (%s), want ROLLBACK_COMPLETE", got.Status, got.StatusReason)
	}
	all, _ := r.e.ListStacks(ctx)
	for _, s := range all {
		if s.ParentID == st.ID && s.Status != stack.DeleteComplete {
			t.Errorf("child %s = %s, want DELETE_COMPLETE", s.Name, s.Status)
		}
	}
	if live := r.fs.liveIDs(); len(live) != 0 {
		t.Errorf("live after recovery = %v, want nothing", live)
	}
}

// Recovering twice, or with nothing to recover, changes nothing.
func TestRecoverIdempotent(t *testing.T) {
	r := newRestartable(t, nil)
	if err := r.e.Recover(context.Background()); err != nil {
		t.Fatalf("Recover(empty) = %v", err)
	}
	st, err := r.e.CreateStack(context.Background(), stack.CreateInput{StackName: "s", TemplateBody: fmt.Appendf(nil, blockedCreate, "b")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.e.Wait(context.Background(), st.ID); err != nil {
		t.Fatal(err)
	}
	r.restart()
	got, err := r.e.Describe(context.Background(), "s")
	if err != nil || got.Status != stack.CreateComplete {
		t.Errorf("after restart Describe = %v, %v; want CREATE_COMPLETE untouched", got, err)
	}
}

// Stacks this process starts are never taken for leftovers: a create
// started while Recover runs is not rolled back by it, and Recover never
// takes its operation slot (CreateStack panicked on a nil end when it
// did). Recover runs in a loop to hit the moment between a create's
// commit and its taking the slot.
func TestRecoverLeavesNewStacksAlone(t *testing.T) {
	e, _ := newEngine(t, engineOpts{})
	stop := make(chan struct{})
	recovered := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				recovered <- nil
				return
			default:
			}
			if err := e.Recover(context.Background()); err != nil {
				recovered <- err
				return
			}
		}
	}()
	tmpl := "Resources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: a}\n"
	for i := range 100 {
		name := fmt.Sprintf("s%d", i)
		st, err := e.CreateStack(context.Background(), stack.CreateInput{StackName: name, TemplateBody: []byte(tmpl)})
		if err != nil {
			t.Fatalf("CreateStack(%s) = %v", name, err)
		}
		if st, err = e.Wait(context.Background(), st.ID); err != nil || st.Status != stack.CreateComplete {
			t.Fatalf("stack %s = %v, %v; want CREATE_COMPLETE", name, st.Status, err)
		}
	}
	close(stop)
	if err := <-recovered; err != nil {
		t.Fatalf("Recover = %v", err)
	}
}
