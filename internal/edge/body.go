package edge

import (
	"io"
	"net/http"
	"time"
)

// idleBody cuts off a request body that stops arriving: each Read must
// make progress within timeout, or the connection's read deadline passes
// and the Read fails (slowloris clients that send headers and then trickle
// or withhold the body). Uploads of any size still work as long as bytes
// keep coming, which a whole-request ReadTimeout would not allow.
//
// Once the body has been read to its end the deadline is lifted: net/http
// then reads the connection in the background to notice a client going
// away, and a deadline left behind would cancel a handler that is still
// working (a Lambda invocation of many seconds) for no fault of the client.
type idleBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	done    bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done {
		return b.body.Read(p)
	}
	_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	n, err := b.body.Read(p)
	switch {
	case err == io.EOF:
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case err != nil:
		// The deadline stays passed: net/http's attempt to drain the rest
		// of the body after the handler fails at once and the connection
		// is closed, rather than waiting for the client forever.
		b.done = true
	}
	return n, err
}

func (b *idleBody) Close() error { return b.body.Close() }

// guardBody installs idleBody on requests that have a body.
func (s *Server) guardBody(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody || s.cfg.BodyIdleTimeout < 0 {
		return
	}
	b := &idleBody{body: r.Body, rc: http.NewResponseController(w), timeout: s.cfg.BodyIdleTimeout}
	// Armed now, not only on the first Read: a handler that answers
	// without reading the body leaves net/http to drain it, and that
	// drain must not wait on a stalled client either. Until the body is
	// read to its end nothing else reads the connection, so the deadline
	// cannot cut a handler short.
	_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	r.Body = b
}
