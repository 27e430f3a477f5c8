package stack

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
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

	mu   sync.Mutex
	res  map[string]*Resource // by logical ID
	errs []resourceError      // failures, in the order they happened
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
		ImportValue:      e.importValue,
	}
	return r
}

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

// setStatus moves the stack to status, committing the stack record and
// its stack-level event together. An illegal transition is a bug in the
// engine and is reported, not performed.
func (r *run) setStatus(status, reason string) error {
	if !canTransition(r.st.Status, status) {
		return fmt.Errorf("stack %s: illegal transition %s → %s", r.st.Name, r.st.Status, status)
	}
	r.st.Status = status
	r.st.StatusReason = reason
	ev := &Event{StackID: r.st.ID, StackName: r.st.Name, EventID: newUUID(),
		LogicalResourceID: r.st.Name, PhysicalResourceID: r.st.ID, ResourceType: StackType,
		Timestamp: r.e.eventTime(r.st.ID), ResourceStatus: status, ResourceStatusReason: reason}
	if r.st.ParentLogicalID != "" {
		ev.LogicalResourceID = r.st.Name
	}
	return r.e.db.Update(func(tx *store.Tx) error {
		if err := tx.Put(bucketStacks, r.st.ID, r.st); err != nil {
			return err
		}
		return putEvent(tx, ev)
	})
}

// record commits a resource's new status and its event together.
func (r *run) record(res *Resource, status, reason string, withProps bool) error {
	r.mu.Lock()
	res.Status = status
	res.StatusReason = reason
	res.Timestamp = r.e.eventTime(r.st.ID)
	r.res[res.LogicalID] = res
	ev := &Event{StackID: r.st.ID, StackName: r.st.Name,
		EventID:           fmt.Sprintf("%s-%s-%s", res.LogicalID, status, res.Timestamp.Format("2006-01-02T15:04:05.000Z")),
		LogicalResourceID: res.LogicalID, PhysicalResourceID: res.PhysicalID, ResourceType: res.Type,
		Timestamp: res.Timestamp, ResourceStatus: status, ResourceStatusReason: reason}
	if withProps {
		ev.ResourceProperties = propertiesJSON(res.Properties)
	}
	cp := *res
	r.mu.Unlock()
	return r.e.db.Update(func(tx *store.Tx) error {
		if status == DeleteComplete || status == DeleteSkipped {
			if err := tx.Delete(bucketResources, r.st.ID+"/"+cp.LogicalID); err != nil {
				return err
			}
		} else if err := putResource(tx, r.st.ID, &cp); err != nil {
			return err
		}
		return putEvent(tx, ev)
	})
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

// importValue resolves Fn::ImportValue from the exports of other stacks.
func (e *Engine) importValue(name string) (string, error) {
	var ex exportRecord
	var ok bool
	err := e.db.View(func(tx *store.Tx) error {
		var err error
		ok, err = tx.Get(bucketExports, name, &ex)
		return err
	})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", awserr.New(awserr.CodeValidationError, "No export named %s found", name)
	}
	return ex.Value, nil
}

type exportRecord struct {
	Name, Value, StackID string
}
