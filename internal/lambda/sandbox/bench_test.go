package sandbox_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

const constantCode = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"

// reportP50 adds the median of ds as a metric.
func reportP50(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2])/float64(time.Millisecond), "p50-ms")
}

// BenchmarkWarmInvoke measures Pool.Invoke on a warm environment with a
// constant Python handler.
func BenchmarkWarmInvoke(b *testing.B) {
	code := writeCode(b, map[string]string{"app.py": constantCode})
	p := newPool(b, sandbox.PoolConfig{Function: function(newestPython(b), "app.handler", code)})
	invoke(b, p, `{}`)
	ds := make([]time.Duration, 0, b.N)
	req := sandbox.Request{RequestID: requestID(), Payload: []byte(`{"k":"v"}`)}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := p.Invoke(ctx, req); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	reportP50(b, ds)
}

// BenchmarkColdStart measures the first Pool.Invoke of a new pool: process
// start, runtime client start, handler import, the invocation itself.
func BenchmarkColdStart(b *testing.B) {
	code := writeCode(b, map[string]string{"app.py": constantCode})
	rt := newestPython(b)
	scratch := b.TempDir()
	ctx := context.Background()
	var ds []time.Duration
	for b.Loop() {
		b.StopTimer()
		p, err := sandbox.NewPool(sandbox.PoolConfig{Function: function(rt, "app.handler", code), Runtimes: runtimes, ScratchDir: scratch})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := p.Invoke(ctx, sandbox.Request{RequestID: requestID()}); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
		b.StopTimer()
		_ = p.Shutdown(ctx)
		b.StartTimer()
	}
	b.StopTimer()
	reportP50(b, ds)
}
