package sandbox_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

// benchFunctions are constant handlers, one per runtime family; the first
// is the Python one the brief's targets are about.
func benchFunctions(b *testing.B) []sandbox.Function {
	var fs []sandbox.Function
	fs = append(fs, function(newestPython(b), "app.handler",
		writeCode(b, map[string]string{"app.py": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"})))
	if rt, ok := benchNode(); ok {
		fs = append(fs, function(rt, "index.handler",
			writeCode(b, map[string]string{"index.js": "exports.handler = async () => ({ statusCode: 200, body: 'ok' });\n"})))
	}
	fs = append(fs, function("provided.al2023", "x", codeWithBootstrap(b, 0o755)))
	return fs
}

func benchNode() (string, bool) {
	for major := 24; major >= 18; major -= 2 {
		rt := "nodejs" + itoa(major) + ".x"
		if _, warning, err := runtimes.Node(rt); err == nil && warning == "" {
			return rt, true
		}
	}
	return "", false
}

// reportP50 adds the median of ds as a metric.
func reportP50(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2])/float64(time.Millisecond), "p50-ms")
}

// BenchmarkWarmInvoke measures Pool.Invoke on a warm environment with a
// constant handler, in each mode.
func BenchmarkWarmInvoke(b *testing.B) {
	for mode, iso := range benchModes(b) {
		for _, f := range benchFunctions(b) {
			b.Run(mode+"/"+f.Runtime, func(b *testing.B) {
				p := newPool(b, sandbox.PoolConfig{Function: f, Isolation: iso})
				invoke(b, p, `{}`)
				ds := make([]time.Duration, 0, 1024)
				req := sandbox.Request{RequestID: requestID(), Payload: []byte(`{"k":"v"}`)}
				ctx := context.Background()
				for b.Loop() {
					start := time.Now()
					if _, err := p.Invoke(ctx, req); err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(start))
				}
				reportP50(b, ds)
			})
		}
	}
}

// benchModes are the confinements to measure, without standby processes:
// isolated where this machine allows it, and fallback.
func benchModes(b *testing.B) map[string]*sandbox.Isolation {
	off, err := sandbox.NewIsolation(context.Background(), sandbox.IsolationConfig{Setting: sandbox.SandboxOff, DisableStandby: true})
	if err != nil {
		b.Fatal(err)
	}
	m := map[string]*sandbox.Isolation{"fallback": off}
	if isolated(b) {
		iso, err := sandbox.NewIsolation(context.Background(), sandbox.IsolationConfig{DisableStandby: true})
		if err != nil {
			b.Fatal(err)
		}
		m["isolated"] = iso
	}
	return m
}

// BenchmarkColdStart measures the first Pool.Invoke of a new pool: setup
// of the environment (isolated: namespaces, mounts, cgroups), process
// start, runtime client start, handler import, the invocation itself. It
// also reports the REPORT line's Max Memory Used. "afresh" starts every
// runtime from scratch; "standby" takes over a standby process made ready
// beforehand (untimed), as a cold start of a runtime already in use does:
// then only the handoff, the handler's import and the invocation count.
func BenchmarkColdStart(b *testing.B) {
	for mode, iso := range benchModes(b) {
		for _, standby := range []bool{false, true} {
			iso, variant := iso, "afresh"
			if standby {
				iso, variant = withStandby(b, iso), "standby"
			}
			for _, f := range benchFunctions(b) {
				if standby && strings.HasPrefix(f.Runtime, "provided") {
					continue // its own bootstrap: nothing to start ahead
				}
				b.Run(mode+"/"+variant+"/"+f.Runtime, func(b *testing.B) {
					scratch := b.TempDir()
					ctx := context.Background()
					var ds []time.Duration
					var mem int
					for b.Loop() {
						b.StopTimer()
						p, err := sandbox.NewPool(sandbox.PoolConfig{Function: f, Runtimes: runtimes, ScratchDir: scratch, Isolation: iso})
						if err != nil {
							b.Fatal(err)
						}
						if standby && !p.WaitStandby(ctx) {
							b.Fatal("no standby for the pool")
						}
						b.StartTimer()
						start := time.Now()
						resp, err := p.Invoke(ctx, sandbox.Request{RequestID: requestID()})
						if err != nil {
							b.Fatal(err)
						}
						ds = append(ds, time.Since(start))
						mem = resp.MaxMemoryMB
						b.StopTimer()
						if standby && p.Adopted() != 1 {
							b.Fatalf("environments started from a standby = %d, want 1", p.Adopted())
						}
						_ = p.Shutdown(ctx)
						b.StartTimer()
					}
					reportP50(b, ds)
					b.ReportMetric(float64(mem), "maxmem-MB")
				})
			}
		}
	}
}

// withStandby is an Isolation of iso's mode with standby processes.
func withStandby(b *testing.B, iso *sandbox.Isolation) *sandbox.Isolation {
	setting := sandbox.SandboxAuto
	if iso.Mode() == sandbox.ModeFallback {
		setting = sandbox.SandboxOff
	}
	s, err := sandbox.NewIsolation(context.Background(), sandbox.IsolationConfig{Setting: setting})
	if err != nil || s.Mode() != iso.Mode() {
		b.Fatalf("NewIsolation(%s) = %v, %v; want mode %s", setting, s.Mode(), err, iso.Mode())
	}
	return s
}
