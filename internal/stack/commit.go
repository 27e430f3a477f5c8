package stack

import (
	"errors"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// committer writes the engine's state transitions. Every bbolt commit
// fsyncs, so writes queued while another commit is running are coalesced
// into the next transaction (group commit): a stack of 200 independent
// resources pays for far fewer fsyncs than it makes transitions, and a
// lone write never waits for company.
//
// It also hands out event timestamps: a timestamp is taken and its write
// queued under one lock, so that the store's event keys (sequence
// numbers) and timestamps increase together — SAM CLI reads events newest
// first and stops at the first one not newer than its marker (spec
// cloudformation §5.3). One clock serves every stack, so that a nested
// stack's events and its parent's interleave in the order they happened.
type committer struct {
	db  *store.DB
	now func() time.Time

	mu    sync.Mutex
	queue []*pendingWrite
	busy  bool
	last  time.Time // newest event timestamp
}

type pendingWrite struct {
	fn   func(*store.Tx) error
	done chan error
}

func newCommitter(db *store.DB, now func() time.Time) *committer {
	return &committer{db: db, now: now}
}

// commit calls build with a clock that returns strictly increasing
// millisecond timestamps (one per event it writes), queues the
// transaction build returns, and waits until it is durable. build runs
// under the committer's lock: it must not block or commit itself.
func (c *committer) commit(build func(next func() time.Time) func(*store.Tx) error) error {
	w := &pendingWrite{done: make(chan error, 1)}
	c.mu.Lock()
	w.fn = build(c.nextTime)
	c.queue = append(c.queue, w)
	if c.busy {
		c.mu.Unlock()
		return <-w.done
	}
	c.busy = true
	for len(c.queue) > 0 {
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		c.run(batch)
		c.mu.Lock()
	}
	c.busy = false
	c.mu.Unlock()
	return <-w.done
}

// nextTime must be called with c.mu held.
func (c *committer) nextTime() time.Time {
	t := c.now().UTC().Truncate(time.Millisecond)
	if !t.After(c.last) {
		t = c.last.Add(time.Millisecond)
	}
	c.last = t
	return t
}

// errPartFailed marks a batch that one write failed; the batch is then
// retried write by write so that only the failing write reports it.
var errPartFailed = errors.New("stack: a write of the batch failed")

func (c *committer) run(batch []*pendingWrite) {
	if len(batch) > 1 {
		err := c.db.Update(func(tx *store.Tx) error {
			for _, w := range batch {
				if err := w.fn(tx); err != nil {
					return errPartFailed
				}
			}
			return nil
		})
		if err == nil {
			for _, w := range batch {
				w.done <- nil
			}
			return
		}
	}
	for _, w := range batch {
		w.done <- c.db.Update(w.fn)
	}
}
