package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// errClosing: the pool is shutting down and will start no runtime.
var errClosing = errors.New("sandbox pool is shutting down")

// environment is one execution environment: a stable identity (id, log
// stream, TMPDIR) and, while initialised, one runtime process with its own
// Runtime API. A reset (timeout, crash) drops the process and keeps the
// rest, as AWS keeps /tmp (shared/specs/lambda.md §2.5). It runs one
// invocation at a time; the pool guarantees that.
type environment struct {
	pool   *Pool
	id     string
	stream string
	tmpDir string
	logs   *logStream

	mu      sync.Mutex
	inst    *instance
	closing bool

	lastUsed time.Time // guarded by pool.mu
}

// instance is one runtime process and what lives exactly as long as it.
type instance struct {
	api  *runtimeAPI
	proc *process
	out  *outputReader
}

func (e *environment) current() *instance {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inst
}

type initOutcome int

const (
	initReady initOutcome = iota
	initFailed
	initExited
	initTimedOut
	initCancelled
)

// awaitInit waits for the runtime's first /next (§2.1).
func awaitInit(ctx context.Context, inst *instance, limit time.Duration) initOutcome {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-inst.api.nextCh:
		return initReady
	case <-inst.api.initErrCh:
		return initFailed
	case <-inst.proc.exited:
		// /init/error is acknowledged before the runtime exits, so a posted
		// init error is visible here.
		select {
		case <-inst.api.initErrCh:
			return initFailed
		default:
			return initExited
		}
	case <-t.C:
		return initTimedOut
	case <-ctx.Done():
		return initCancelled
	}
}

// invoke runs one invocation on e, initialising it first if needed.
func (e *environment) invoke(ctx context.Context, req Request) (*Response, error) {
	p := e.pool
	f := p.cfg.Function
	timeout := f.timeout()
	resp := &Response{MemoryMB: f.memoryMB()}
	if req.WantLogTail {
		e.logs.startTail()
	}
	invStart := time.Now()
	var deadline time.Time
	// The watchdog of fallback mode looks only at working environments.
	defer func() {
		if i := e.current(); i != nil {
			i.proc.setArmed(false)
		}
	}()

	inst := e.current()
	if inst != nil {
		inst.proc.setArmed(true)
		select {
		case <-inst.proc.exited:
			// The runtime died while idle (AWS freezes idle environments; we
			// do not, so a background thread can end it). Initialise afresh
			// rather than fail an invocation that never reached it.
			e.reset(inst, 0)
			inst = nil
		default:
			if inst.proc.runtimeExited() { // dead, its exit not yet reported
				e.reset(inst, 0)
				inst = nil
			}
		}
	}
	if inst == nil {
		resp.Cold = true
		e.logs.platform(p.initStartLine())
		var outcome initOutcome
		var err error
		inst, err = e.launch()
		if err == nil {
			outcome = awaitInit(ctx, inst, p.initLimit)
			if outcome == initTimedOut {
				// Init gets 10 s; past that it is retried inside the invocation,
				// bounded by the function's timeout ("suppressed init", §2.1).
				e.reset(inst, 0)
				e.logs.platform(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: timeout", ms(time.Since(invStart))))
				deadline = time.Now().Add(timeout)
				inst, err = e.launch()
				if err == nil {
					outcome = awaitInit(ctx, inst, time.Until(deadline))
				}
			}
		}
		resp.InitDuration = time.Since(invStart)
		p.refillStandby()
		switch {
		case errors.Is(err, errClosing):
			return nil, err
		case err != nil:
			var le *launchError
			if !errors.As(err, &le) {
				return nil, fmt.Errorf("start %s environment: %w", f.Runtime, err)
			}
			return e.initFailure(req, resp, invStart, entrypointPayload(req.RequestID, le.reason), ErrorTypeInvalidEntrypoint), nil
		case outcome == initReady:
			// Init's output belongs before START.
			inst.out.sync()
		case outcome == initCancelled:
			e.reset(inst, 0)
			e.finishLog(req, resp, invStart, "error", "Sandbox.Canceled", "")
			return nil, ctx.Err()
		case outcome == initTimedOut:
			e.reset(inst, 0)
			resp.Payload, resp.ContentType, resp.FunctionError = timeoutPayload(req.RequestID, timeout), "application/json", FunctionErrorUnhandled
			e.finishLog(req, resp, invStart, "timeout", "", e.timeoutLine(req.RequestID, timeout))
			return resp, nil
		case outcome == initFailed:
			body := inst.api.initError()
			e.reset(inst, 0)
			return e.initFailure(req, resp, invStart, body.payload, body.errorType), nil
		default: // initExited
			reason, errorType := inst.proc.exitReason(), ErrorTypeExit
			if inst.proc.oomKilled() {
				errorType, resp.MaxMemoryMB = ErrorTypeOutOfMemory, e.peakMemoryMB(inst)
			}
			e.reset(inst, 0)
			return e.initFailure(req, resp, invStart, exitPayload(req.RequestID, reason), errorType), nil
		}
	}

	if deadline.IsZero() {
		deadline = time.Now().Add(timeout)
	}
	ictx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	inv := &invocation{
		id:            req.RequestID,
		payload:       req.Payload,
		deadline:      deadline,
		invokedARN:    req.InvokedARN,
		traceID:       req.TraceID,
		clientContext: req.ClientContext,
		result:        make(chan result, 1),
	}
	if len(inv.payload) == 0 {
		inv.payload = []byte("{}")
	}
	if inv.invokedARN == "" {
		inv.invokedARN = f.ARN
	}
	e.startLog(req)
	eventStart := time.Now()
	inst.api.dispatch(ictx, inv, inst.proc.exited)

	var res result
	got, exited := false, false
	select {
	case res = <-inv.result:
		got = true
	case <-inst.proc.exited:
		select {
		case res = <-inv.result:
			got = true
		default:
			exited = true
		}
	case <-ictx.Done():
	}

	ended := false // the runtime asked for its next event
	if got {
		resp.Payload, resp.ContentType = res.payload, res.contentType
		if res.errorType != "" {
			resp.FunctionError = FunctionErrorUnhandled
		}
		// The invocation lasts until the runtime's next /next (§2.3).
		select {
		case <-inst.api.nextCh:
			ended = true
		case <-inst.proc.exited:
		case <-ictx.Done():
		}
	}
	resp.Duration = min(time.Since(eventStart), timeout)
	resp.MaxMemoryMB = e.peakMemoryMB(inst)

	cancelled := ctx.Err() != nil && !ended
	timedOut := !ended && !cancelled && ictx.Err() != nil
	switch {
	case ended:
		inst.out.sync()
	case cancelled:
		e.reset(inst, 0)
		e.finishLog(req, resp, invStart, "error", "Sandbox.Canceled", "")
		return nil, ctx.Err()
	case timedOut:
		e.reset(inst, 0)
		if !got {
			resp.Payload, resp.ContentType, resp.FunctionError = timeoutPayload(req.RequestID, timeout), "application/json", FunctionErrorUnhandled
		}
		resp.Duration = timeout
		e.finishLog(req, resp, invStart, "timeout", "", e.timeoutLine(req.RequestID, timeout))
		return resp, nil
	default: // the process exited
		// Killed for its memory, the runtime exits like any killed one,
		// and the caller sees just that; the log names the cause (§7.2).
		reason, errorType := inst.proc.exitReason(), ErrorTypeExit
		if inst.proc.oomKilled() {
			errorType = ErrorTypeOutOfMemory
		}
		e.reset(inst, 0)
		if !got || exited {
			resp.Payload, resp.ContentType, resp.FunctionError = exitPayload(req.RequestID, reason), "application/json", FunctionErrorUnhandled
			e.logs.platform(fmt.Sprintf("RequestId: %s Error: %s", req.RequestID, reason))
			e.logs.platform(errorType)
			e.finishLog(req, resp, invStart, "error", errorType, "")
			return resp, nil
		}
	}
	e.finishLog(req, resp, invStart, "", "", "")
	return resp, nil
}

// initFailure answers an invocation whose Init failed with payload.
func (e *environment) initFailure(req Request, resp *Response, invStart time.Time, payload []byte, errorType string) *Response {
	e.logs.platform(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: error\tError Type: %s", ms(resp.InitDuration), errorType))
	e.startLog(req)
	resp.Payload, resp.ContentType, resp.FunctionError = payload, "application/json", FunctionErrorUnhandled
	resp.Duration = 0
	e.finishLog(req, resp, invStart, "error", errorType, "")
	return resp
}

// startLog writes START, after a note of output dropped since the last
// invocation, and opens this invocation's output budget.
func (e *environment) startLog(req Request) {
	e.logs.noteDropped()
	e.logs.newPeriod()
	e.logs.platform(fmt.Sprintf("START RequestId: %s Version: %s", req.RequestID, e.pool.cfg.Function.version()))
}

// peakMemoryMB is Max Memory Used: never above Memory Size, which a
// sampled or cgroup-wide peak can pass (§7.2: "≈ Memory Size" on OOM).
func (e *environment) peakMemoryMB(inst *instance) int {
	return min(int((inst.proc.peakMemoryKB()+1023)/1024), e.pool.cfg.Function.memoryMB())
}

func (e *environment) timeoutLine(requestID string, timeout time.Duration) string {
	return fmt.Sprintf("%s %s Task timed out after %.2f seconds",
		e.pool.now().UTC().Format("2006-01-02T15:04:05.000Z"), requestID, timeout.Seconds())
}

// finishLog writes END and REPORT (§6.1), flushes the stream and fills in
// the billing fields and the tail.
func (e *environment) finishLog(req Request, resp *Response, invStart time.Time, status, errorType, beforeEnd string) {
	e.logs.noteDropped()
	if beforeEnd != "" {
		e.logs.platform(beforeEnd)
	}
	billed := resp.Duration
	if resp.Cold {
		// INIT is billed since 2025-08-01 (§6.2).
		billed += resp.InitDuration
	}
	resp.BilledMs = int64(math.Ceil(float64(billed) / float64(time.Millisecond)))
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %s\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		req.RequestID, ms(resp.Duration), resp.BilledMs, resp.MemoryMB, resp.MaxMemoryMB)
	if resp.Cold {
		report += "Init Duration: " + ms(resp.InitDuration) + "\t"
	}
	switch status {
	case "timeout":
		report += "Status: timeout\t"
	case "error":
		report += "Status: error\tError Type: " + errorType + "\t"
	}
	e.logs.platform("END RequestId: " + req.RequestID)
	e.logs.platform(report)
	if req.WantLogTail {
		resp.LogTail = e.logs.endTail()
	}
	e.logs.flush()
}

// ms formats a duration as AWS's REPORT does: milliseconds, two decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
