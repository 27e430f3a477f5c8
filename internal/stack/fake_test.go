package stack_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// fake is an in-memory provider for engine tests, registered under real
// type names so that the test templates are valid CloudFormation (and
// cfn-lint can check them). Its behaviour is steered by the Value
// property: "fail-create", "fail-update" and "fail-delete" fail that
// operation; "block" makes Create wait until the test releases it.
type fake struct {
	typ    string
	schema stack.Schema

	mu      sync.Mutex
	live    map[string]map[string]any // physical ID → properties
	counter map[string]int            // logical ID → copies made
	ops     []string
	block   chan struct{} // closed to release blocked creates
	started chan string   // logical IDs whose blocked create started
}

func newFake(typ string, schema stack.Schema) *fake {
	return &fake{typ: typ, schema: schema, live: map[string]map[string]any{}, counter: map[string]int{},
		block: make(chan struct{}), started: make(chan string, 100)}
}

func (f *fake) Schema() stack.Schema { return f.schema }

func (f *fake) value(req *stack.Request) string {
	v, _ := req.Properties["Value"].(string)
	return v
}

// PlannedID is the Name property, or phys-{LogicalID}-{n}.
func (f *fake) PlannedID(req *stack.Request) (string, error) {
	if n, ok := req.Properties["Name"].(string); ok && n != "" {
		return n, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("phys-%s-%d", req.LogicalID, f.counter[req.LogicalID]+1), nil
}

func (f *fake) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	id, _ := f.PlannedID(req)
	switch f.value(req) {
	case "fail-create":
		f.note("create-failed " + req.LogicalID)
		return nil, awserr.New("InvalidRequest", "%s was told to fail", req.LogicalID)
	case "block", "block-make":
		f.started <- req.LogicalID
		select {
		case <-f.block:
		case <-ctx.Done():
			if f.value(req) == "block-make" {
				// The service made it, but the process died before
				// the engine heard back.
				f.mu.Lock()
				f.live[id] = req.Properties
				f.counter[req.LogicalID]++
				f.ops = append(f.ops, "create-unrecorded "+req.LogicalID+" "+id)
				f.mu.Unlock()
			} else {
				f.note("create-cancelled " + req.LogicalID)
			}
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, dup := f.live[id]; dup {
		return nil, awserr.New("AlreadyExists", "%s already exists", id)
	}
	f.counter[req.LogicalID]++
	f.live[id] = req.Properties
	f.ops = append(f.ops, "create "+req.LogicalID+" "+id)
	return &stack.Result{PhysicalID: id, Attributes: map[string]any{"Value": f.value(req), "Id": id}}, nil
}

func (f *fake) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	if f.value(req) == "fail-update" {
		f.note("update-failed " + req.LogicalID)
		return nil, awserr.New("InvalidRequest", "%s was told to fail", req.LogicalID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.live[req.PhysicalID]; !ok {
		return nil, awserr.WithStatus(404, "NotFound", "%s not found", req.PhysicalID)
	}
	f.live[req.PhysicalID] = req.Properties
	f.ops = append(f.ops, "update "+req.LogicalID+" "+req.PhysicalID)
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Value": f.value(req), "Id": req.PhysicalID}}, nil
}

func (f *fake) Delete(ctx context.Context, req *stack.Request) error {
	if f.value(req) == "fail-delete" {
		f.note("delete-failed " + req.LogicalID)
		return awserr.New("InvalidRequest", "%s was told to fail", req.LogicalID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.live[req.PhysicalID]; ok {
		delete(f.live, req.PhysicalID)
		f.ops = append(f.ops, "delete "+req.LogicalID+" "+req.PhysicalID)
	}
	return nil
}

func (f *fake) note(op string) {
	f.mu.Lock()
	f.ops = append(f.ops, op)
	f.mu.Unlock()
}

// takeOps returns the operations since the last call.
func (f *fake) takeOps() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.ops
	f.ops = nil
	return out
}

// liveIDs lists the physical IDs that exist.
func (f *fake) liveIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.live))
	for id := range f.live {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// fakes is the set of fake providers a test engine uses.
type fakes struct {
	param, role, handle *fake
}

func (fs *fakes) all() []*fake { return []*fake{fs.param, fs.role, fs.handle} }

func (fs *fakes) takeOps() []string {
	var out []string
	for _, f := range fs.all() {
		out = append(out, f.takeOps()...)
	}
	return out
}

func (fs *fakes) liveIDs() []string {
	var out []string
	for _, f := range fs.all() {
		out = append(out, f.liveIDs()...)
	}
	sort.Strings(out)
	return out
}

func newFakes() *fakes {
	return &fakes{
		param: newFake("AWS::SSM::Parameter", stack.Schema{
			Required:   []string{"Type", "Value"},
			Properties: []string{"AllowedPattern", "DataType", "Description", "Name", "Policies", "Tags", "Tier", "Type", "Value"},
			CreateOnly: []string{"Name"},
			Attributes: []string{"Type", "Value"},
		}),
		role: newFake("AWS::IAM::Role", stack.Schema{
			Required:        []string{"AssumeRolePolicyDocument"},
			Properties:      []string{"AssumeRolePolicyDocument", "Description", "RoleName", "Path"},
			CreateOnly:      []string{"RoleName", "Path"},
			NeedsCapability: stack.CapabilityIAM,
			NameProperty:    "RoleName",
		}),
		handle: newFake("AWS::CloudFormation::WaitConditionHandle", stack.Schema{}),
	}
}

// mapTemplates serves nested templates from memory, by URL's last part.
type mapTemplates map[string]string

func (m mapTemplates) FetchTemplate(ctx context.Context, url string) (string, []byte, error) {
	name := url[strings.LastIndex(url, "/")+1:]
	body, ok := m[name]
	if !ok {
		return "", nil, fmt.Errorf("no template %s", name)
	}
	return name, []byte(body), nil
}

type engineOpts struct {
	par       int
	templates mapTemplates
	dir       string
	ssm       map[string]string
	fakes     *fakes    // reuse these providers (a restart)
	db        *store.DB // use this store; the caller closes it
	registry  *stack.Registry
}

// newEngine builds an engine over a fresh store with the fake providers.
func newEngine(t testing.TB, o engineOpts) (*stack.Engine, *fakes) {
	t.Helper()
	dir := o.dir
	if dir == "" {
		dir = t.TempDir()
	}
	db := o.db
	if db == nil {
		var err error
		if db, err = store.Open(dir); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
	}
	fs := o.fakes
	if fs == nil {
		fs = newFakes()
	}
	reg := o.registry
	if reg == nil {
		reg = stack.NewRegistry()
		for _, f := range fs.all() {
			reg.Register(f.typ, f)
		}
	}
	cfg := stack.Config{DB: db, Region: "us-east-1", AccountID: "123456789012", Registry: reg, Parallelism: o.par}
	if o.templates != nil {
		cfg.Templates = o.templates
	}
	if o.ssm != nil {
		cfg.SSM = func(ctx context.Context, name string) (string, error) {
			if v, ok := o.ssm[name]; ok {
				return v, nil
			}
			return "", awserr.New(awserr.CodeValidationError, "Parameters: [%s] cannot be found.", name)
		}
	}
	e, err := stack.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e, fs
}

// crash stops an engine as a killed process would leave it: operations
// stop where they are, and the store is closed.
func crash(t testing.TB, e *stack.Engine, db *store.DB) {
	t.Helper()
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
