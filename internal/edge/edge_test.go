package edge_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/edge"
)

func start(t *testing.T, cfg edge.Config) *edge.Server {
	t.Helper()
	cfg.Host = "127.0.0.1"
	s := edge.New(cfg)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Serve()
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

func get(t *testing.T, url, host string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDispatch(t *testing.T) {
	s := start(t, edge.Config{
		API: func(w http.ResponseWriter, r *http.Request, apiID, path string) {
			io.WriteString(w, "api "+apiID+" "+path)
		},
		Internal: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "internal "+r.URL.Path) }),
	})
	base := "http://" + s.Addr()
	tests := []struct {
		name, path, host, want string
		status                 int
	}{
		{"hostForm", "/pets/1", "abc123defg.execute-api.localhost:4566", "api abc123defg /pets/1", 200},
		{"hostFormAWSDomain", "/", "abc123defg.execute-api.us-east-1.amazonaws.com", "api abc123defg /", 200},
		{"pathForm", "/_aws/execute-api/abc123defg/pets/1", "", "api abc123defg /pets/1", 200},
		{"pathFormRoot", "/_aws/execute-api/abc123defg", "", "api abc123defg /", 200},
		{"internal", "/_cloudlet/health", "", "internal /_cloudlet/health", 200},
		{"awsFallback", "/2015-03-31/functions", "", "NotImplemented", 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, base+tt.path, tt.host)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("GET %s (Host %q) = %d %q, want %d containing %q", tt.path, tt.host, status, body, tt.status, tt.want)
			}
		})
	}
}

func TestShutdownWaitsForInFlight(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	s := start(t, edge.Config{API: func(w http.ResponseWriter, r *http.Request, apiID, path string) {
		close(started)
		<-release
		io.WriteString(w, "done")
	}})
	result := make(chan string, 1)
	go func() {
		_, body := get(t, "http://"+s.Addr()+"/_aws/execute-api/x/slow", "")
		result <- body
	}()
	<-started
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v before the in-flight request finished", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if body := <-result; body != "done" {
		t.Errorf("in-flight request got %q, want done", body)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
}

func TestShutdownBounded(t *testing.T) {
	started := make(chan struct{})
	s := start(t, edge.Config{API: func(w http.ResponseWriter, r *http.Request, apiID, path string) {
		close(started)
		<-r.Context().Done()
	}})
	go func() {
		// The server cuts this request off; its error is expected.
		if resp, err := http.Get("http://" + s.Addr() + "/_aws/execute-api/x/hang"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); err == nil {
		t.Errorf("Shutdown with a hung request = nil, want a drain error")
	}
}
