package console

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// Point is one bucket of a function's metrics over time.
type Point struct {
	Start                          time.Time
	Invocations, Errors, Throttles int
	P50Ms, P99Ms                   float64
	// Concurrency is the most invocations that overlapped in the bucket.
	Concurrency int
}

// Series buckets invocation records into n buckets of width step ending
// at end, oldest first. It is how the charts show metrics over time from
// the recent invocations the Lambda service keeps.
func Series(invs []lambda.InvocationRecord, end time.Time, step time.Duration, n int) []Point {
	if n <= 0 || step <= 0 {
		return nil
	}
	start := end.Add(-time.Duration(n) * step)
	pts := make([]Point, n)
	durs := make([][]float64, n)
	for i := range pts {
		pts[i].Start = start.Add(time.Duration(i) * step)
	}
	for _, inv := range invs {
		if inv.Start.Before(start) || !inv.Start.Before(end) {
			continue
		}
		i := int(inv.Start.Sub(start) / step)
		p := &pts[i]
		switch inv.Status {
		case lambda.StatusThrottled:
			p.Throttles++
			continue
		case lambda.StatusError, lambda.StatusTimeout:
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
func concurrency(invs []lambda.InvocationRecord, start time.Time, step time.Duration, n int) []int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, inv := range invs {
		if inv.Status == lambda.StatusThrottled {
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
