package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// UpdateInput is an UpdateStack request.
type UpdateInput struct {
	StackName           string
	TemplateBody        []byte
	TemplateURL         string
	TemplateName        string
	UsePreviousTemplate bool
	// Parameters are new values; keys in UsePrevious keep their value.
	Parameters      map[string]string
	UsePrevious     []string
	Capabilities    []string
	DisableRollback bool
}

// ErrNoUpdates is AWS's answer to an update that changes nothing.
var ErrNoUpdates = awserr.New(awserr.CodeValidationError, "No updates are to be performed.")

// UpdateStack validates the new template and starts the update. It
// returns ErrNoUpdates when neither template nor parameters changed.
func (e *Engine) UpdateStack(ctx context.Context, in UpdateInput) (*Stack, error) {
	r, err := e.startUpdate(ctx, in)
	if err != nil {
		return nil, err
	}
	st := *r.st
	end, ok := e.begin(r.st.ID)
	if !ok {
		return nil, busy(r.st)
	}
	go func() {
		defer end()
		r.runUpdate(e.ctx)
	}()
	return &st, nil
}

func busy(st *Stack) error {
	return awserr.New(awserr.CodeValidationError, "Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
}

func (e *Engine) startUpdate(ctx context.Context, in UpdateInput) (*run, error) {
	cur, err := e.Describe(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	if !canTransition(cur.Status, UpdateInProgress) {
		return nil, busy(cur)
	}
	name, body := cur.TemplateName, []byte(cur.TemplateBody)
	if !in.UsePreviousTemplate {
		if name, body, err = e.templateOf(ctx, in.TemplateName, in.TemplateBody, in.TemplateURL); err != nil {
			return nil, err
		}
	}
	supplied := maps.Clone(in.Parameters)
	if supplied == nil {
		supplied = map[string]string{}
	}
	prev := suppliedFrom(cur.Parameters)
	for _, k := range in.UsePrevious {
		if v, ok := prev[k]; ok {
			supplied[k] = v
		}
	}
	caps := in.Capabilities
	if cur.ParentID != "" && caps == nil {
		caps = cur.Capabilities
	}
	p, err := e.prepare(ctx, name, body, supplied, caps, cur.Name, cur.ID)
	if err != nil {
		return nil, err
	}
	if string(body) == cur.TemplateBody && slices.Equal(p.record, cur.Parameters) {
		return nil, ErrNoUpdates
	}
	st := *cur
	st.Previous = &Snapshot{TemplateBody: cur.TemplateBody, TemplateName: cur.TemplateName, Parameters: cur.Parameters, Outputs: cur.Outputs}
	st.TemplateBody, st.TemplateName, st.Parameters = string(body), name, p.record
	st.Description = p.tmpl.Description
	st.Capabilities, st.DisableRollback = caps, in.DisableRollback
	st.LastUpdatedTime = e.now().UTC()
	r := e.newRun(&st, p.tmpl, p.params)
	r.scope.Conditions = p.conds
	if err := r.load(); err != nil {
		return nil, err
	}
	if err := r.setStatus(UpdateInProgress, "User Initiated"); err != nil {
		return nil, err
	}
	return r, nil
}

// load reads the stack's current resources into the run.
func (r *run) load() error {
	return r.e.db.View(func(tx *store.Tx) error {
		rs, err := loadResources(tx, r.st.ID)
		for i := range rs {
			r.res[rs[i].LogicalID] = &rs[i]
		}
		return err
	})
}

// change is one step an update took, kept to undo it.
type change struct {
	kind string // "create", "update", "replace"
	old  Resource
}

// runUpdate applies the new template resource by resource, then cleans up
// what it replaced or removed; on failure it restores the old state.
func (r *run) runUpdate(ctx context.Context) {
	conds := r.scope.Conditions
	ids, deps := r.dependencyMap(conds)
	journal := map[string]change{}
	var jmu = make(chan struct{}, 1)
	failed, _ := walk(ctx, ids, deps, r.e.par, func(ctx context.Context, id string) error {
		c, err := r.updateResource(ctx, id)
		if c != nil {
			jmu <- struct{}{}
			journal[id] = *c
			<-jmu
		}
		return err
	})
	reason := ""
	if len(failed) == 0 {
		outs, err := r.evalOutputs(conds)
		if err == nil {
			err = r.e.putExports(r.st.ID, outs)
		}
		if err == nil {
			r.st.Outputs = outs
			if err := r.setStatus(UpdateCompleteCleanupInProgress, ""); err != nil {
				r.e.log.Error("stack update", "stack", r.st.Name, "err", err)
				return
			}
			r.cleanup(ctx, ids)
			_ = r.e.dropExports(r.st.ID, outs)
			r.st.Previous = nil
			r.finish(UpdateComplete, "")
			return
		}
		r.fail("Outputs", err)
		reason = reasonOf(err)
	} else {
		reason = fmt.Sprintf("The following resource(s) failed to update: %s. ", failedList(failed))
	}
	if r.st.DisableRollback {
		r.finish(UpdateFailed, reason)
		return
	}
	if err := r.setStatus(UpdateRollbackInProgress, reason); err != nil {
		r.e.log.Error("stack update rollback", "stack", r.st.Name, "err", err)
		return
	}
	ok := r.undo(ctx, journal)
	prev := r.st.Previous
	r.st.TemplateBody, r.st.TemplateName, r.st.Parameters, r.st.Outputs = prev.TemplateBody, prev.TemplateName, prev.Parameters, prev.Outputs
	r.st.Previous = nil
	if !ok {
		r.finish(UpdateRollbackFailed, reason)
		return
	}
	if err := r.setStatus(UpdateRollbackCompleteCleanupInProgress, ""); err != nil {
		r.e.log.Error("stack update rollback", "stack", r.st.Name, "err", err)
		return
	}
	r.finish(UpdateRollbackComplete, "")
}

// updateResource brings one resource to the new template: create, no-op,
// update in place, or replace (spec §5.5).
func (r *run) updateResource(ctx context.Context, id string) (*change, error) {
	r.mu.Lock()
	cur := r.res[id]
	r.mu.Unlock()
	if cur == nil {
		return &change{kind: "create"}, r.createResource(ctx, id)
	}
	old := *cur
	tr := r.templateResource(id)
	p, _ := r.e.cfg.Registry.Lookup(tr.Type)
	props, err := r.evalProperties(tr)
	if err == nil {
		err = checkRequired(id, p.Schema(), props)
	}
	res := *cur
	res.DeletionPolicy, res.UpdateReplacePolicy = tr.DeletionPolicy, tr.UpdateReplacePolicy
	if err != nil {
		r.fail(id, positioned(tr, err))
		_ = r.record(&res, UpdateFailed, reasonOf(err), false)
		return nil, err
	}
	if tr.Type == cur.Type && tr.Type != StackType && sameJSON(props, cur.Properties) {
		r.mu.Lock()
		r.res[id] = &res
		r.mu.Unlock()
		return nil, nil
	}
	res.Properties = props
	up, canUpdate := p.(Updater)
	if tr.Type != cur.Type || !canUpdate || changedAny(p.Schema().CreateOnly, props, cur.Properties) {
		return r.replaceResource(ctx, tr, p, &res, old)
	}
	if err := r.record(&res, UpdateInProgress, "", true); err != nil {
		return nil, err
	}
	req := r.request(&res)
	req.OldProperties = old.Properties
	out, err := up.Update(ctx, req)
	if err != nil {
		r.fail(id, positioned(tr, err))
		_ = r.record(&res, UpdateFailed, reasonOf(err), false)
		return &change{kind: "update", old: old}, err
	}
	res.Attributes = out.Attributes
	if out.PhysicalID != "" {
		res.PhysicalID = out.PhysicalID
	}
	return &change{kind: "update", old: old}, r.record(&res, UpdateComplete, "", true)
}

// replaceResource creates the new copy first; the old one is deleted in
// the cleanup phase (spec §5.3 "Replacement").
func (r *run) replaceResource(ctx context.Context, tr *template.Resource, p Provider, res *Resource, old Resource) (*change, error) {
	res.Type = tr.Type
	if err := r.record(res, UpdateInProgress, "Requested update requires the creation of a new physical resource; hence creating one.", true); err != nil {
		return nil, err
	}
	req := r.request(res)
	req.PhysicalID = ""
	out, err := p.Create(ctx, req)
	if err != nil {
		r.fail(res.LogicalID, positioned(tr, err))
		_ = r.record(res, UpdateFailed, reasonOf(err), false)
		return nil, err
	}
	res.Replaced = old.PhysicalID
	res.PhysicalID, res.Attributes = out.PhysicalID, out.Attributes
	if err := r.record(res, UpdateInProgress, "Resource creation Initiated", true); err != nil {
		return nil, err
	}
	return &change{kind: "replace", old: old}, r.record(res, UpdateComplete, "", true)
}

// cleanup deletes replaced copies and resources the new template dropped.
func (r *run) cleanup(ctx context.Context, kept []string) {
	r.mu.Lock()
	var replaced []*Resource
	var removed []string
	for id, res := range r.res {
		if res.Replaced != "" {
			replaced = append(replaced, res)
		}
		if !slices.Contains(kept, id) {
			removed = append(removed, id)
		}
	}
	r.mu.Unlock()
	for _, res := range replaced {
		old := *res
		old.PhysicalID, old.Replaced = res.Replaced, ""
		if res.UpdateReplacePolicy != "Retain" {
			r.deleteCopy(ctx, &old)
		}
		res.Replaced = ""
		_ = r.e.db.Update(func(tx *store.Tx) error { return putResource(tx, r.st.ID, res) })
	}
	r.deleteRemoved(ctx, removed)
}

// deleteCopy deletes an obsolete physical copy, recording the events
// under the resource's logical ID.
func (r *run) deleteCopy(ctx context.Context, old *Resource) {
	p, ok := r.e.cfg.Registry.Lookup(old.Type)
	if !ok {
		return
	}
	ev := *old
	_ = r.recordEventOnly(&ev, DeleteInProgress, "")
	if err := p.Delete(ctx, r.request(&ev)); err != nil {
		_ = r.recordEventOnly(&ev, DeleteFailed, reasonOf(err))
		return
	}
	_ = r.recordEventOnly(&ev, DeleteComplete, "")
}

// deleteRemoved deletes resources no longer in the template, dependents
// first by the previous template's graph.
func (r *run) deleteRemoved(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	deps := map[string][]string{}
	if r.st.Previous != nil {
		if prev, err := template.Parse(r.st.Previous.TemplateName, []byte(r.st.Previous.TemplateBody)); err == nil {
			for _, tr := range prev.Resources {
				deps[tr.LogicalID] = prev.Dependencies(tr, nil)
			}
		}
	}
	walk(ctx, ids, reverse(deps), r.e.par, r.deleteResource)
}

// undo reverts an update's changes, newest first.
func (r *run) undo(ctx context.Context, journal map[string]change) bool {
	ok := true
	for id, c := range journal {
		r.mu.Lock()
		cur := r.res[id]
		r.mu.Unlock()
		switch c.kind {
		case "create":
			if cur != nil && r.deleteResource(ctx, id) != nil {
				ok = false
			}
		case "update":
			p, _ := r.e.cfg.Registry.Lookup(c.old.Type)
			up, _ := p.(Updater)
			res := c.old
			_ = r.record(&res, UpdateInProgress, "", false)
			req := r.request(&res)
			if cur != nil {
				req.OldProperties = cur.Properties
			}
			if _, err := up.Update(ctx, req); err != nil {
				ok = false
				_ = r.record(&res, UpdateFailed, reasonOf(err), false)
				continue
			}
			_ = r.record(&res, UpdateComplete, "", false)
		case "replace":
			if cur != nil && cur.PhysicalID != c.old.PhysicalID {
				r.deleteCopy(ctx, cur)
			}
			res := c.old
			_ = r.record(&res, UpdateComplete, "", false)
		}
	}
	return ok
}

// recordEventOnly writes an event for a resource without changing its
// record (used for the old copy of a replaced resource).
func (r *run) recordEventOnly(res *Resource, status, reason string) error {
	t := r.e.eventTime(r.st.ID)
	ev := &Event{StackID: r.st.ID, StackName: r.st.Name,
		EventID:           fmt.Sprintf("%s-%s-%s", res.LogicalID, status, t.Format("2006-01-02T15:04:05.000Z")),
		LogicalResourceID: res.LogicalID, PhysicalResourceID: res.PhysicalID, ResourceType: res.Type,
		Timestamp: t, ResourceStatus: status, ResourceStatusReason: reason}
	return r.e.db.Update(func(tx *store.Tx) error { return putEvent(tx, ev) })
}

// sameJSON compares two property trees as JSON, so that a number that went
// through the store (float64) equals the template's json.Number.
func sameJSON(a, b map[string]any) bool {
	return bytes.Equal(canonical(a), canonical(b))
}

func canonical(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var back any
	if json.Unmarshal(raw, &back) != nil {
		return raw
	}
	raw, _ = json.Marshal(back)
	return raw
}

// changedAny reports whether any of keys differs between a and b.
func changedAny(keys []string, a, b map[string]any) bool {
	for _, k := range keys {
		if !bytes.Equal(canonical(a[k]), canonical(b[k])) {
			return true
		}
	}
	return false
}
