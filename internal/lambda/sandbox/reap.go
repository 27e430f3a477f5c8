package sandbox

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Reap shuts down environments idle for IdleTimeout or longer by the
// pool's clock, and returns how many. The pool calls it periodically;
// tests call it after moving a fake clock.
func (p *Pool) Reap() int {
	p.mu.Lock()
	cutoff := p.now().Add(-p.cfg.IdleTimeout)
	var victims []*environment
	keep := p.idle[:0]
	for _, e := range p.idle {
		if !e.lastUsed.After(cutoff) {
			victims = append(victims, e)
			delete(p.all, e)
		} else {
			keep = append(keep, e)
		}
	}
	clear(p.idle[len(keep):])
	p.idle = keep
	p.reaped += int64(len(victims))
	p.mu.Unlock()
	for _, e := range victims {
		p.destroy(e, shutdownGrace)
	}
	return len(victims)
}

func (p *Pool) reaper() {
	defer close(p.reaperDone)
	every := min(p.cfg.IdleTimeout/2, time.Minute)
	t := time.NewTicker(max(every, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.Reap()
		case <-p.stopReaper:
			return
		}
	}
}

// destroy stops e's process (SIGTERM, grace, SIGKILL) and removes its
// scratch directory. e must not be running an invocation.
func (p *Pool) destroy(e *environment, grace time.Duration) {
	e.mu.Lock()
	e.closing = true
	inst := e.inst
	e.mu.Unlock()
	if inst != nil {
		e.reset(inst, grace)
	}
	e.logs.flush()
	if err := os.RemoveAll(e.tmpDir); err != nil {
		p.log.Warn("remove environment scratch dir", "dir", e.tmpDir, "err", err)
	}
}

// Shutdown stops every environment: SIGTERM to each process group, a grace
// period (at most 2 s, less if ctx ends sooner), then SIGKILL. Invocations
// in flight end with their runtime's exit. It is idempotent; later calls
// return nil at once.
func (p *Pool) Shutdown(ctx context.Context) error {
	var err error
	p.shutdown.Do(func() { err = p.doShutdown(ctx) })
	return err
}

func (p *Pool) doShutdown(ctx context.Context) error {
	close(p.stopReaper)
	<-p.reaperDone
	p.mu.Lock()
	p.closed = true
	envs := make([]*environment, 0, len(p.all))
	for e := range p.all {
		envs = append(envs, e)
	}
	p.idle = nil
	p.mu.Unlock()

	grace := shutdownGrace
	if dl, ok := ctx.Deadline(); ok {
		grace = max(min(grace, time.Until(dl)), 0)
	}
	// Signal everyone first, so graces run concurrently, not one after another.
	var live []*instance
	for _, e := range envs {
		e.mu.Lock()
		e.closing = true
		if e.inst != nil {
			live = append(live, e.inst)
			e.inst.proc.signal(sigTERM)
		}
		e.mu.Unlock()
	}
	graceCtx, cancelGrace := context.WithTimeout(context.Background(), grace)
	for _, inst := range live {
		select {
		case <-inst.proc.exited:
		case <-graceCtx.Done():
		}
	}
	cancelGrace()
	for _, inst := range live {
		inst.proc.signal(sigKILL)
	}
	done := make(chan struct{})
	go func() { p.inflight.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("shut down sandbox pool for %s: %w", p.cfg.Function.Name, context.Cause(ctx))
	}
	for _, e := range envs {
		p.destroy(e, 0)
	}
	if p.standbyKey != "" {
		p.iso.standbys.unuse(p.standbyKey)
	}
	if p.ownScratch {
		os.RemoveAll(p.cfg.ScratchDir)
	}
	if p.iso.cg != nil {
		p.iso.cg.removeBase()
	}
	return err
}
