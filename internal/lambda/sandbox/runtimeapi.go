package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MaxResponseBytes is the largest result a runtime may post: 6 MiB + 100
// bytes (shared/specs/lambda.md §1.3).
const MaxResponseBytes = 6291556

// invocation is one event on its way to a runtime and back.
type invocation struct {
	id            string
	payload       []byte
	deadline      time.Time
	invokedARN    string
	traceID       string
	clientContext []byte
	// result receives exactly one outcome: /response, /error, or a response
	// too large. Buffered, so the handler never waits for the platform.
	result chan result
}

// result is what a runtime answered for an invocation.
type result struct {
	payload     []byte
	contentType string
	// errorType is set for function errors ("" for a normal response); it is
	// what REPORT names, while the payload goes to the caller unchanged.
	errorType string
}

// runtimeAPI serves the Runtime API (§1) to one runtime process on its own
// loopback port. It lives exactly as long as that process: a reset builds
// a new one, so a killed process's late requests can never reach its
// successor.
type runtimeAPI struct {
	ln  net.Listener
	srv *http.Server

	mu        sync.Mutex
	m         machine
	current   *invocation
	currentID string
	initErr   *result

	// nextCh gets a token each time the runtime parks on /next: the end of
	// Init the first time, the end of an invocation afterwards (§2.3).
	nextCh chan struct{}
	// initErrCh is closed when the runtime posts /init/error.
	initErrCh chan struct{}
	// assign hands an invocation to the parked /next.
	assign    chan *invocation
	closed    chan struct{}
	closeOnce sync.Once
}

// listenRuntimeAPI binds 127.0.0.1:0 and serves; Listen comes before the
// process starts so its address can go into AWS_LAMBDA_RUNTIME_API.
func listenRuntimeAPI() (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &runtimeAPI{
		ln:        ln,
		nextCh:    make(chan struct{}, 1),
		initErrCh: make(chan struct{}),
		assign:    make(chan *invocation),
		closed:    make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", a.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", a.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", a.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", a.handleInitError)
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

func (a *runtimeAPI) addr() string { return a.ln.Addr().String() }

// close stops the server and releases every handler still waiting.
func (a *runtimeAPI) close() {
	a.closeOnce.Do(func() {
		close(a.closed)
		_ = a.srv.Close()
	})
}

// dispatch moves the runtime from Ready to Running and hands it inv. It
// returns false if the runtime is not parked on /next (it never will be:
// the caller then watches for exit or the deadline).
func (a *runtimeAPI) dispatch(ctx context.Context, inv *invocation, exited <-chan struct{}) bool {
	a.mu.Lock()
	err := a.m.to(StateRunning)
	if err == nil {
		a.current, a.currentID = inv, inv.id
	}
	a.mu.Unlock()
	if err != nil {
		return false
	}
	select {
	case a.assign <- inv:
		return true
	case <-exited:
	case <-ctx.Done():
	case <-a.closed:
	}
	return false
}

func (a *runtimeAPI) initError() *result {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.initErr
}

func (a *runtimeAPI) handleNext(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	err := a.m.to(StateReady)
	a.mu.Unlock()
	if err != nil {
		writeTransitionError(w, err)
		return
	}
	select {
	case a.nextCh <- struct{}{}:
	default:
	}
	var inv *invocation
	select {
	case inv = <-a.assign:
	case <-r.Context().Done():
		return
	case <-a.closed:
		writeAPIError(w, http.StatusInternalServerError, "Container error. Non-recoverable state. Runtime should exit promptly.", "ContainerError")
		return
	}
	h := w.Header()
	h["Lambda-Runtime-Aws-Request-Id"] = []string{inv.id}
	h["Lambda-Runtime-Deadline-Ms"] = []string{strconv.FormatInt(inv.deadline.UnixMilli(), 10)}
	h["Lambda-Runtime-Invoked-Function-Arn"] = []string{inv.invokedARN}
	if inv.traceID != "" {
		h["Lambda-Runtime-Trace-Id"] = []string{inv.traceID}
	}
	if len(inv.clientContext) > 0 {
		h["Lambda-Runtime-Client-Context"] = []string{string(inv.clientContext)}
	}
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(inv.payload))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

func (a *runtimeAPI) handleResponse(w http.ResponseWriter, r *http.Request) {
	if mode := r.Header.Get("Lambda-Runtime-Function-Response-Mode"); mode != "" && mode != "streaming" {
		writeAPIError(w, http.StatusBadRequest, "Invalid function response mode", "InvalidFunctionResponseMode")
		return
	}
	body, tooLarge, readErr := readBody(r, MaxResponseBytes)
	inv, ok := a.finish(w, r.PathValue("id"), StateResponseSent)
	if !ok {
		return
	}
	switch {
	case tooLarge:
		// The caller gets a function error; the environment stays usable (§1.3, §7.4).
		inv.result <- result{payload: responseTooLargePayload(), contentType: "application/json", errorType: "Function.ResponseSizeTooLarge"}
		writeAPIError(w, http.StatusRequestEntityTooLarge, "Exceeded maximum allowed payload size (6291556 bytes).", "RequestEntityTooLarge")
		return
	case readErr != nil:
		inv.result <- result{payload: truncatedPayload(), contentType: "application/json", errorType: "Runtime.TruncatedResponse"}
		writeAPIError(w, http.StatusBadRequest, "Failed to read response body", "Runtime.TruncatedResponse")
		return
	}
	if et := r.Trailer.Get("Lambda-Runtime-Function-Error-Type"); et != "" {
		// A streamed response that failed midway reports its error in trailers.
		inv.result <- result{payload: trailerErrorPayload(r.Trailer.Get("Lambda-Runtime-Function-Error-Body"), et), contentType: "application/json", errorType: et}
		writeAccepted(w)
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/json"
	}
	inv.result <- result{payload: body, contentType: ct}
	writeAccepted(w)
}

func (a *runtimeAPI) handleError(w http.ResponseWriter, r *http.Request) {
	body, _, _ := readBody(r, MaxResponseBytes)
	inv, ok := a.finish(w, r.PathValue("id"), StateInvocationErrorResponse)
	if !ok {
		return
	}
	payload, errorType := errorBody(body, r.Header.Get("Content-Type"), r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	inv.result <- result{payload: payload, contentType: "application/json", errorType: errorType}
	writeAccepted(w)
}

// finish checks the request id and the transition for /response and /error,
// answering 400 or 403 itself when they fail.
func (a *runtimeAPI) finish(w http.ResponseWriter, id string, target State) (*invocation, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if id == "" || id != a.currentID {
		writeAPIError(w, http.StatusBadRequest, "Invalid request ID", "InvalidRequestID")
		return nil, false
	}
	if err := a.m.to(target); err != nil {
		writeTransitionError(w, err)
		return nil, false
	}
	return a.current, true
}

func (a *runtimeAPI) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _, _ := readBody(r, MaxResponseBytes)
	payload, errorType := errorBody(body, r.Header.Get("Content-Type"), r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	a.mu.Lock()
	err := a.m.to(StateInitError)
	if err == nil {
		a.initErr = &result{payload: payload, contentType: "application/json", errorType: errorType}
	}
	a.mu.Unlock()
	if err != nil {
		writeTransitionError(w, err)
		return
	}
	close(a.initErrCh)
	writeAccepted(w)
}

// readBody reads at most limit bytes; past that it reports tooLarge and
// drains a bounded amount more, so the runtime can read our answer instead
// of a reset connection.
func readBody(r *http.Request, limit int64) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > limit {
		_, _ = io.CopyN(io.Discard, r.Body, 64<<20)
		return nil, true, nil
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := io.Copy(&buf, io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, false, err
	}
	if n > limit {
		_, _ = io.CopyN(io.Discard, r.Body, 64<<20)
		return nil, true, nil
	}
	return buf.Bytes(), false, nil
}

var statusOK = []byte(`{"status":"OK"}`)

func writeAccepted(w http.ResponseWriter) {
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(statusOK)
}

func writeTransitionError(w http.ResponseWriter, err error) {
	var te *TransitionError
	if errors.As(err, &te) {
		writeAPIError(w, http.StatusForbidden, te.Error(), "InvalidStateTransition")
		return
	}
	writeAPIError(w, http.StatusForbidden, err.Error(), "InvalidStateTransition")
}

// writeAPIError answers with the Runtime API's error body.
func writeAPIError(w http.ResponseWriter, status int, message, errorType string) {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, errorType})
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
