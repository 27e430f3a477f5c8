package stack

import (
	"context"
	"fmt"
	"slices"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Recover finishes the operations a previous process left *_IN_PROGRESS
// (it was killed, or shut down mid-operation): a create is rolled back
// (or marked CREATE_FAILED when rollback was disabled), an update is
// rolled back from its journal, cleanups and deletes are completed.
// Nested stacks are recovered before their parents, so that a parent's
// rollback finds its children settled. Resources whose Create was cut
// short are deleted by their planned physical IDs, so nothing is
// orphaned.
//
// Call it once at start, after the services are up and the listener
// serves (custom resources answer through it); it returns when every
// stack is settled. Stacks being recovered are busy to other calls, and
// Wait waits for them.
func (e *Engine) Recover(ctx context.Context) error {
	e.mu.Lock()
	ends := e.leftovers
	e.leftovers = nil
	e.mu.Unlock()
	var todo []*Stack
	err := e.db.View(func(tx *store.Tx) error {
		all, err := store.List[Stack](tx, bucketStacks, "")
		for i := range all {
			if ends[all[i].ID] != nil {
				todo = append(todo, &all[i])
			}
		}
		return err
	})
	if err != nil {
		for _, end := range ends {
			end()
		}
		return fmt.Errorf("recover stacks: %w", err)
	}
	depth := func(st *Stack) int {
		d := 0
		for id := st.ParentID; id != "" && d < 64; d++ {
			i := slices.IndexFunc(todo, func(s *Stack) bool { return s.ID == id })
			if i < 0 {
				p, err := e.Describe(ctx, id)
				if err != nil {
					break
				}
				id = p.ParentID
				continue
			}
			id = todo[i].ParentID
		}
		return d
	}
	slices.SortStableFunc(todo, func(a, b *Stack) int { return depth(b) - depth(a) })
	var errs []error
	for _, st := range todo {
		end := ends[st.ID]
		if end == nil {
			continue
		}
		if ctx.Err() == nil && e.ctx.Err() == nil {
			if err := e.recoverStack(st); err != nil {
				errs = append(errs, err)
			}
		}
		end()
	}
	if len(errs) > 0 {
		return fmt.Errorf("recover stacks: %w", errs[0])
	}
	return nil
}

// inProgress reports whether a stack status is one an operation passes
// through (REVIEW_IN_PROGRESS waits for a user, not for cloudlet).
func inProgress(status string) bool {
	switch status {
	case CreateInProgress, RollbackInProgress, DeleteInProgress, UpdateInProgress,
		UpdateCompleteCleanupInProgress, UpdateRollbackInProgress, UpdateRollbackCompleteCleanupInProgress:
		return true
	}
	return false
}

// interrupted is the reason recorded on resources a restart cut short.
const interrupted = "cloudlet stopped while this operation was in progress"

func (e *Engine) recoverStack(st *Stack) error {
	r, err := e.loadRun(st)
	if err != nil {
		return fmt.Errorf("stack %s: %w", st.Name, err)
	}
	e.log.Info("recovering stack", "stack", st.Name, "status", st.Status)
	ctx := e.ctx
	switch st.Status {
	case CreateInProgress:
		failed := r.markInterrupted(CreateInProgress, CreateFailed, "Resource creation cancelled: "+interrupted)
		reason := fmt.Sprintf("The following resource(s) failed to create: %s. ", failedList(failed))
		if len(failed) == 0 {
			reason = "Stack creation was interrupted: " + interrupted + ". "
		}
		if st.DisableRollback {
			r.finish(CreateFailed, reason[:len(reason)-1])
			return nil
		}
		r.rollbackCreate(ctx, reason+"Rollback requested by user.")
	case RollbackInProgress:
		r.rollbackCreate(ctx, st.StatusReason)
	case DeleteInProgress:
		r.runDelete(ctx)
	case UpdateInProgress:
		failed := r.markInterrupted(UpdateInProgress, UpdateFailed, "Resource update cancelled: "+interrupted)
		failed = append(failed, r.markInterrupted(CreateInProgress, CreateFailed, "Resource creation cancelled: "+interrupted)...)
		reason := fmt.Sprintf("The following resource(s) failed to update: %s. ", failedList(failed))
		if len(failed) == 0 {
			reason = "Stack update was interrupted: " + interrupted + ". "
		}
		if st.DisableRollback {
			r.st.Previous = nil
			_ = e.db.Update(func(tx *store.Tx) error { return dropJournal(tx, st.ID) })
			r.finish(UpdateFailed, reason)
			return nil
		}
		if err := r.setStatus(UpdateRollbackInProgress, reason); err != nil {
			return err
		}
		r.rollbackUpdate(ctx)
	case UpdateRollbackInProgress:
		r.rollbackUpdate(ctx)
	case UpdateCompleteCleanupInProgress:
		r.completeUpdate(ctx)
	case UpdateRollbackCompleteCleanupInProgress:
		r.completeRollback(ctx)
	}
	return nil
}

// markInterrupted records every resource left in status from as failed,
// and returns their logical IDs.
func (r *run) markInterrupted(from, to, reason string) []string {
	var ids []string
	for _, id := range r.liveIDs() {
		res := r.resource(id)
		if res.Status == from {
			ids = append(ids, id)
			cp := *res
			_ = r.record(&cp, to, reason, false)
		}
	}
	return ids
}

// claimLeftovers finds the stacks a previous process left in progress and
// takes their operation slots until Recover settles them.
func (e *Engine) claimLeftovers() error {
	var ids []string
	err := e.db.View(func(tx *store.Tx) error {
		all, err := store.List[Stack](tx, bucketStacks, "")
		for _, st := range all {
			if inProgress(st.Status) {
				ids = append(ids, st.ID)
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("find stacks left in progress: %w", err)
	}
	e.leftovers = map[string]func(){}
	for _, id := range ids {
		if end, ok := e.begin(id); ok {
			e.leftovers[id] = end
		}
	}
	return nil
}
