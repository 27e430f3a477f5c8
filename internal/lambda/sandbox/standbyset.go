package sandbox

import (
	"errors"
	"log/slog"
	"slices"
	"sync"
)

// standbySet keeps the standby processes of an Isolation: per recipe
// standbysPerRecipe, ready or starting, while a pool that can use them
// exists. A recipe's first pool starts one; an environment that takes one
// over starts the next once its own Init is over, so that the two do not
// compete for the CPU. A function that is never invoked has no pool (the
// Lambda service makes them on first use), so it costs nothing.
type standbySet struct {
	iso *Isolation

	mu    sync.Mutex
	slots map[string]*standbySlot
}

// standbySlot holds the standbys of one recipe.
type standbySlot struct {
	recipe   standbyRecipe
	log      *slog.Logger
	refs     int // pools using it
	failures int // in a row; at maxStandbyFailures the slot gives up
	ready    []*standby
	pending  []*pendingStandby
	stop     chan struct{} // closed when the last pool is gone
	starts   sync.WaitGroup
}

// standbysPerRecipe is how many standbys a recipe keeps, ready or
// starting. One serves cold starts that come at least a standby's start
// apart (30–45 ms for Python, 40–55 for Node.js); closer ones wait for it
// or start afresh.
const standbysPerRecipe = 1

// maxStandbyFailures is how many standbys of a recipe may fail to start
// or to be taken over in a row before environments of that recipe go
// back to starting their runtime afresh.
const maxStandbyFailures = 3

// pendingStandby is a standby being started, which an environment may
// claim before it is ready.
type pendingStandby struct {
	done    chan struct{}
	claimed bool     // guarded by standbySet.mu
	sb      *standby // for the claimant; set before done is closed
}

func newStandbySet(iso *Isolation) *standbySet {
	return &standbySet{iso: iso, slots: map[string]*standbySlot{}}
}

// use registers a pool of recipe r (key k) and starts a standby for it
// if there is none.
func (s *standbySet) use(k string, r standbyRecipe, log *slog.Logger) {
	s.mu.Lock()
	slot := s.slots[k]
	if slot == nil {
		slot = &standbySlot{recipe: r, log: log, stop: make(chan struct{})}
		s.slots[k] = slot
	}
	slot.refs++
	s.refillLocked(slot)
	s.mu.Unlock()
}

// unuse unregisters a pool. The last pool of a recipe takes its standbys
// along: they are killed before unuse returns.
func (s *standbySet) unuse(k string) {
	s.mu.Lock()
	slot := s.slots[k]
	if slot == nil {
		s.mu.Unlock()
		return
	}
	if slot.refs--; slot.refs > 0 {
		s.mu.Unlock()
		return
	}
	delete(s.slots, k)
	close(slot.stop)
	ready := slot.ready
	slot.ready = nil
	s.mu.Unlock()
	for _, sb := range ready {
		sb.discard()
	}
	slot.starts.Wait() // each start, stopped, discards its own
}

// refill starts a standby of key k if there is none, ready or starting.
func (s *standbySet) refill(k string) {
	s.mu.Lock()
	if slot := s.slots[k]; slot != nil {
		s.refillLocked(slot)
	}
	s.mu.Unlock()
}

func (s *standbySet) refillLocked(slot *standbySlot) {
	if slot.failures >= maxStandbyFailures || len(slot.ready)+len(slot.pending) >= standbysPerRecipe {
		return
	}
	ps := &pendingStandby{done: make(chan struct{})}
	slot.pending = append(slot.pending, ps)
	slot.starts.Add(1)
	go s.start(slot, ps)
}

func (s *standbySet) start(slot *standbySlot, ps *pendingStandby) {
	defer slot.starts.Done()
	sb, err := s.iso.startStandby(slot.recipe, slot.stop)
	s.mu.Lock()
	slot.pending = slices.DeleteFunc(slot.pending, func(p *pendingStandby) bool { return p == ps })
	stopped := false
	select {
	case <-slot.stop:
		stopped = true
	default:
	}
	switch {
	case stopped:
	case err != nil:
		s.failedLocked(slot, err)
	case ps.claimed:
		slot.failures = 0
		ps.sb, sb = sb, nil
	default:
		slot.failures = 0
		slot.ready, sb = append(slot.ready, sb), nil
	}
	s.mu.Unlock()
	close(ps.done)
	if sb != nil {
		sb.discard()
	}
}

// take returns a ready standby of key k, or claims one being started and
// waits for it (starting a runtime afresh instead would do the same work
// again); nil if there is none, or it failed.
func (s *standbySet) take(k string) *standby {
	s.mu.Lock()
	slot := s.slots[k]
	if slot == nil {
		s.mu.Unlock()
		return nil
	}
	var dead []*standby
	defer func() {
		for _, sb := range dead {
			sb.discard()
		}
	}()
	for len(slot.ready) > 0 {
		sb := slot.ready[len(slot.ready)-1]
		slot.ready = slot.ready[:len(slot.ready)-1]
		if sb.alive() {
			s.mu.Unlock()
			return sb
		}
		dead = append(dead, sb)
	}
	var ps *pendingStandby
	for _, p := range slot.pending {
		if !p.claimed {
			ps, p.claimed = p, true
			break
		}
	}
	s.mu.Unlock()
	if ps == nil {
		return nil
	}
	<-ps.done
	if ps.sb != nil && ps.sb.alive() {
		return ps.sb
	}
	if ps.sb != nil {
		dead = append(dead, ps.sb)
	}
	return nil
}

// failed notes that a standby of key k could not be taken over.
func (s *standbySet) failed(k string, err error) {
	if errors.Is(err, errEnvTooBig) {
		return
	}
	s.mu.Lock()
	if slot := s.slots[k]; slot != nil {
		s.failedLocked(slot, err)
	}
	s.mu.Unlock()
}

func (s *standbySet) failedLocked(slot *standbySlot, err error) {
	slot.failures++
	if slot.failures == maxStandbyFailures {
		slot.log.Warn("lambda sandbox: standby processes keep failing; cold starts start runtimes afresh from now on", "runtime", slot.recipe.Argv[0], "err", err)
	} else {
		slot.log.Warn("lambda sandbox: standby process failed", "runtime", slot.recipe.Argv[0], "err", err)
	}
}

// readyCount is how many standbys of key k are ready (tests).
func (s *standbySet) readyCount(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slot := s.slots[k]; slot != nil {
		return len(slot.ready)
	}
	return 0
}
