package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

const barrierCode = `import os, socket

TOKEN = os.urandom(8).hex()  # one per runtime process

def handler(event, context):
    if event.get("port"):
        # Wait at the test's barrier: proof that invocations run at once.
        with socket.create_connection(("127.0.0.1", event["port"])) as s:
            s.recv(1)
    return TOKEN
`

// barrier holds handlers that connect to it until it is released. It
// works whether or not environments share a filesystem: loopback they
// share either way.
type barrier struct {
	ln      net.Listener
	mu      sync.Mutex
	conns   []net.Conn
	arrived chan struct{}
}

func newBarrier(t *testing.T) *barrier {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &barrier{ln: ln, arrived: make(chan struct{}, 1024)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns = append(b.conns, c)
			b.mu.Unlock()
			b.arrived <- struct{}{}
		}
	}()
	t.Cleanup(b.release)
	return b
}

func (b *barrier) port() int { return b.ln.Addr().(*net.TCPAddr).Port }

// wait returns once n more handlers have arrived.
func (b *barrier) wait(n int) {
	for range n {
		<-b.arrived
	}
}

// release lets every waiting handler go.
func (b *barrier) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Write([]byte{1})
		c.Close()
	}
	b.conns = nil
}

// AWS: a request that finds no idle environment gets a new one at once; it
// never queues behind a busy one (shared/specs/lambda.md §2.6).
func TestScaleOut(t *testing.T) {
	const n = 4
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": barrierCode})
	f := function(rt, "app.handler", code)
	f.Timeout = 60 * time.Second
	p := newPool(t, sandbox.PoolConfig{Function: f})
	b := newBarrier(t)
	payload := `{"port": ` + strconv.Itoa(b.port()) + `}`
	var wg sync.WaitGroup
	tokens := make([]string, n)
	for i := range n {
		wg.Go(func() {
			resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: requestID(), Payload: []byte(payload)})
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = string(resp.Payload)
		})
	}
	b.wait(n)
	b.release()
	wg.Wait()
	st := p.Stats()
	if st.Created != n || st.Idle != n || st.Busy != 0 {
		t.Errorf("Stats() = %+v, want %d environments created, all idle", st, n)
	}
	seen := map[string]bool{}
	for _, tok := range tokens {
		seen[tok] = true
	}
	if len(seen) != n {
		t.Errorf("handler processes = %v, want %d distinct ones", tokens, n)
	}
	// Warm again: this reuses an idle environment.
	invoke(t, p, `{}`)
	if st := p.Stats(); st.Created != n {
		t.Errorf("Stats().Created after a warm invoke = %d, want %d", st.Created, n)
	}
}

// A pool at MaxEnvironments refuses rather than queueing.
func TestMaxEnvironments(t *testing.T) {
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": barrierCode})
	f := function(rt, "app.handler", code)
	f.Timeout = 60 * time.Second
	p := newPool(t, sandbox.PoolConfig{Function: f, MaxEnvironments: 1})
	b := newBarrier(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		invoke(t, p, `{"port": `+strconv.Itoa(b.port())+`}`)
	}()
	b.wait(1)
	_, err := p.Invoke(t.Context(), sandbox.Request{RequestID: requestID(), Payload: []byte(`{}`)})
	if err == nil || !strings.Contains(err.Error(), sandbox.ErrNoCapacity.Error()) {
		t.Errorf("Invoke at capacity: err = %v, want ErrNoCapacity", err)
	}
	b.release()
	<-done
}

const forkCode = `import os, time

def handler(event, context):
    if os.fork() == 0:
        time.sleep(120)
        os._exit(0)
    if event.get("hang"):
        time.sleep(120)
    return context.log_stream_name
`

// A child the handler forks dies with its environment: on timeout, on
// Shutdown and when reaped.
func TestForkedChildKilled(t *testing.T) {
	rt := newestPython(t)
	for _, how := range []string{"timeout", "shutdown", "reap"} {
		t.Run(how, func(t *testing.T) {
			code := writeCode(t, map[string]string{"app.py": forkCode})
			f := function(rt, "app.handler", code)
			f.Timeout = time.Second
			clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			sink := &memSink{}
			cfg := sandbox.PoolConfig{Function: f, Clock: clock, IdleTimeout: time.Hour, Logs: sink,
				Runtimes: runtimes, ScratchDir: t.TempDir(), Isolation: isolation(t)}
			p, err := sandbox.NewPool(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Shutdown(context.Background())
			switch how {
			case "timeout":
				resp := invoke(t, p, `{"hang": true}`)
				if !strings.Contains(string(resp.Payload), "Sandbox.Timedout") {
					t.Errorf("Invoke = %s, want a timeout", resp.Payload)
				}
			case "shutdown":
				invoke(t, p, `{}`)
				if n := len(procsOf(t, sink.stream(t))); n < 2 {
					t.Errorf("processes of the environment = %d, want the runtime and its child", n)
				}
				if err := p.Shutdown(t.Context()); err != nil {
					t.Errorf("Shutdown: %v", err)
				}
				if _, err := p.Invoke(t.Context(), sandbox.Request{RequestID: requestID()}); err != sandbox.ErrClosed {
					t.Errorf("Invoke after Shutdown: err = %v, want ErrClosed", err)
				}
				// The caller's scratch dir stays; environments' TMPDIRs go.
				if _, err := os.Stat(cfg.ScratchDir); err != nil {
					t.Errorf("scratch dir: %v", err)
				}
				if envDirs, _ := filepath.Glob(filepath.Join(cfg.ScratchDir, "env-*")); len(envDirs) != 0 {
					t.Errorf("environment scratch dirs after Shutdown = %v, want none", envDirs)
				}
			case "reap":
				invoke(t, p, `{}`)
				if n := p.Reap(); n != 0 {
					t.Errorf("Reap() before IdleTimeout = %d, want 0", n)
				}
				clock.advance(time.Hour)
				if n := p.Reap(); n != 1 {
					t.Errorf("Reap() after IdleTimeout = %d, want 1", n)
				}
				if st := p.Stats(); st.Environments != 0 || st.Reaped != 1 {
					t.Errorf("Stats() after Reap = %+v, want no environments, one reaped", st)
				}
				envDirs, _ := filepath.Glob(filepath.Join(cfg.ScratchDir, "env-*"))
				if len(envDirs) != 0 {
					t.Errorf("environment scratch dirs after Reap = %v, want none", envDirs)
				}
			}
			stream := sink.stream(t)
			waitFor(t, func() bool { return len(procsOf(t, stream)) == 0 })
		})
	}
}

// procsOf lists the live processes of the environment whose log stream is
// stream: those whose environment variables say so. Unlike pids, this
// works from outside an environment's PID namespace.
func procsOf(t testing.TB, stream string) []int {
	t.Helper()
	needle := []byte("\x00AWS_LAMBDA_LOG_STREAM_NAME=" + stream + "\x00")
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !alive(pid) {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && bytes.Contains(append([]byte{0}, b...), needle) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// alive reports whether pid is a live (non-zombie) process.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// AWS: Init is limited (10 s on AWS, shortened here); past it Init is
// retried inside the invocation and bounded by the function's timeout
// (shared/specs/lambda.md §2.1, §7.1).
func TestInitTimeout(t *testing.T) {
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": "import time\ntime.sleep(60)\ndef handler(e, c): return 1\n"})
	f := function(rt, "app.handler", code)
	f.Timeout = time.Second
	sink := &memSink{}
	p := newPool(t, sandbox.PoolConfig{Function: f, InitTimeout: time.Second, Logs: sink})
	id := requestID()
	resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: ` + id + ` Error: Task timed out after 1.00 seconds"}`
	if string(resp.Payload) != want || resp.FunctionError != "Unhandled" {
		t.Errorf("Invoke = %s, want %s", resp.Payload, want)
	}
	if st := p.Stats(); st.Inits != 2 {
		t.Errorf("Stats().Inits = %d, want 2 (init, then suppressed init)", st.Inits)
	}
	var log strings.Builder
	for _, evs := range sink.streams {
		for _, e := range evs {
			log.WriteString(e.Message)
		}
	}
	for _, frag := range []string{"\tPhase: init\tStatus: timeout\n", " Task timed out after 1.00 seconds\n", "\tStatus: timeout\t\n"} {
		if !strings.Contains(log.String(), frag) {
			t.Errorf("log = %q, want it to contain %q", log.String(), frag)
		}
	}
}

// A runtime that dies between invocations is replaced by the next one, not
// blamed on it.
func TestDiedWhileIdle(t *testing.T) {
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": `import os, threading

TOKEN = os.urandom(8).hex()

def handler(event, context):
    if event.get("die"):
        threading.Timer(0.05, lambda: os._exit(1)).start()
    return [TOKEN, context.log_stream_name]
`})
	p := newPool(t, sandbox.PoolConfig{Function: function(rt, "app.handler", code)})
	var first, second [2]string
	resp := invoke(t, p, `{"die": true}`)
	if err := json.Unmarshal(resp.Payload, &first); err != nil {
		t.Fatalf("Invoke = %s: %v", resp.Payload, err)
	}
	waitFor(t, func() bool { return len(procsOf(t, first[1])) == 0 })
	resp = invoke(t, p, `{}`)
	_ = json.Unmarshal(resp.Payload, &second)
	if resp.FunctionError != "" || !resp.Cold || second[0] == first[0] {
		t.Errorf("Invoke after the runtime died idle = %s (%q, cold %v), want a fresh cold start", resp.Payload, resp.FunctionError, resp.Cold)
	}
}
