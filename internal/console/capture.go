package console

import (
	"context"
	"sync"
)

// CapturedInvocation is one function invocation made while serving a
// "try it" request: the event API Gateway built, and Lambda's answer.
type CapturedInvocation struct {
	FunctionARN string
	// Event is the payload the function received, byte for byte.
	Event []byte
	// Response is the function's raw result payload; FunctionError is ""
	// or "Unhandled".
	Response      []byte
	FunctionError string
	// RequestID is Lambda's request ID (empty when the invoke was refused).
	RequestID string
	// Err is why the invoke was refused or failed before the function ran.
	Err string
}

// Capture collects the invocations of one request. It is safe for
// concurrent use.
type Capture struct {
	mu    sync.Mutex
	calls []CapturedInvocation
}

type captureKey struct{}

// WithCapture returns a context whose invocations are recorded into the
// returned Capture by the API Gateway invoker.
func WithCapture(ctx context.Context) (context.Context, *Capture) {
	c := &Capture{}
	return context.WithValue(ctx, captureKey{}, c), c
}

// CaptureFrom returns the Capture set by WithCapture, or nil. The invoker
// calls it once per invocation; without a Capture that is the whole cost.
func CaptureFrom(ctx context.Context) *Capture {
	c, _ := ctx.Value(captureKey{}).(*Capture)
	return c
}

// Record adds an invocation. The caller must not modify the slices after.
func (c *Capture) Record(inv CapturedInvocation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, inv)
}

// Calls returns the recorded invocations in order.
func (c *Capture) Calls() []CapturedInvocation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]CapturedInvocation(nil), c.calls...)
}
