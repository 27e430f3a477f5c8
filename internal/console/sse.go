package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// sseWriter writes Server-Sent Events.
type sseWriter struct {
	w http.ResponseWriter
	f http.Flusher
}

func startSSE(w http.ResponseWriter) (*sseWriter, error) {
	f, ok := w.(http.Flusher)
	if !ok {
		return nil, errors.New("live updates need a streaming connection")
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A comment line opens the stream at once, so EventSource reports
	// "open" before the first event.
	fmt.Fprint(w, ": cloudlet\n\n")
	f.Flush()
	return &sseWriter{w: w, f: f}, nil
}

// send writes one event; data may span lines.
func (s *sseWriter) send(event, data string) {
	if event != "" {
		fmt.Fprintf(s.w, "event: %s\n", event)
	}
	for _, line := range strings.Split(data, "\n") {
		fmt.Fprintf(s.w, "data: %s\n", line)
	}
	fmt.Fprint(s.w, "\n")
	s.f.Flush()
}
