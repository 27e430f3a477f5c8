package edge_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/edge"
)

// rawGet sends one GET on conn and reads the answer.
func rawGet(t *testing.T, conn net.Conn, br *bufio.Reader, path string) (*http.Response, string) {
	t.Helper()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// Issue 8 §7: while Shutdown drains, a request in flight finishes, and
// every new request — on a new connection or on an idle keep-alive one —
// is answered 503 with Connection: close.
func TestDrainAnswers503(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{})
	s := start(t, edge.Config{API: func(w http.ResponseWriter, r *http.Request, apiID, path string) {
		if path == "/slow" {
			close(started)
			<-release
		}
		_, _ = io.WriteString(w, "done")
	}})
	dial := func() (net.Conn, *bufio.Reader) {
		conn, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn, bufio.NewReader(conn)
	}
	idle, idleR := dial()
	if resp, body := rawGet(t, idle, idleR, "/_aws/execute-api/x/fast"); resp.StatusCode != 200 || body != "done" {
		t.Fatalf("GET /fast = %d %q", resp.StatusCode, body)
	}
	inflight := make(chan string, 1)
	go func() {
		conn, br := dial()
		_, body := rawGet(t, conn, br, "/_aws/execute-api/x/slow")
		inflight <- body
	}()
	<-started
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()

	var resp *http.Response
	var body string
	for range 500 { // until the drain has begun
		conn, br := dial()
		if resp, body = rawGet(t, conn, br, "/_aws/execute-api/x/fast"); resp.StatusCode == 503 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp.StatusCode != 503 || !resp.Close {
		t.Errorf("a new connection during the drain got %d (close %v) %q, want 503 and Connection: close", resp.StatusCode, resp.Close, body)
	}
	if resp, body := rawGet(t, idle, idleR, "/_aws/execute-api/x/fast"); resp.StatusCode != 503 {
		t.Errorf("an idle keep-alive connection during the drain got %d %q, want 503", resp.StatusCode, body)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown = %v before the request in flight finished", err)
	default:
	}
	close(release)
	if body := <-inflight; body != "done" {
		t.Errorf("the request in flight got %q, want done", body)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
}
