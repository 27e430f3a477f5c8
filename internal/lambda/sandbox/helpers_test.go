package sandbox_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

// runtimes is shared so interpreter lookups are done once per test binary.
var runtimes = sandbox.NewRuntimes(nil)

var sandboxFlag = flag.String("sandbox", sandbox.SandboxAuto, "isolation of the tests' pools: auto (isolated where the OS permits) or off (forces fallback mode)")

var standbyFlag = flag.Bool("standby", true, "let the tests' pools take over standby processes at cold starts (false: every runtime starts afresh)")

var testIso struct {
	once sync.Once
	iso  *sandbox.Isolation
	err  error
}

// isolation is the Isolation every test pool uses unless it picks its own:
// probed once per test binary, as cloudlet does once per process.
func isolation(t testing.TB) *sandbox.Isolation {
	t.Helper()
	testIso.once.Do(func() {
		testIso.iso, testIso.err = sandbox.NewIsolation(context.Background(), sandbox.IsolationConfig{Setting: *sandboxFlag, DisableStandby: !*standbyFlag})
	})
	if testIso.err != nil {
		t.Fatalf("NewIsolation(%q): %v", *sandboxFlag, testIso.err)
	}
	return testIso.iso
}

// isolated reports whether the tests' pools run isolated.
func isolated(t testing.TB) bool { return isolation(t).Mode() == sandbox.ModeIsolated }

// taskRoot is where a function's code appears to it: /var/task when
// isolated, the code directory itself otherwise.
func taskRoot(t testing.TB, code string) string {
	if isolated(t) {
		return "/var/task"
	}
	return code
}

// pythonRuntimes lists every python3.X runtime whose exact interpreter this
// machine has (no fallback).
func pythonRuntimes(t testing.TB) []string {
	t.Helper()
	var out []string
	for m := 8; m <= 14; m++ {
		rt := "python3." + itoa(m)
		if _, warning, err := runtimes.Python(rt); err == nil && warning == "" {
			out = append(out, rt)
		}
	}
	if len(out) == 0 {
		t.Skip("no python3.8..python3.14 interpreter found on PATH or under pyenv")
	}
	return out
}

// newestPython is the newest exact python runtime available.
func newestPython(t testing.TB) string {
	rts := pythonRuntimes(t)
	return rts[len(rts)-1]
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// writeCode writes files into a fresh code directory.
func writeCode(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// memSink keeps every event per stream.
type memSink struct {
	mu      sync.Mutex
	streams map[string][]sandbox.LogEvent
	groups  map[string]string
}

func (s *memSink) Append(group, stream string, events []sandbox.LogEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.streams == nil {
		s.streams, s.groups = map[string][]sandbox.LogEvent{}, map[string]string{}
	}
	s.streams[stream] = append(s.streams[stream], events...)
	s.groups[stream] = group
}

// stream is the one stream the sink has received lines of.
func (s *memSink) stream(t testing.TB) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.streams) != 1 {
		t.Fatalf("sink has %d streams, want 1", len(s.streams))
	}
	for name := range s.streams {
		return name
	}
	return ""
}

func function(runtime, handler, code string) sandbox.Function {
	return sandbox.Function{
		Name:    "fn",
		ARN:     "arn:aws:lambda:us-east-1:000000000000:function:fn",
		Version: "$LATEST",
		Runtime: runtime,
		Handler: handler,
		CodeDir: code,
		Region:  "us-east-1",
		Timeout: 3 * time.Second,
	}
}

// newPool builds a pool that is shut down when the test ends.
func newPool(t testing.TB, cfg sandbox.PoolConfig) *sandbox.Pool {
	t.Helper()
	if cfg.Runtimes == nil {
		cfg.Runtimes = runtimes
	}
	if cfg.ScratchDir == "" {
		cfg.ScratchDir = t.TempDir()
	}
	if cfg.Isolation == nil {
		cfg.Isolation = isolation(t)
	}
	p, err := sandbox.NewPool(cfg)
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return p
}

var reqSeq struct {
	sync.Mutex
	n int
}

// requestID makes distinct UUID-shaped ids.
func requestID() string {
	reqSeq.Lock()
	reqSeq.n++
	n := reqSeq.n
	reqSeq.Unlock()
	s := "00000000" + itoa(n)
	return "8476a536-e9f4-11e8-9739-" + "2dfe" + s[len(s)-8:]
}

func invoke(t testing.TB, p *sandbox.Pool, payload string) *sandbox.Response {
	t.Helper()
	resp, err := p.Invoke(context.Background(), sandbox.Request{RequestID: requestID(), Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("Invoke(%s): %v", payload, err)
	}
	return resp
}

// waitFor polls cond until it holds; the test's own deadline bounds it.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(5 * time.Millisecond)
	}
}
