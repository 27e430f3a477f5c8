package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// holder keeps the functions' requests to /hold waiting until released.
type holder struct {
	URL     string
	waiting atomic.Int64
	release chan struct{}
}

func newHolder(t *testing.T) *holder {
	t.Helper()
	h := &holder{release: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.waiting.Add(1)
		<-h.release
		_, _ = io.WriteString(w, "go")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	h.URL = "http://" + ln.Addr().String()
	return h
}

// Issue 8 §7: SIGTERM under load. Requests in flight finish with their
// answers, new requests are answered 503 (or find the port closed once
// the drain is over), cloudlet exits 0, no function process is left, and
// the store was closed cleanly: it opens again at once with the stack in
// it.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("signals a real cloudlet binary")
	}
	data := t.TempDir()
	s := serve(t, data)
	h := newHolder(t)
	mark := newMark(t)
	body, err := os.ReadFile("testdata/shutdown.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.cfn(t, stackForm("CreateStack", "shut", string(body), map[string]string{"Runtime": pythonRuntime(t), "Mark": mark, "Control": h.URL}), nil)
	st := s.settled(t, "shut")
	if st.Status != "CREATE_COMPLETE" {
		t.Fatalf("create = %+v\n%s", st, s.output())
	}
	api := s.URL + "/_aws/execute-api/" + st.Outputs["ApiId"]

	// Three requests wait in the Hold function.
	const held = 3
	heldAnswers := make(chan string, held)
	for range held {
		go func() {
			resp, err := http.Get(api + "/hold")
			if err != nil {
				heldAnswers <- err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			heldAnswers <- fmt.Sprint(resp.StatusCode, " ", string(b))
		}()
	}
	if !eventually(time.Minute, func() bool { return h.waiting.Load() == held }) {
		t.Fatalf("%d of %d requests reached the Hold function\n%s", h.waiting.Load(), held, s.output())
	}

	// Keep-alive clients call /ok meanwhile; each answer must be 200 ok
	// before the drain and 503 during it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	answers := map[string]int{}
	var load sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for range 16 {
		load.Add(1)
		go func() {
			defer load.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api+"/ok", nil)
				resp, err := client.Do(req)
				key := ""
				switch {
				case err != nil && ctx.Err() != nil:
					return
				case err != nil:
					// Once the drain is over the port closes: new connections
					// are refused, and a request racing the close of its idle
					// keep-alive connection reads EOF (HTTP/1.1 clients retry).
					key = "closed"
					var op *net.OpError
					if !errors.As(err, &op) && !errors.Is(err, io.EOF) {
						key = "error: " + err.Error()
					}
					time.Sleep(10 * time.Millisecond)
				default:
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					key = fmt.Sprint(resp.StatusCode, " ", strings.TrimSpace(string(b)))
				}
				mu.Lock()
				answers[key]++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Second)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The drain has begun once /ok answers 503.
	if !eventually(20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return answers["503 cloudlet is shutting down"] > 0 }) {
		t.Errorf("no request was answered 503 during the drain: %v", answers)
	}
	close(h.release)
	for range held {
		if got := <-heldAnswers; got != "200 held" {
			t.Errorf("a request in flight at SIGTERM got %q, want 200 held", got)
		}
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("cloudlet did not exit within 30 s of SIGTERM\n%s", s.output())
	}
	cancel()
	load.Wait()
	if s.waitErr != nil {
		t.Errorf("cloudlet exited with %v, want 0\n%s", s.waitErr, s.output())
	}
	for k, n := range answers {
		if k != "200 ok" && k != "503 cloudlet is shutting down" && k != "closed" {
			t.Errorf("%d requests during the shutdown got %q, want 200, 503 or a closed port", n, k)
		}
	}
	t.Logf("answers around SIGTERM: %v", answers)
	if left := processesWith("MARK=" + mark); len(left) > 0 {
		killAll(left)
		t.Errorf("function processes %v outlived cloudlet's shutdown", left)
	}

	// The store was closed: it opens at once (bbolt's lock is free) and
	// holds the stack as it was.
	p, err := platform.New(platform.Config{DataDir: data})
	if err != nil {
		t.Fatalf("reopen the data directory: %v", err)
	}
	defer p.Shutdown(context.Background())
	got, err := p.Stacks.Describe(context.Background(), "shut")
	if err != nil || got.Status != stack.CreateComplete {
		t.Errorf("after shutdown the stack reads %v, %v; want CREATE_COMPLETE", got, err)
	}
}

// Issue 8 §7: the drain is bounded. A request that never finishes does
// not keep cloudlet from stopping: after the drain timeout (10 s) it is
// cut off, every function process is stopped and the store is closed.
func TestShutdownBoundedByDrainTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("signals a real cloudlet binary and waits out its drain timeout")
	}
	data := t.TempDir()
	s := serve(t, data)
	h := newHolder(t)
	t.Cleanup(func() { close(h.release) })
	mark := newMark(t)
	body, err := os.ReadFile("testdata/shutdown.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.cfn(t, stackForm("CreateStack", "shut", string(body), map[string]string{"Runtime": pythonRuntime(t), "Mark": mark, "Control": h.URL}), nil)
	st := s.settled(t, "shut")
	if st.Status != "CREATE_COMPLETE" {
		t.Fatalf("create = %+v\n%s", st, s.output())
	}
	hung := make(chan error, 1)
	go func() {
		resp, err := http.Get(s.URL + "/_aws/execute-api/" + st.Outputs["ApiId"] + "/hold")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		hung <- err
	}()
	if !eventually(time.Minute, func() bool { return h.waiting.Load() == 1 }) {
		t.Fatalf("the request never reached the Hold function\n%s", s.output())
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(40 * time.Second):
		t.Fatalf("cloudlet did not exit within 40 s of SIGTERM with a request that never ends\n%s", s.output())
	}
	if !strings.Contains(s.output(), "drain: requests still running when the grace period ended") {
		t.Errorf("cloudlet's output does not say the drain was cut short:\n%s", s.output())
	}
	select {
	case err := <-hung:
		if err == nil {
			t.Errorf("the request that never ends got a whole answer, want it cut off")
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the request that never ends is still open after cloudlet exited")
	}
	if left := processesWith("MARK=" + mark); len(left) > 0 {
		killAll(left)
		t.Errorf("function processes %v outlived cloudlet's shutdown", left)
	}
	p, err := platform.New(platform.Config{DataDir: data})
	if err != nil {
		t.Fatalf("reopen the data directory: %v", err)
	}
	_ = p.Shutdown(context.Background())
}
