package edge_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/edge"
)

// closedWithin reports whether the server closes conn (EOF or reset, after
// any answer it writes) before limit.
func closedWithin(conn net.Conn, limit time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// Issue 8 §4: slowloris clients — headers that never end, a body that
// stops arriving — are cut off by the server's timeouts, while a handler
// that works long after reading its whole body is left alone, and other
// clients are served meanwhile.
func TestSlowClientsCutOff(t *testing.T) {
	bodyErr := make(chan error, 1)
	s := start(t, edge.Config{ReadHeaderTimeout: 300 * time.Millisecond, BodyIdleTimeout: 300 * time.Millisecond,
		API: func(w http.ResponseWriter, r *http.Request, apiID, path string) {
			_, err := io.ReadAll(r.Body)
			switch path {
			case "/slow-body":
				bodyErr <- err
				http.Error(w, "body", http.StatusBadRequest)
			case "/long-work":
				// Work for several body timeouts after the body is in.
				select {
				case <-time.After(1500 * time.Millisecond):
					_, _ = io.WriteString(w, "done")
				case <-r.Context().Done():
					http.Error(w, "cancelled", http.StatusInternalServerError)
				}
			default:
				_, _ = io.WriteString(w, "ok")
			}
		}})
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	slowHeaders := dial()
	_, _ = io.WriteString(slowHeaders, "GET /_aws/execute-api/x/ok HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	slowBody := dial()
	_, _ = io.WriteString(slowBody, "POST /_aws/execute-api/x/slow-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
	// A handler that answers without reading leaves the body to net/http.
	unread := dial()
	_, _ = io.WriteString(unread, "POST /_cloudlet/nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")

	// Others are served while both hang.
	if status, body := get(t, "http://"+s.Addr()+"/_aws/execute-api/x/ok", ""); status != 200 || body != "ok" {
		t.Errorf("GET /ok beside slow clients = %d %q, want 200 ok", status, body)
	}
	if !closedWithin(slowHeaders, 10*time.Second) {
		t.Errorf("a client that never finishes its headers still holds its connection")
	}
	select {
	case err := <-bodyErr:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("reading a body that stopped arriving = %v, want a timeout", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("a body that stopped arriving was never cut off")
	}
	if !closedWithin(slowBody, 10*time.Second) {
		t.Errorf("a client whose body stopped arriving still holds its connection")
	}
	if !closedWithin(unread, 10*time.Second) {
		t.Errorf("a client whose unread body stopped arriving still holds its connection")
	}

	req, _ := http.NewRequest(http.MethodPost, "http://"+s.Addr()+"/_aws/execute-api/x/long-work", bytes.NewReader([]byte("payload")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != "done" {
		t.Errorf("POST /long-work = %d %q, want 200 done: a read body's deadline must not cancel the handler", resp.StatusCode, b)
	}
}
