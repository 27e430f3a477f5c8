package stack

import (
	"context"
	"fmt"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// DeleteStack starts deleting a stack. Deleting a stack that does not
// exist succeeds silently, as on AWS (spec §5.1).
func (e *Engine) DeleteStack(ctx context.Context, nameOrID string) error {
	r, err := e.startDelete(ctx, nameOrID)
	if err != nil || r == nil {
		return err
	}
	end, ok := e.begin(r.st.ID)
	if !ok {
		return busy(r.st)
	}
	go func() {
		defer end()
		r.runDelete(e.ctx)
	}()
	return nil
}

func (e *Engine) startDelete(ctx context.Context, nameOrID string) (*run, error) {
	var st *Stack
	err := e.db.View(func(tx *store.Tx) error {
		var err error
		st, err = lookup(tx, nameOrID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if st == nil || st.Status == DeleteComplete {
		return nil, nil
	}
	if st.TerminationProtect {
		return nil, awserr.New(awserr.CodeValidationError,
			"Stack [%s] cannot be deleted while TerminationProtection is enabled", st.Name)
	}
	if !canTransition(st.Status, DeleteInProgress) {
		return nil, awserr.New(awserr.CodeValidationError, "Stack [%s] cannot be deleted while in status %s", st.Name, st.Status)
	}
	if user, err := e.exportUser(st.ID, nil); err != nil {
		return nil, err
	} else if user != "" {
		return nil, awserr.New(awserr.CodeValidationError, "%s", user)
	}
	r, err := e.loadRun(st)
	if err != nil {
		return nil, err
	}
	if err := r.setStatus(DeleteInProgress, "User Initiated"); err != nil {
		return nil, err
	}
	return r, nil
}

// loadRun rebuilds a run over a stored stack and its resources, for the
// operations that need no parameter values: delete, rollback, recovery.
func (e *Engine) loadRun(st *Stack) (*run, error) {
	tmpl, err := template.Parse(st.TemplateName, []byte(st.TemplateBody))
	if err != nil {
		// The template was valid when deployed; keep going without a graph.
		tmpl = &template.Template{Name: st.TemplateName}
	}
	r := e.newRun(st, tmpl, nil)
	if err := r.load(); err != nil {
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

// runDelete deletes every resource, dependents first.
func (r *run) runDelete(ctx context.Context) {
	if !r.deleteAll(ctx, false) {
		if r.stopping() {
			return
		}
		r.mu.Lock()
		var failed []string
		for id, res := range r.res {
			if res.Status == DeleteFailed {
				failed = append(failed, id)
			}
		}
		r.mu.Unlock()
		// The trailing space is AWS's (spec §5.1).
		r.finish(DeleteFailed, fmt.Sprintf("The following resource(s) failed to delete: %s. ", failedList(failed)))
		return
	}
	if r.stopping() {
		return
	}
	_ = r.e.dropExports(r.st.ID, nil)
	r.st.DeletionTime = r.e.now().UTC()
	r.finish(DeleteComplete, "")
	_ = r.e.db.Update(func(tx *store.Tx) error {
		if err := dropChangeSets(tx, r.st.ID); err != nil {
			return err
		}
		var id string
		if ok, _ := tx.Get(bucketNames, r.st.Name, &id); ok && id == r.st.ID {
			return tx.Delete(bucketNames, r.st.Name)
		}
		return nil
	})
}

// graph is the dependency map of every resource the stack's templates
// (current and, during an update, previous) name.
func (r *run) graph() map[string][]string {
	deps := map[string][]string{}
	add := func(t *template.Template) {
		for _, tr := range t.Resources {
			deps[tr.LogicalID] = append(deps[tr.LogicalID], t.Dependencies(tr, nil)...)
		}
	}
	add(r.tmpl)
	if prev := r.st.Previous; prev != nil {
		if t, err := template.Parse(prev.TemplateName, []byte(prev.TemplateBody)); err == nil {
			add(t)
		}
	}
	return deps
}

// deleteAll deletes every resource the run holds, dependents first. It
// reports whether all deletions succeeded. made says the resources were
// made by the operation being undone (RetainExceptOnCreate deletes them).
func (r *run) deleteAll(ctx context.Context, made bool) bool {
	r.mu.Lock()
	var ids []string
	for id, res := range r.res {
		if res.Status != DeleteComplete && res.Status != DeleteSkipped {
			ids = append(ids, id)
		}
	}
	r.mu.Unlock()
	return r.deleteSome(ctx, ids, made)
}

// deleteSome deletes the resources ids in reverse dependency order.
func (r *run) deleteSome(ctx context.Context, ids []string, made bool) bool {
	if len(ids) == 0 {
		return true
	}
	failed, skipped := walk(ctx, ids, reverse(r.graph()), r.e.par, keepGoing, func(ctx context.Context, id string) error {
		return r.deleteResource(ctx, id, made)
	})
	return len(failed) == 0 && len(skipped) == 0
}

// retained reports whether a resource's DeletionPolicy keeps it (spec
// §1.8): Retain always, RetainExceptOnCreate unless the operation being
// undone made it.
func retained(res *Resource, made bool) bool {
	switch res.DeletionPolicy {
	case "Retain":
		return true
	case "RetainExceptOnCreate":
		return !made
	}
	return false
}

// deleteResource deletes one resource. A resource whose Create was cut
// short by a crash is deleted by its planned physical ID.
func (r *run) deleteResource(ctx context.Context, id string, made bool) error {
	res := r.resource(id)
	if res == nil {
		return nil
	}
	phys := res.PhysicalID
	if phys == "" {
		phys = res.PlannedID
	}
	if phys != "" && retained(res, made) {
		return r.record(res, DeleteSkipped, "", false)
	}
	if phys == "" {
		// Never made (it failed or never started): nothing to delete.
		return r.record(res, DeleteComplete, "", false)
	}
	if err := r.record(res, DeleteInProgress, "", false); err != nil {
		return err
	}
	p, ok := r.e.cfg.Registry.Lookup(res.Type)
	if !ok {
		err := fmt.Errorf("no provider for %s", res.Type)
		_ = r.record(res, DeleteFailed, err.Error(), false)
		return err
	}
	req := r.request(res)
	req.PhysicalID = phys
	if err := p.Delete(ctx, req); err != nil {
		if r.stopping() {
			return err
		}
		r.fail(id, err)
		_ = r.record(res, DeleteFailed, reasonOf(err), false)
		return err
	}
	return r.record(res, DeleteComplete, "", false)
}

// deleteCopy deletes an obsolete physical copy of a resource, recording
// the events under the resource's logical ID, and clears it from the
// record.
func (r *run) deleteCopy(ctx context.Context, res *Resource, retain bool) error {
	c := res.Obsolete
	clear := func() error {
		r.mu.Lock()
		res.Obsolete = nil
		cp := *res
		r.mu.Unlock()
		return r.e.db.Update(func(tx *store.Tx) error { return putResource(tx, r.st.ID, &cp) })
	}
	if c.PhysicalID == "" {
		return clear()
	}
	if retain {
		if err := r.recordCopy(res, c, DeleteSkipped, ""); err != nil {
			return err
		}
		return clear()
	}
	p, ok := r.e.cfg.Registry.Lookup(c.Type)
	if !ok {
		return clear()
	}
	if err := r.recordCopy(res, c, DeleteInProgress, ""); err != nil {
		return err
	}
	req := r.request(res)
	req.Type, req.PhysicalID, req.Properties, req.Attributes = c.Type, c.PhysicalID, c.Properties, c.Attributes
	if err := p.Delete(ctx, req); err != nil {
		if r.stopping() {
			return err
		}
		_ = r.recordCopy(res, c, DeleteFailed, reasonOf(err))
		return err
	}
	if err := r.recordCopy(res, c, DeleteComplete, ""); err != nil {
		return err
	}
	return clear()
}
