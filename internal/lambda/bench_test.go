package lambda_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// BenchmarkInvokeWarm measures Service.Invoke on a warm environment with
// a constant Python handler: record cache, lease, pool, Runtime API round
// trip, metrics. The brief's target is a p50 under 300 µs.
func BenchmarkInvokeWarm(b *testing.B) {
	s := newService(b, lambda.Config{})
	create(b, s, pyFunction(b, "fn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"))
	ctx := context.Background()
	in := lambda.InvokeInput{FunctionName: "fn", Payload: []byte(`{"k":"v"}`)}
	invoke(b, s, "fn", `{}`)
	ds := make([]time.Duration, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := s.Invoke(ctx, in); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkConcurrentSleeps runs 50 invocations of a handler that sleeps
// 1 s all at once: they should take about 1 s together on about 50
// environments (the brief's target: within 2.5 s).
func BenchmarkConcurrentSleeps(b *testing.B) {
	s := newService(b, lambda.Config{})
	create(b, s, pyFunction(b, "fn", "import time\ndef handler(event, context):\n    time.sleep(1)\n    return 'slept'\n"))
	ctx := context.Background()
	var walls []time.Duration
	for b.Loop() {
		start := time.Now()
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn"}); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		walls = append(walls, time.Since(start))
	}
	st, _ := s.Environments("fn")
	// The first round starts the environments (cold); the others reuse them.
	b.ReportMetric(walls[0].Seconds(), "cold-wall-s")
	slices.Sort(walls)
	b.ReportMetric(walls[len(walls)/2].Seconds(), "wall-s")
	b.ReportMetric(float64(st.Created), "environments")
}

// BenchmarkIdleFunctions deploys 200 functions and invokes none: they
// should start no process and cost little memory (the brief's target:
// under 10 MB together).
func BenchmarkIdleFunctions(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := newService(b, lambda.Config{})
		heap0, rss0 := memory()
		b.StartTimer()
		for i := range 200 {
			in := inline(fmt.Sprintf("idle-%03d", i))
			src := fmt.Sprintf("def handler(event, context):\n    return %d\n", i)
			in.Code.InlineSource = &src
			create(b, s, in)
		}
		b.StopTimer()
		heap1, rss1 := memory()
		b.ReportMetric(float64(heap1-heap0)/(1<<20), "heap-MB")
		b.ReportMetric(float64(rss1-rss0)/(1<<20), "rss-MB")
		b.ReportMetric(float64(children()), "processes")
		b.StartTimer()
	}
}

// memory returns the live heap after a collection and the process's RSS.
func memory() (heap, rss int64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	f, err := os.Open("/proc/self/status")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				rss = kb << 10
			}
		}
	}
	return int64(m.HeapAlloc), rss
}

// children counts this process's child processes.
func children() int {
	entries, _ := os.ReadDir("/proc")
	me := strconv.Itoa(os.Getpid())
	n := 0
	for _, e := range entries {
		raw, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so split after ')'.
		s := string(raw)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			if f := strings.Fields(s[i+1:]); len(f) > 1 && f[1] == me {
				n++
			}
		}
	}
	return n
}
