package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

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
	// Tags and NotificationARNs replace the stack's when non-nil.
	Tags             map[string]string
	NotificationARNs []string

	// viaChangeSet is set when a change set is executed (no
	// CAPABILITY_AUTO_EXPAND needed, spec §5.7).
	viaChangeSet bool
	// nested is set when a parent stack updates its child.
	nested bool
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
	return e.goUpdate(r)
}

// goUpdate runs a started update in the background.
func (e *Engine) goUpdate(r *run) (*Stack, error) {
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

// planUpdate validates an update and returns the stack as it would be,
// with the prepared template; nothing is written.
func (e *Engine) planUpdate(ctx context.Context, in UpdateInput) (*Stack, *prepared, error) {
	cur, err := e.Describe(ctx, in.StackName)
	if err != nil {
		return nil, nil, err
	}
	if !canTransition(cur.Status, UpdateInProgress) {
		return nil, nil, busy(cur)
	}
	name, body := cur.TemplateName, []byte(cur.TemplateBody)
	if !in.UsePreviousTemplate {
		if name, body, err = e.templateOf(ctx, in.TemplateName, in.TemplateBody, in.TemplateURL); err != nil {
			return nil, nil, err
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
	p, err := e.prepare(ctx, prepareInput{name: name, body: body, supplied: supplied, caps: caps,
		stackName: cur.Name, stackID: cur.ID, direct: !in.viaChangeSet && !in.nested})
	if err != nil {
		return nil, nil, err
	}
	st := *cur
	st.TemplateBody, st.TemplateName, st.Parameters = string(body), name, p.record
	st.Description = p.tmpl.Description
	st.Capabilities, st.DisableRollback = caps, in.DisableRollback
	if in.Tags != nil {
		st.Tags = in.Tags
	}
	if in.NotificationARNs != nil {
		st.NotificationARNs = in.NotificationARNs
	}
	if string(body) == cur.TemplateBody && slices.Equal(p.record, cur.Parameters) &&
		maps.Equal(st.Tags, cur.Tags) && slices.Equal(st.NotificationARNs, cur.NotificationARNs) {
		return cur, p, ErrNoUpdates
	}
	return &st, p, nil
}

func (e *Engine) startUpdate(ctx context.Context, in UpdateInput) (*run, error) {
	st, p, err := e.planUpdate(ctx, in)
	if err != nil {
		return nil, err
	}
	return e.beginUpdate(st, p)
}

// beginUpdate commits the stack as UPDATE_IN_PROGRESS, with the snapshot
// a rollback restores.
func (e *Engine) beginUpdate(st *Stack, p *prepared) (*run, error) {
	cur, err := e.Describe(context.Background(), st.ID)
	if err != nil {
		return nil, err
	}
	r := e.newRun(st, p.tmpl, p.params)
	r.scope.Conditions = p.conds
	if err := r.load(); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(r.res))
	for id := range r.res {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	st.Previous = &Snapshot{TemplateBody: cur.TemplateBody, TemplateName: cur.TemplateName,
		Parameters: cur.Parameters, Outputs: cur.Outputs, Resources: ids}
	st.LastUpdatedTime = e.now().UTC()
	if err := r.setStatusWith(UpdateInProgress, "User Initiated", func(tx *store.Tx) error {
		return dropJournal(tx, st.ID)
	}); err != nil {
		return nil, err
	}
	return r, nil
}

// runUpdate applies the new template resource by resource, then cleans up
// what it replaced or removed; on failure it restores the old state.
func (r *run) runUpdate(ctx context.Context) {
	conds := r.scope.Conditions
	ids, deps := r.dependencyMap(conds)
	failed, _ := walk(ctx, ids, deps, r.e.par, stopOnFailure, r.updateResource)
	if r.stopping() {
		return
	}
	reason := ""
	if len(failed) == 0 {
		outs, err := r.evalOutputs(conds)
		if err == nil {
			if user, uerr := r.e.exportUser(r.st.ID, outs); uerr != nil {
				err = uerr
			} else if user != "" {
				err = Reasonf("%s", user)
			}
		}
		if err == nil {
			err = r.e.putExports(r.st.ID, outs)
		}
		if err == nil {
			err = r.putImports()
		}
		if err == nil {
			r.st.Outputs = outs
			if r.st.Previous != nil {
				r.st.Previous.Current = ids
			}
			if err := r.setStatus(UpdateCompleteCleanupInProgress, ""); err != nil {
				r.e.log.Error("stack update", "stack", r.st.Name, "err", err)
				return
			}
			r.completeUpdate(r.e.ctx)
			return
		}
		r.fail("Outputs", err)
		reason = reasonOf(err)
	} else {
		reason = fmt.Sprintf("The following resource(s) failed to update: %s. ", failedList(failed))
	}
	if r.st.DisableRollback {
		r.st.Previous = nil
		_ = r.e.db.Update(func(tx *store.Tx) error { return dropJournal(tx, r.st.ID) })
		r.finish(UpdateFailed, reason)
		return
	}
	if err := r.setStatus(UpdateRollbackInProgress, reason); err != nil {
		r.e.log.Error("stack update rollback", "stack", r.st.Name, "err", err)
		return
	}
	r.rollbackUpdate(r.e.ctx)
}

// completeUpdate is the UPDATE_COMPLETE_CLEANUP_IN_PROGRESS phase.
func (r *run) completeUpdate(ctx context.Context) {
	ids := r.liveIDs()
	if r.st.Previous != nil && r.st.Previous.Current != nil {
		ids = r.st.Previous.Current
	}
	r.cleanup(ctx, ids, false)
	if r.stopping() {
		return
	}
	_ = r.e.dropExports(r.st.ID, r.st.Outputs)
	r.st.Previous = nil
	_ = r.e.db.Update(func(tx *store.Tx) error { return dropJournal(tx, r.st.ID) })
	r.finish(UpdateComplete, "")
}

// updateResource brings one resource to the new template: create, no-op,
// update in place, or replace (spec §5.5). Each change is journaled,
// with the resource's old record, in the transaction that starts it.
func (r *run) updateResource(ctx context.Context, id string) error {
	cur := r.resource(id)
	if cur == nil || (cur.PhysicalID == "" && cur.PlannedID == "") {
		return r.createResource(ctx, id)
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
		return err
	}
	meta := r.evalMetadata(tr)
	if tr.Type == cur.Type && tr.Type != StackType && sameJSON(props, cur.Properties) {
		res.Metadata = meta
		if meta != cur.Metadata {
			// Only the metadata changed: AWS records an update that
			// calls no handler.
			return r.recordSteps(&res, nil, step{UpdateInProgress, "", true}, step{UpdateComplete, "", true})
		}
		r.mu.Lock()
		r.res[id] = &res
		r.mu.Unlock()
		return r.e.db.Update(func(tx *store.Tx) error { return putResource(tx, r.st.ID, &res) })
	}
	res.Properties, res.Metadata = props, meta
	up, canUpdate := p.(Updater)
	if tr.Type != cur.Type || !canUpdate || changedAny(p.Schema().CreateOnly, props, cur.Properties) {
		return r.replaceResource(ctx, tr, p, &res, old)
	}
	if err := r.recordSteps(&res, journal(r.st.ID, "update", old), step{UpdateInProgress, "", true}); err != nil {
		return err
	}
	req := r.request(&res)
	req.OldProperties = old.Properties
	out, err := up.Update(ctx, req)
	if err != nil {
		if r.stopping() {
			return err
		}
		reason := reasonOf(err)
		if cancelled(ctx) {
			reason = "Resource update cancelled"
		} else {
			r.fail(id, positioned(tr, err))
		}
		_ = r.record(&res, UpdateFailed, reason, false)
		return err
	}
	res.Attributes = out.Attributes
	if out.PhysicalID != "" && out.PhysicalID != old.PhysicalID {
		// A handler that answers an update with a new physical ID (a
		// custom resource) replaced the resource: the old copy goes in
		// the cleanup phase.
		res.PhysicalID = out.PhysicalID
		res.Obsolete = &Copy{Type: old.Type, PhysicalID: old.PhysicalID, Properties: old.Properties, Attributes: old.Attributes}
	}
	return r.record(&res, UpdateComplete, "", true)
}

// replaceResource creates the new copy first; the old one is deleted in
// the cleanup phase (spec §5.3 "Replacement").
func (r *run) replaceResource(ctx context.Context, tr *template.Resource, p Provider, res *Resource, old Resource) error {
	res.Type = tr.Type
	req := r.request(res)
	req.PhysicalID, req.Attributes = "", nil
	req.suffix = randomSuffix(12, alnum)
	if pl, ok := p.(Planner); ok {
		planned, err := pl.PlannedID(req)
		if err != nil {
			r.fail(res.LogicalID, positioned(tr, err))
			_ = r.record(res, UpdateFailed, reasonOf(err), false)
			return err
		}
		res.PlannedID = planned
	}
	if err := r.recordSteps(res, journal(r.st.ID, "replace", old),
		step{UpdateInProgress, "Requested update requires the creation of a new physical resource; hence creating one.", true}); err != nil {
		return err
	}
	out, err := p.Create(ctx, req)
	if err != nil {
		if r.stopping() {
			return err
		}
		res.PlannedID = ""
		reason := reasonOf(err)
		if cancelled(ctx) {
			reason = "Resource update cancelled"
		} else {
			r.fail(res.LogicalID, positioned(tr, err))
		}
		_ = r.record(res, UpdateFailed, reason, false)
		return err
	}
	res.Obsolete = &Copy{Type: old.Type, PhysicalID: old.PhysicalID, Properties: old.Properties, Attributes: old.Attributes}
	res.PhysicalID, res.Attributes, res.PlannedID = out.PhysicalID, out.Attributes, ""
	return r.recordSteps(res, nil,
		step{UpdateInProgress, "Resource creation Initiated", true},
		step{UpdateComplete, "", true})
}

// liveIDs are the logical IDs the run holds records for.
func (r *run) liveIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.res))
	for id := range r.res {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
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
