package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// nested is the provider of AWS::CloudFormation::Stack: a child stack run
// by the same engine, with its own events and status (spec §7). The
// engine registers it itself.
type nested struct{ e *Engine }

func (n nested) Schema() Schema {
	return Schema{
		Required:   []string{"TemplateURL"},
		Properties: []string{"TemplateURL", "Parameters", "NotificationARNs", "Tags", "TimeoutInMinutes"},
	}
}

// parentOf loads the stack a nested-stack request belongs to.
func (n nested) parentOf(req *Request) (*Stack, error) {
	var st *Stack
	err := n.e.db.View(func(tx *store.Tx) error {
		var err error
		st, err = lookup(tx, req.Stack.ID)
		return err
	})
	if err == nil && st == nil {
		err = fmt.Errorf("parent stack %s not found", req.Stack.ID)
	}
	return st, err
}

// PlannedID is the child stack's name, so that a crash while the child
// is being made cannot orphan it: recovery deletes it by name.
func (n nested) PlannedID(req *Request) (string, error) {
	return fitName(req.Stack.Name, req.LogicalID, strings.ToUpper(req.Suffix()), 128), nil
}

func (n nested) Create(ctx context.Context, req *Request) (*Result, error) {
	parent, err := n.parentOf(req)
	if err != nil {
		return nil, err
	}
	name, _ := n.PlannedID(req)
	url, _ := req.Properties["TemplateURL"].(string)
	params, err := childParameters(req.Properties["Parameters"])
	if err != nil {
		return nil, err
	}
	r, err := n.e.startCreate(ctx, CreateInput{
		StackName: name, TemplateURL: url,
		Parameters: params, Capabilities: parent.Capabilities, DisableRollback: parent.DisableRollback,
		parent: parent, parentLogicalID: req.LogicalID,
	})
	if err != nil {
		return nil, err
	}
	end, _ := n.e.begin(r.st.ID)
	r.runCreate(ctx)
	end()
	if r.st.Status != CreateComplete {
		return nil, &LeftoverError{PhysicalID: r.st.ID,
			Err: &ReasonError{Reason: fmt.Sprintf("Embedded stack %s was not successfully created: %s", r.st.ID, strings.TrimSpace(r.st.StatusReason))}}
	}
	return stackResult(r.st), nil
}

func (n nested) Update(ctx context.Context, req *Request) (*Result, error) {
	parent, err := n.parentOf(req)
	if err != nil {
		return nil, err
	}
	url, _ := req.Properties["TemplateURL"].(string)
	params, err := childParameters(req.Properties["Parameters"])
	if err != nil {
		return nil, err
	}
	r, err := n.e.startUpdate(ctx, UpdateInput{StackName: req.PhysicalID, TemplateURL: url, Parameters: params,
		Capabilities: parent.Capabilities, DisableRollback: parent.DisableRollback, nested: true})
	if errors.Is(err, ErrNoUpdates) {
		st, err := n.e.Describe(ctx, req.PhysicalID)
		if err != nil {
			return nil, err
		}
		return stackResult(st), nil
	}
	if err != nil {
		return nil, err
	}
	end, _ := n.e.begin(r.st.ID)
	r.runUpdate(ctx)
	end()
	if r.st.Status != UpdateComplete {
		return nil, &ReasonError{Reason: fmt.Sprintf("Embedded stack %s was not successfully updated. Currently in %s with reason: %s", r.st.ID, r.st.Status, strings.TrimSpace(r.st.StatusReason))}
	}
	return stackResult(r.st), nil
}

func (n nested) Delete(ctx context.Context, req *Request) error {
	r, err := n.e.startDelete(ctx, req.PhysicalID)
	if err != nil || r == nil {
		return err
	}
	end, _ := n.e.begin(r.st.ID)
	r.runDelete(ctx)
	end()
	if r.st.Status != DeleteComplete {
		return &ReasonError{Reason: fmt.Sprintf("Embedded stack %s was not successfully deleted: %s", r.st.ID, strings.TrimSpace(r.st.StatusReason))}
	}
	return nil
}

// stackResult makes a nested stack's physical ID (its ARN, also its Ref)
// and Outputs.X attributes.
func stackResult(st *Stack) *Result {
	attrs := map[string]any{}
	for _, o := range st.Outputs {
		attrs["Outputs."+o.Key] = o.Value
	}
	return &Result{PhysicalID: st.ID, Attributes: attrs}
}

// childParameters turns the Parameters property into the string map a
// child stack takes: numbers and booleans stringified (booleans lower
// case), lists comma-joined (spec §7).
func childParameters(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Reasonf("Properties validation failed: #/Parameters: expected type: JSONObject")
	}
	out := make(map[string]string, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, err := stringValue(m[k])
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", k, err)
		}
		if b, ok := m[k].(bool); ok {
			s = fmt.Sprint(b)
		}
		out[k] = s
	}
	return out, nil
}

var (
	_ Updater = nested{}
	_ Planner = nested{}
)

// registerNested adds the engine's own provider unless the caller did.
func (e *Engine) registerNested() {
	if !slices.Contains(e.cfg.Registry.Types(), StackType) {
		e.cfg.Registry.Register(StackType, nested{e})
	}
}
