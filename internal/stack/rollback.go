package stack

import (
	"context"
	"fmt"
	"slices"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// journalEntry is one change an update made, with the resource's record
// from before it, so that a rollback — even one resumed after a crash —
// can undo it. Entries are undone newest first.
type journalEntry struct {
	Kind string // "update" (in place) or "replace"
	Old  Resource
}

// journal returns the write that records a change, for the transaction
// that commits the change's first event.
func journal(stackID, kind string, old Resource) func(*store.Tx) error {
	return func(tx *store.Tx) error {
		seq, err := tx.NextSequence(bucketJournal)
		if err != nil {
			return err
		}
		return tx.Put(bucketJournal, fmt.Sprintf("%s/%016x", stackID, seq), journalEntry{Kind: kind, Old: old})
	}
}

type keyedEntry struct {
	key string
	journalEntry
}

// loadJournal returns the stack's journal, newest first.
func (r *run) loadJournal() ([]keyedEntry, error) {
	var out []keyedEntry
	err := r.e.db.View(func(tx *store.Tx) error {
		return tx.ForEach(bucketJournal, r.st.ID+"/", func(k string, _ []byte) error {
			var e journalEntry
			if _, err := tx.Get(bucketJournal, k, &e); err != nil {
				return err
			}
			out = append(out, keyedEntry{k, e})
			return nil
		})
	})
	slices.Reverse(out)
	return out, err
}

func dropJournal(tx *store.Tx, stackID string) error {
	var keys []string
	err := tx.ForEach(bucketJournal, stackID+"/", func(k string, _ []byte) error {
		keys = append(keys, k)
		return nil
	})
	for _, k := range keys {
		if err := tx.Delete(bucketJournal, k); err != nil {
			return err
		}
	}
	return err
}

// rollbackUpdate is UPDATE_ROLLBACK_IN_PROGRESS and what follows: the
// journal is undone newest first, the stack gets its previous template,
// parameters and outputs back, and the cleanup phase deletes what the
// update made (spec §5.1).
func (r *run) rollbackUpdate(ctx context.Context) {
	entries, err := r.loadJournal()
	ok := err == nil
	for _, e := range entries {
		if r.stopping() {
			return
		}
		if err := r.undo(ctx, e); err != nil {
			ok = false
		}
	}
	if r.stopping() {
		return
	}
	prev := r.st.Previous
	if prev != nil {
		r.st.TemplateBody, r.st.TemplateName, r.st.Parameters, r.st.Outputs = prev.TemplateBody, prev.TemplateName, prev.Parameters, prev.Outputs
	}
	if !ok {
		r.finish(UpdateRollbackFailed, r.st.StatusReason)
		return
	}
	if err := r.setStatus(UpdateRollbackCompleteCleanupInProgress, ""); err != nil {
		r.e.log.Error("stack update rollback", "stack", r.st.Name, "err", err)
		return
	}
	r.completeRollback(ctx)
}

// completeRollback is the UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS
// phase: resources the failed update created and copies its
// replacements made are deleted.
func (r *run) completeRollback(ctx context.Context) {
	var keep []string
	if r.st.Previous != nil {
		keep = r.st.Previous.Resources
	}
	r.cleanup(ctx, keep, true)
	if r.stopping() {
		return
	}
	r.st.Previous = nil
	_ = r.e.db.Update(func(tx *store.Tx) error { return dropJournal(tx, r.st.ID) })
	r.finish(UpdateRollbackComplete, "")
}

// undo reverts one journaled change and drops its entry.
func (r *run) undo(ctx context.Context, e keyedEntry) error {
	done := func(tx *store.Tx) error { return tx.Delete(bucketJournal, e.key) }
	cur := r.resource(e.Old.LogicalID)
	res := e.Old
	res.Obsolete, res.PlannedID = nil, ""
	replaced := e.Kind == "replace" || (cur != nil && cur.PhysicalID != "" && cur.PhysicalID != e.Old.PhysicalID)
	if replaced {
		// Point the resource back at its old copy; the cleanup phase
		// deletes the new one.
		if cur != nil {
			newID := cur.PhysicalID
			if newID == e.Old.PhysicalID {
				newID = cur.PlannedID
			}
			if newID != "" {
				res.Obsolete = &Copy{Type: cur.Type, PhysicalID: newID, Properties: cur.Properties, Attributes: cur.Attributes}
			}
		}
		return r.recordSteps(&res, done, step{UpdateInProgress, "", true}, step{UpdateComplete, "", true})
	}
	if err := r.record(&res, UpdateInProgress, "", true); err != nil {
		return err
	}
	p, _ := r.e.cfg.Registry.Lookup(res.Type)
	up, ok := p.(Updater)
	if !ok {
		return r.recordSteps(&res, done, step{UpdateComplete, "", true})
	}
	req := r.request(&res)
	if cur != nil {
		req.OldProperties = cur.Properties
	}
	out, err := up.Update(ctx, req)
	if err != nil {
		if r.stopping() {
			return err
		}
		r.fail(res.LogicalID, err)
		_ = r.record(&res, UpdateFailed, reasonOf(err), false)
		return err
	}
	if out != nil && out.Attributes != nil {
		res.Attributes = out.Attributes
	}
	return r.recordSteps(&res, done, step{UpdateComplete, "", true})
}

// cleanup deletes the resources not in keep, dependents first, then the
// obsolete copies replacements left. After a successful update the old
// copies honour UpdateReplacePolicy; after a rollback the copies are the
// update's own and always go, as do the resources it created.
func (r *run) cleanup(ctx context.Context, keep []string, rollback bool) {
	r.mu.Lock()
	var removed []string
	var copies []*Resource
	for id, res := range r.res {
		if !slices.Contains(keep, id) {
			if res.Status != DeleteComplete && res.Status != DeleteSkipped {
				removed = append(removed, id)
			}
			continue
		}
		if res.Obsolete != nil {
			copies = append(copies, res)
		}
	}
	r.mu.Unlock()
	r.deleteSome(ctx, removed, rollback)
	slices.SortFunc(copies, func(a, b *Resource) int { return cmpString(a.LogicalID, b.LogicalID) })
	for _, res := range copies {
		if r.stopping() {
			return
		}
		_ = r.deleteCopy(ctx, res, !rollback && res.UpdateReplacePolicy == "Retain")
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
