package sandbox_test

import (
	"context"
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

const barrierCode = `import os, time

def handler(event, context):
    d = event["dir"]
    open(os.path.join(d, context.aws_request_id), "w").close()
    # Wait until every invocation is running at once: proof of scale-out.
    while len(os.listdir(d)) < event["n"]:
        time.sleep(0.005)
    return os.getpid()
`

// AWS: a request that finds no idle environment gets a new one at once; it
// never queues behind a busy one (shared/specs/lambda.md §2.6).
func TestScaleOut(t *testing.T) {
	const n = 4
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": barrierCode})
	f := function(rt, "app.handler", code)
	f.Timeout = 60 * time.Second
	p := newPool(t, sandbox.PoolConfig{Function: f})
	dir := t.TempDir()
	payload := `{"dir": "` + dir + `", "n": ` + strconv.Itoa(n) + `}`
	var wg sync.WaitGroup
	pids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: requestID(), Payload: []byte(payload)})
			if err != nil {
				t.Error(err)
				return
			}
			pids[i] = string(resp.Payload)
		})
	}
	wg.Wait()
	st := p.Stats()
	if st.Created != n || st.Idle != n || st.Busy != 0 {
		t.Errorf("Stats() = %+v, want %d environments created, all idle", st, n)
	}
	seen := map[string]bool{}
	for _, pid := range pids {
		seen[pid] = true
	}
	if len(seen) != n {
		t.Errorf("handler pids = %v, want %d distinct processes", pids, n)
	}
	// Warm again: these reuse the idle environments.
	os.RemoveAll(dir)
	os.Mkdir(dir, 0o755)
	payload = `{"dir": "` + dir + `", "n": 1}`
	invoke(t, p, payload)
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
	dir := t.TempDir()
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Never satisfied (n=2): it runs until the second file appears.
		invoke(t, p, `{"dir": "`+dir+`", "n": 2}`)
	}()
	waitFor(t, func() bool { return p.Stats().Busy == 1 })
	_, err := p.Invoke(t.Context(), sandbox.Request{RequestID: requestID(), Payload: []byte(`{}`)})
	if err == nil || !strings.Contains(err.Error(), sandbox.ErrNoCapacity.Error()) {
		t.Errorf("Invoke at capacity: err = %v, want ErrNoCapacity", err)
	}
	os.WriteFile(filepath.Join(dir, "release"), nil, 0o644)
	<-done
}

const forkCode = `import os, time

def handler(event, context):
    pid = os.fork()
    if pid == 0:
        time.sleep(120)
        os._exit(0)
    with open(event["pidfile"], "w") as f:
        f.write(str(pid))
    if event.get("hang"):
        time.sleep(120)
    return pid
`

// A child the handler forks shares the environment's process group and
// dies with it: on timeout and on Shutdown.
func TestForkedChildKilled(t *testing.T) {
	rt := newestPython(t)
	for _, how := range []string{"timeout", "shutdown", "reap"} {
		t.Run(how, func(t *testing.T) {
			code := writeCode(t, map[string]string{"app.py": forkCode})
			f := function(rt, "app.handler", code)
			f.Timeout = time.Second
			clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			cfg := sandbox.PoolConfig{Function: f, Clock: clock, IdleTimeout: time.Hour}
			if cfg.Runtimes == nil {
				cfg.Runtimes = runtimes
			}
			cfg.ScratchDir = t.TempDir()
			p, err := sandbox.NewPool(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Shutdown(context.Background())
			pidfile := filepath.Join(t.TempDir(), "pid")
			switch how {
			case "timeout":
				resp := invoke(t, p, `{"pidfile": "`+pidfile+`", "hang": true}`)
				if !strings.Contains(string(resp.Payload), "Sandbox.Timedout") {
					t.Errorf("Invoke = %s, want a timeout", resp.Payload)
				}
			case "shutdown":
				invoke(t, p, `{"pidfile": "`+pidfile+`"}`)
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
				invoke(t, p, `{"pidfile": "`+pidfile+`"}`)
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
			b, err := os.ReadFile(pidfile)
			if err != nil {
				t.Fatal(err)
			}
			pid, _ := strconv.Atoi(string(b))
			waitFor(t, func() bool { return !alive(pid) })
		})
	}
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

def handler(event, context):
    if event.get("die"):
        threading.Timer(0.05, lambda: os._exit(1)).start()
    return os.getpid()
`})
	p := newPool(t, sandbox.PoolConfig{Function: function(rt, "app.handler", code)})
	resp := invoke(t, p, `{"die": true}`)
	pid, _ := strconv.Atoi(string(resp.Payload))
	waitFor(t, func() bool { return !alive(pid) })
	resp = invoke(t, p, `{}`)
	if resp.FunctionError != "" || !resp.Cold || string(resp.Payload) == strconv.Itoa(pid) {
		t.Errorf("Invoke after the runtime died idle = %s (%q, cold %v), want a fresh cold start", resp.Payload, resp.FunctionError, resp.Cold)
	}
}
