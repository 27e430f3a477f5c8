package sandbox

import (
	"context"
	"time"
)

// Adopted counts the environments of p whose runtime was a standby.
func (p *Pool) Adopted() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.adopted
}

// WaitStandby waits until a standby for p's environments is ready; false
// if they cannot use one, or ctx ends first.
func (p *Pool) WaitStandby(ctx context.Context) bool {
	if p.standbyKey == "" {
		return false
	}
	for p.iso.standbys.readyCount(p.standbyKey) == 0 {
		p.refillStandby()
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Millisecond):
		}
	}
	return true
}

// StandbyPIDs lists the processes (as cloudlet sees them) of the ready
// standbys for p's environments: the runtime, and its helper when isolated.
func (p *Pool) StandbyPIDs() []int {
	if p.standbyKey == "" {
		return nil
	}
	s := p.iso.standbys
	s.mu.Lock()
	defer s.mu.Unlock()
	var pids []int
	if slot := s.slots[p.standbyKey]; slot != nil {
		for _, sb := range slot.ready {
			pids = append(pids, sb.proc.runtimePID)
			if sb.proc.pid != sb.proc.runtimePID {
				pids = append(pids, sb.proc.pid)
			}
		}
	}
	return pids
}
