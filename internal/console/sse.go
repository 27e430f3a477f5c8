package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// streamLifetime bounds one Server-Sent Events response. The browser
// reconnects at once (retry) and resumes from the last event ID it saw,
// so a page loses nothing, and a server shutdown never waits long for the
// pages left open (the listener drains requests in flight).
const streamLifetime = 5 * time.Second

// sseWriter writes Server-Sent Events.
type sseWriter struct {
	w http.ResponseWriter
	f http.Flusher
	// end closes when the stream has lived long enough.
	end <-chan time.Time
	t   *time.Timer
}

func (c *Console) startSSE(w http.ResponseWriter) (*sseWriter, error) {
	f, ok := w.(http.Flusher)
	if !ok {
		return nil, errors.New("live updates need a streaming connection")
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The retry field makes the browser reconnect after 250 ms when the
	// stream ends; the comment opens the stream at once.
	fmt.Fprint(w, "retry: 250\n: cloudlet\n\n")
	f.Flush()
	t := time.NewTimer(c.streamLifetime)
	return &sseWriter{w: w, f: f, end: t.C, t: t}, nil
}

func (s *sseWriter) stop() { s.t.Stop() }

// send writes one event with its ID; data may span lines.
func (s *sseWriter) send(id, event, data string) {
	if id != "" {
		fmt.Fprintf(s.w, "id: %s\n", id)
	}
	if event != "" {
		fmt.Fprintf(s.w, "event: %s\n", event)
	}
	for _, line := range strings.Split(data, "\n") {
		fmt.Fprintf(s.w, "data: %s\n", line)
	}
	fmt.Fprint(s.w, "\n")
	s.f.Flush()
}

// comment keeps an idle connection alive.
func (s *sseWriter) comment() {
	fmt.Fprint(s.w, ": keepalive\n\n")
	s.f.Flush()
}
