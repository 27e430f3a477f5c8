package console

import (
	"math"
	"slices"
	"sort"
	"time"
)

// Invocation statuses.
const (
	StatusSuccess   = "success"
	StatusError     = "error"
	StatusTimeout   = "timeout"
	StatusThrottled = "throttled"
)

// Invocation is one recent invocation of a function.
type Invocation struct {
	RequestID string
	// Start is when the function began running (for throttled calls, when
	// the call was refused).
	Start    time.Time
	Duration time.Duration
	// BilledMs is the billed duration in milliseconds, Init included on
	// cold starts (spec lambda §6.2).
	BilledMs              int64
	MemoryMB, MaxMemoryMB int
	Cold                  bool
	// Status is StatusSuccess, StatusError, StatusTimeout or
	// StatusThrottled; ErrorType names the error when there is one.
	Status    string
	ErrorType string
}

// FunctionMetrics are one function's counters since the server started.
type FunctionMetrics struct {
	Function                       string
	Invocations, Errors, Throttles int64
	// Concurrent is the number of invocations running now (-1 when the
	// source cannot know); PeakConcurrent the most at once.
	Concurrent, PeakConcurrent int
	// DurationMs and BilledMs are sums over all invocations; GBSeconds is
	// the billed duration times the memory size, summed.
	DurationMs float64
	BilledMs   int64
	GBSeconds  float64
	// P50Ms and P99Ms are the duration percentiles over recent invocations.
	P50Ms, P99Ms float64
}

// Telemetry reports what functions did. Implementations are safe for
// concurrent use.
type Telemetry interface {
	// Invocations returns a function's recent invocations, newest first.
	Invocations(function string) []Invocation
	// Metrics returns every function's counters, by function name.
	Metrics() []FunctionMetrics
}

// Point is one bucket of a function's metrics over time.
type Point struct {
	Start                          time.Time
	Invocations, Errors, Throttles int
	P50Ms, P99Ms                   float64
	// Concurrency is the most invocations that overlapped in the bucket.
	Concurrency int
}

// Series buckets invocations into n buckets of width step ending at end,
// oldest first. It is how the charts show metrics over time from the
// recent invocations alone.
func Series(invs []Invocation, end time.Time, step time.Duration, n int) []Point {
	if n <= 0 || step <= 0 {
		return nil
	}
	start := end.Add(-time.Duration(n) * step)
	pts := make([]Point, n)
	durs := make([][]float64, n)
	for i := range pts {
		pts[i].Start = start.Add(time.Duration(i) * step)
	}
	bucket := func(t time.Time) int {
		if t.Before(start) || !t.Before(end) {
			return -1
		}
		return int(t.Sub(start) / step)
	}
	for _, inv := range invs {
		i := bucket(inv.Start)
		if i < 0 {
			continue
		}
		p := &pts[i]
		switch inv.Status {
		case StatusThrottled:
			p.Throttles++
			continue
		case StatusError, StatusTimeout:
			p.Errors++
		}
		p.Invocations++
		durs[i] = append(durs[i], float64(inv.Duration)/float64(time.Millisecond))
	}
	for i := range pts {
		pts[i].P50Ms = Percentile(durs[i], 50)
		pts[i].P99Ms = Percentile(durs[i], 99)
	}
	for i, c := range concurrency(invs, start, step, n) {
		pts[i].Concurrency = c
	}
	return pts
}

// concurrency returns, per bucket, the most invocations running at once.
func concurrency(invs []Invocation, start time.Time, step time.Duration, n int) []int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, inv := range invs {
		if inv.Status == StatusThrottled {
			continue
		}
		end := inv.Start.Add(inv.Duration)
		if !end.After(inv.Start) {
			end = inv.Start.Add(time.Nanosecond)
		}
		edges = append(edges, edge{inv.Start, 1}, edge{end, -1})
	}
	// Ends sort before starts at the same instant: back-to-back calls on
	// one environment are not concurrent.
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta
	})
	out := make([]int, n)
	running := 0
	for _, e := range edges {
		running += e.delta
		if e.delta < 0 || e.at.Before(start) {
			continue
		}
		i := int(e.at.Sub(start) / step)
		if i >= n {
			break
		}
		out[i] = max(out[i], running)
	}
	// A bucket spanned by a long invocation that started earlier still had
	// it running.
	running = 0
	k := 0
	for i := range n {
		t := start.Add(time.Duration(i) * step)
		for k < len(edges) && !edges[k].at.After(t) {
			running += edges[k].delta
			k++
		}
		out[i] = max(out[i], running)
	}
	return out
}

// Percentile returns the p-th percentile (nearest rank) of values, 0 when
// there are none. values is sorted in place.
func Percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sort.Float64s(values)
	rank := int(math.Ceil(p / 100 * float64(len(values))))
	rank = min(max(rank, 1), len(values))
	return values[rank-1]
}
