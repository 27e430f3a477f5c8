package stack

import (
	"context"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// UpdateTerminationProtection switches a stack's termination protection
// on or off; a protected stack refuses DeleteStack. It returns the stack.
func (e *Engine) UpdateTerminationProtection(ctx context.Context, nameOrID string, enable bool) (*Stack, error) {
	var st *Stack
	err := e.db.Update(func(tx *store.Tx) error {
		var err error
		if st, err = lookup(tx, nameOrID); err != nil || st == nil {
			return err
		}
		if st.Status == DeleteComplete {
			st = nil
			return nil
		}
		st.TerminationProtect = enable
		return tx.Put(bucketStacks, st.ID, st)
	})
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, notFound(nameOrID)
	}
	return st, nil
}
