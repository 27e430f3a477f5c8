package stack

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// run is one operation on one stack: the parsed template, the evaluation
// scope and the live resource records.
type run struct {
	e     *Engine
	st    *Stack
	tmpl  *template.Template
	scope *template.Scope
	// secrets are the values of NoEcho parameters, masked wherever an
	// event would show them (spec §3.3).
	secrets []string
	// onEnd, when set, is told the operation's final status (change
	// sets track their execution with it).
	onEnd func(status string)

	mu      sync.Mutex
	res     map[string]*Resource // by logical ID
	errs    []resourceError      // failures, in the order they happened
	imports map[string]bool      // export names Fn::ImportValue resolved
}

type resourceError struct {
	logicalID string
	err       error
}

func (e *Engine) newRun(st *Stack, tmpl *template.Template, params map[string]template.Value) *run {
	r := &run{e: e, st: st, tmpl: tmpl, res: map[string]*Resource{}}
	r.scope = &template.Scope{
		Region: st.Region, AccountID: st.AccountID, Partition: partitionOf(st.Region),
		URLSuffix: urlSuffixOf(st.Region), StackName: st.Name, StackID: st.ID,
		NotificationARNs: st.NotificationARNs,
		Params:           params,
		Resources:        r,
	}
	r.scope.ImportValue = func(name string) (string, error) {
		v, err := e.importValue(name)
		if err == nil {
			r.noteImport(name)
		}
		return v, err
	}
	for _, p := range st.Parameters {
		if p.NoEcho && p.Value != "" {
			r.secrets = append(r.secrets, p.Value)
			if p.ResolvedValue != "" {
				r.secrets = append(r.secrets, p.ResolvedValue)
			}
		}
	}
	return r
}

// stopping reports whether the engine is shutting down: the operation
// then stops where it is, leaving its statuses *_IN_PROGRESS for Recover,
// rather than recording failures that did not happen.
func (r *run) stopping() bool { return r.e.ctx.Err() != nil }

// Ref implements template.Resolver over the run's live resources.
func (r *run) Ref(logicalID string) (any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res[logicalID]
	if res == nil || res.PhysicalID == "" {
		return nil, Reasonf("Template error: resource %s is not available to Ref", logicalID)
	}
	return res.PhysicalID, nil
}

// GetAtt implements template.Resolver.
func (r *run) GetAtt(logicalID, attr string) (any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res[logicalID]
	if res == nil || res.PhysicalID == "" {
		return nil, Reasonf("Template error: instance of Fn::GetAtt references undefined resource %s", logicalID)
	}
	if v, ok := res.Attributes[attr]; ok {
		return v, nil
	}
	if res.Type == StackType && strings.HasPrefix(attr, "Outputs.") {
		return nil, Reasonf("Template error: Output %s does not exist in nested stack %s", strings.TrimPrefix(attr, "Outputs."), res.PhysicalID)
	}
	return nil, Reasonf("Template error: resource %s does not support attribute type %s in Fn::GetAtt", logicalID, attr)
}

func (r *run) fail(logicalID string, err error) {
	r.mu.Lock()
	r.errs = append(r.errs, resourceError{logicalID, err})
	r.mu.Unlock()
}

// firstError is the first failure, for the caller's terminal (it keeps
// the file and line a template error carries).
func (r *run) firstError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w", r.errs[0].logicalID, r.errs[0].err)
}

// resource returns the live record of a logical ID (nil when none).
func (r *run) resource(id string) *Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.res[id]
}

// setStatus moves the stack to status, committing the stack record and
// its stack-level event together. An illegal transition is a bug in the
// engine and is reported, not performed.
func (r *run) setStatus(status, reason string) error {
	return r.setStatusWith(status, reason, nil)
}

// setStatusWith is setStatus with a check or write (pre) in the same
// transaction; when pre fails, nothing is written and the status stays.
func (r *run) setStatusWith(status, reason string, pre func(*store.Tx) error) error {
	if !canTransition(r.st.Status, status) {
		return fmt.Errorf("stack %s: illegal transition %s → %s", r.st.Name, r.st.Status, status)
	}
	prevStatus, prevReason := r.st.Status, r.st.StatusReason
	r.st.Status = status
	r.st.StatusReason = reason
	st := *r.st
	err := r.e.commits.commit(func(next func() time.Time) func(*store.Tx) error {
		ev := &Event{StackID: st.ID, StackName: st.Name, EventID: newUUID(),
			LogicalResourceID: st.Name, PhysicalResourceID: st.ID, ResourceType: StackType,
			Timestamp: next(), ResourceStatus: status, ResourceStatusReason: r.mask(reason)}
		return func(tx *store.Tx) error {
			if pre != nil {
				if err := pre(tx); err != nil {
					return err
				}
			}
			// Termination protection is switched outside operations.
			if cur, ok, _ := store.Get[Stack](tx, bucketStacks, st.ID); ok {
				st.TerminationProtect = cur.TerminationProtect
			}
			if err := tx.Put(bucketStacks, st.ID, &st); err != nil {
				return err
			}
			return putEvent(tx, ev)
		}
	})
	if err != nil {
		r.st.Status, r.st.StatusReason = prevStatus, prevReason
	}
	return err
}

// step is one status a resource goes through; several steps recorded
// together share one transaction.
type step struct {
	status, reason string
	withProps      bool
}

// record commits a resource's new status and its event together.
func (r *run) record(res *Resource, status, reason string, withProps bool) error {
	return r.recordSteps(res, nil, step{status, reason, withProps})
}

// recordSteps commits one event per step and the resource's record in
// its last status, with extra (journal) writes in the same transaction.
func (r *run) recordSteps(res *Resource, extra func(*store.Tx) error, steps ...step) error {
	return r.e.commits.commit(func(next func() time.Time) func(*store.Tx) error {
		r.mu.Lock()
		evs := make([]*Event, len(steps))
		for i, s := range steps {
			res.Status, res.StatusReason, res.Timestamp = s.status, s.reason, next()
			evs[i] = r.event(res, s.withProps)
		}
		r.res[res.LogicalID] = res
		cp := *res
		r.mu.Unlock()
		gone := cp.Status == DeleteComplete || cp.Status == DeleteSkipped
		return func(tx *store.Tx) error {
			if gone {
				if err := tx.Delete(bucketResources, r.st.ID+"/"+cp.LogicalID); err != nil {
					return err
				}
			} else if err := putResource(tx, r.st.ID, &cp); err != nil {
				return err
			}
			for _, ev := range evs {
				if err := putEvent(tx, ev); err != nil {
					return err
				}
			}
			if extra != nil {
				return extra(tx)
			}
			return nil
		}
	})
}

// event makes the event of a resource's current status.
func (r *run) event(res *Resource, withProps bool) *Event {
	ev := &Event{StackID: r.st.ID, StackName: r.st.Name,
		EventID:           fmt.Sprintf("%s-%s-%s", res.LogicalID, res.Status, res.Timestamp.Format("2006-01-02T15:04:05.000Z")),
		LogicalResourceID: res.LogicalID, PhysicalResourceID: res.PhysicalID, ResourceType: res.Type,
		Timestamp: res.Timestamp, ResourceStatus: res.Status, ResourceStatusReason: r.mask(res.StatusReason)}
	if withProps {
		ev.ResourceProperties = r.mask(propertiesJSON(res.Properties))
	}
	return ev
}

// recordCopy writes an event about another physical copy of a resource
// (the old copy of a replaced one) without changing its record.
func (r *run) recordCopy(res *Resource, c *Copy, status, reason string) error {
	return r.e.commits.commit(func(next func() time.Time) func(*store.Tx) error {
		t := next()
		ev := &Event{StackID: r.st.ID, StackName: r.st.Name,
			EventID:           fmt.Sprintf("%s-%s-%s", res.LogicalID, status, t.Format("2006-01-02T15:04:05.000Z")),
			LogicalResourceID: res.LogicalID, PhysicalResourceID: c.PhysicalID, ResourceType: c.Type,
			Timestamp: t, ResourceStatus: status, ResourceStatusReason: r.mask(reason)}
		return func(tx *store.Tx) error { return putEvent(tx, ev) }
	})
}

// mask hides NoEcho parameter values in text an event shows.
func (r *run) mask(s string) string {
	for _, v := range r.secrets {
		if v != "" && strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, template.Masked)
		}
	}
	return s
}

// dependencyMap returns each included resource's dependencies.
func (r *run) dependencyMap(conds map[string]bool) (ids []string, deps map[string][]string) {
	deps = map[string][]string{}
	for _, res := range r.tmpl.Resources {
		if res.Condition != "" && !conds[res.Condition] {
			continue
		}
		ids = append(ids, res.LogicalID)
		deps[res.LogicalID] = r.tmpl.Dependencies(res, conds)
	}
	return ids, deps
}

func (r *run) templateResource(id string) *template.Resource {
	for _, res := range r.tmpl.Resources {
		if res.LogicalID == id {
			return res
		}
	}
	return nil
}

// evalProperties evaluates a resource's Properties now, against the live
// values of the resources it depends on.
func (r *run) evalProperties(tr *template.Resource) (map[string]any, error) {
	if tr.Properties == nil {
		return nil, nil
	}
	v, err := template.Eval(tr.Properties, r.scope)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Reasonf("Template format error: [/Resources/%s/Properties] must be an object", tr.LogicalID)
	}
	return m, nil
}

// checkRequired reports a missing required property as AWS does at
// resource creation (spec cloudformation §6.1).
func checkRequired(logicalID string, schema Schema, props map[string]any) error {
	var missing []string
	for _, k := range schema.Required {
		if _, ok := props[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return Reasonf("Properties validation failed for resource %s with message: #: required key [%s] not found", logicalID, strings.Join(missing, ", "))
}

// evalOutputs evaluates the template's Outputs after the resources.
func (r *run) evalOutputs(conds map[string]bool) ([]Output, error) {
	var out []Output
	for _, o := range r.tmpl.Outputs {
		if o.Condition != "" && !conds[o.Condition] {
			continue
		}
		v, err := template.Eval(o.Value, r.scope)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		s, err := stringValue(v)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		oo := Output{Key: o.Name, Value: s, Description: o.Description}
		if o.ExportName != nil {
			ev, err := template.Eval(o.ExportName, r.scope)
			if err != nil {
				return nil, fmt.Errorf("output %s export name: %w", o.Name, err)
			}
			if oo.ExportName, err = stringValue(ev); err != nil {
				return nil, fmt.Errorf("output %s export name: %w", o.Name, err)
			}
		}
		out = append(out, oo)
	}
	return out, nil
}

// stringValue renders an evaluated value as an output string: lists are
// comma-joined, as AWS shows list outputs.
func stringValue(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", Reasonf("'null' values are not allowed in templates")
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			s, err := stringValue(it)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	case []string:
		return strings.Join(x, ","), nil
	default:
		return fmt.Sprint(x), nil
	}
}

// failedList formats "[A, B]" for AWS's reasons.
func failedList(ids []string) string {
	sort.Strings(ids)
	return "[" + strings.Join(ids, ", ") + "]"
}

// finish commits the operation's final status and remembers its first
// failure for Wait's caller.
func (r *run) finish(status, reason string) {
	if err := r.setStatus(status, reason); err != nil {
		r.e.log.Error("stack status", "stack", r.st.Name, "status", status, "err", err)
	}
	r.e.mu.Lock()
	if err := r.firstError(); err != nil {
		r.e.detail[r.st.ID] = err
	} else {
		delete(r.e.detail, r.st.ID)
	}
	r.e.mu.Unlock()
	if r.onEnd != nil {
		r.onEnd(status)
	}
}

// request builds a provider call for res.
func (r *run) request(res *Resource) *Request {
	return &Request{
		Stack:      StackInfo{Name: r.st.Name, ID: r.st.ID, Region: r.st.Region, AccountID: r.st.AccountID, Partition: partitionOf(r.st.Region)},
		LogicalID:  res.LogicalID,
		Type:       res.Type,
		Properties: res.Properties,
		PhysicalID: res.PhysicalID,
		Attributes: res.Attributes,
	}
}
