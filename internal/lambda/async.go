package lambda

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// asyncQueue tracks Event invocations in flight. Each event has one
// goroutine that runs its attempts and sleeps between them on a timer;
// Shutdown wakes the sleepers (their events are dropped, and logged) and
// gives the attempts running a bounded time to finish.
type asyncQueue struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
	// waits ends at Shutdown: no event sleeps for a retry past it.
	waits     context.Context
	stopWaits context.CancelFunc
	// runs ends when Shutdown's grace ends: attempts still running are
	// cancelled (their environments reset).
	runs     context.Context
	stopRuns context.CancelFunc
}

func (q *asyncQueue) init() {
	q.waits, q.stopWaits = context.WithCancel(context.Background())
	q.runs, q.stopRuns = context.WithCancel(context.Background())
}

// add counts one more event in flight, unless the queue is closed.
func (q *asyncQueue) add() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.wg.Add(1)
	return true
}

// shutdownGrace bounds the wait for attempts cancelled at shutdown.
const cancelGrace = 5 * time.Second

func (q *asyncQueue) shutdown(ctx context.Context, log *slog.Logger) error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.stopWaits()
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("wait for Event invocations: %w", context.Cause(ctx))
	}
	q.stopRuns()
	select {
	case <-done:
	case <-time.After(cancelGrace):
		log.Warn("Event invocations still running after shutdown")
	}
	return err
}

// asyncEvent is one Event invocation on its way through its attempts.
type asyncEvent struct {
	name, qualifier string
	payload         []byte
	reqID           string
	queued          time.Time
}

// enqueue accepts an Event invocation; it runs in the background with
// AWS's retry policy (spec lambda §9).
func (s *Service) enqueue(fn *function, qualifier string, payload []byte, reqID string) {
	ev := &asyncEvent{name: fn.Config.FunctionName, qualifier: qualifier, payload: bytes.Clone(payload), reqID: reqID, queued: s.now()}
	if !s.async.add() {
		s.log.Warn("Event invocation dropped: the service is shutting down", "function", ev.name, "requestId", reqID)
		return
	}
	go s.deliver(ev)
}

// deliver runs an event's attempts. A function error (or timeout, or
// crash) is retried MaximumRetryAttempts times (2 by default) after
// RetryDelays; a throttle is retried with a delay that doubles from
// ThrottleDelay up to 5 minutes, until the event is older than
// MaximumEventAgeInSeconds. Every attempt carries the same request ID. A
// function with reserved concurrency 0 gets no attempt at all: the event
// goes straight to the failure destination.
func (s *Service) deliver(ev *asyncEvent) {
	defer s.async.wg.Done()
	wait := s.cfg.ThrottleDelay
	attempts := 0
	var last *InvokeOutput
	for {
		fn, err := s.load(ev.name)
		if err != nil {
			s.log.Warn("Event invocation dropped", "function", ev.name, "requestId", ev.reqID, "err", err)
			return
		}
		retries, maxAge, dc := eventSettings(fn, ev.qualifier)
		if s.now().Sub(ev.queued) > maxAge {
			s.finish(fn, ev, "EventAgeExceeded", attempts, last, dc)
			return
		}
		t, err := s.target(fn, ev.qualifier)
		if err != nil {
			s.log.Warn("Event invocation dropped", "function", ev.name, "requestId", ev.reqID, "err", err)
			return
		}
		out, err := s.run(s.async.runs, fn, t, ev.qualifier, runInput{payload: ev.payload, reqID: ev.reqID, kind: Event})
		var delay time.Duration
		switch e, isAWS := awserr.As(err); {
		case s.async.runs.Err() != nil:
			s.log.Warn("Event invocation dropped: the service shut down during it", "function", ev.name, "requestId", ev.reqID)
			return
		case isAWS && e.HTTPStatus() == http.StatusTooManyRequests:
			if fn.Reserved != nil && *fn.Reserved == 0 {
				s.finish(fn, ev, "ZeroReservedConcurrency", 0, nil, dc)
				return
			}
			delay, wait = wait, min(2*wait, maxThrottleDelay)
		case err != nil:
			// The platform could not run it (no interpreter, say): an
			// attempt that failed, with no response to show.
			s.log.Warn("Event invocation attempt failed", "function", ev.name, "requestId", ev.reqID, "err", err)
			attempts++
			last = nil
		default:
			attempts++
			last = out
			if out.FunctionError == "" {
				s.finish(fn, ev, "Success", attempts, out, dc)
				return
			}
		}
		if delay == 0 {
			if attempts > retries {
				s.finish(fn, ev, "RetriesExhausted", attempts, last, dc)
				return
			}
			delay = s.retryDelay(attempts - 1)
		}
		// Look ahead, as AWS does: an event that would be too old by its
		// next attempt expires now.
		if s.now().Add(delay).Sub(ev.queued) > maxAge {
			s.finish(fn, ev, "EventAgeExceeded", attempts, last, dc)
			return
		}
		if !s.sleep(delay) {
			s.log.Warn("Event invocation dropped: the service shut down before its retry", "function", ev.name, "requestId", ev.reqID)
			return
		}
	}
}

func (s *Service) retryDelay(i int) time.Duration {
	d := s.cfg.RetryDelays
	if len(d) == 0 {
		return 0
	}
	return d[min(i, len(d)-1)]
}

// sleep waits d unless the service shuts down first.
func (s *Service) sleep(d time.Duration) bool {
	if d <= 0 {
		return s.async.waits.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.async.waits.Done():
		return false
	}
}
