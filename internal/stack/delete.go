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
	if user, err := e.exportUser(st.ID); err != nil {
		return nil, err
	} else if user != "" {
		return nil, awserr.New(awserr.CodeValidationError, "%s", user)
	}
	tmpl, err := template.Parse(st.TemplateName, []byte(st.TemplateBody))
	if err != nil {
		// The template was valid when deployed; keep going without a graph.
		tmpl = &template.Template{Name: st.TemplateName}
	}
	r := e.newRun(st, tmpl, nil)
	if err := r.load(); err != nil {
		return nil, err
	}
	if err := r.setStatus(DeleteInProgress, "User Initiated"); err != nil {
		return nil, err
	}
	return r, nil
}

// runDelete deletes every resource, dependents first.
func (r *run) runDelete(ctx context.Context) {
	ids := make([]string, 0, len(r.res))
	for id := range r.res {
		ids = append(ids, id)
	}
	deps := map[string][]string{}
	for _, tr := range r.tmpl.Resources {
		deps[tr.LogicalID] = r.tmpl.Dependencies(tr, nil)
	}
	failed, _ := walk(ctx, ids, reverse(deps), r.e.par, r.deleteResource)
	if len(failed) > 0 {
		// The trailing space is AWS's (spec §5.1).
		r.finish(DeleteFailed, fmt.Sprintf("The following resource(s) failed to delete: %s. ", failedList(failed)))
		return
	}
	_ = r.e.dropExports(r.st.ID, nil)
	r.st.DeletionTime = r.e.now().UTC()
	r.finish(DeleteComplete, "")
	_ = r.e.db.Update(func(tx *store.Tx) error {
		var id string
		if ok, _ := tx.Get(bucketNames, r.st.Name, &id); ok && id == r.st.ID {
			return tx.Delete(bucketNames, r.st.Name)
		}
		return nil
	})
}

// exportUser names, in AWS's words, a stack importing one of this stack's
// exports; "" when none does.
func (e *Engine) exportUser(stackID string) (string, error) {
	var msg string
	err := e.db.View(func(tx *store.Tx) error {
		var exports []string
		err := tx.ForEach(bucketExports, "", func(k string, _ []byte) error {
			var ex exportRecord
			if ok, _ := tx.Get(bucketExports, k, &ex); ok && ex.StackID == stackID {
				exports = append(exports, k)
			}
			return nil
		})
		if err != nil || len(exports) == 0 {
			return err
		}
		stacks, err := store.List[Stack](tx, bucketStacks, "")
		for _, s := range stacks {
			if s.ID == stackID || s.Status == DeleteComplete {
				continue
			}
			for _, name := range exports {
				if importsName(s.TemplateBody, s.TemplateName, name) {
					msg = fmt.Sprintf("Export %s cannot be deleted as it is in use by %s", name, s.Name)
					return nil
				}
			}
		}
		return err
	})
	return msg, err
}

// importsName reports whether a template imports the export name with a
// literal Fn::ImportValue (the form AWS tracks as an import).
func importsName(body, name, export string) bool {
	t, err := template.Parse(name, []byte(body))
	if err != nil {
		return false
	}
	for _, r := range t.Resources {
		if imports(r.Properties, export) {
			return true
		}
	}
	for _, o := range t.Outputs {
		if imports(o.Value, export) {
			return true
		}
	}
	return false
}

func imports(n *template.Node, export string) bool {
	if n == nil {
		return false
	}
	if fn, arg, ok := n.Intrinsic(); ok && fn == "Fn::ImportValue" {
		if s, ok := arg.Text(); ok && s == export {
			return true
		}
	}
	for _, p := range n.Pairs {
		if imports(p.Value, export) {
			return true
		}
	}
	for _, it := range n.Items {
		if imports(it, export) {
			return true
		}
	}
	return false
}
