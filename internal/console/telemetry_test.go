package console

import (
	"math"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/google/go-cmp/cmp"
)

func TestPercentile(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		p      float64
		want   float64
	}{
		{"empty", nil, 50, 0},
		{"one", []float64{7}, 99, 7},
		{"p50-odd", []float64{5, 1, 3}, 50, 3},
		{"p50-even", []float64{4, 1, 3, 2}, 50, 2},
		{"p99-of-100", seq(100), 99, 99},
		{"p99-of-10", seq(10), 99, 10},
		{"p100", seq(10), 100, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(append([]float64(nil), tt.values...), tt.p); got != tt.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.values, tt.p, got, tt.want)
			}
		})
	}
}

func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i + 1)
	}
	return out
}

func TestSeries(t *testing.T) {
	end := time.Date(2026, 11, 25, 12, 3, 0, 0, time.UTC)
	at := func(min, sec int) time.Time {
		return end.Add(-3 * time.Minute).Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
	}
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	invs := []lambda.InvocationRecord{
		{Start: at(0, 1), Duration: ms(10), Status: lambda.StatusSuccess},
		{Start: at(0, 1), Duration: ms(30), Status: lambda.StatusError},    // overlaps the first
		{Start: at(0, 30), Duration: ms(20), Status: lambda.StatusSuccess}, // alone
		{Start: at(1, 0), Status: lambda.StatusThrottled},
		{Start: at(1, 50), Duration: 20 * time.Second, Status: lambda.StatusTimeout}, // runs into minute 2
		{Start: at(2, 5), Duration: ms(5), Status: lambda.StatusSuccess},             // while the timeout runs
		{Start: at(-1, 0), Duration: ms(5), Status: lambda.StatusSuccess},            // before the window
		{Start: end, Duration: ms(5), Status: lambda.StatusSuccess},                  // after it
	}
	got := Series(invs, end, time.Minute, 3)
	want := []Point{
		{Start: at(0, 0), Invocations: 3, Errors: 1, P50Ms: 20, P99Ms: 30, Concurrency: 2},
		{Start: at(1, 0), Invocations: 1, Errors: 1, Throttles: 1, P50Ms: 20000, P99Ms: 20000, Concurrency: 1},
		{Start: at(2, 0), Invocations: 1, P50Ms: 5, P99Ms: 5, Concurrency: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Series mismatch (-want +got):\n%s", diff)
	}
	if got := Series(invs, end, time.Minute, 0); got != nil {
		t.Errorf("Series(n=0) = %v, want nil", got)
	}
}

func TestBackToBackIsNotConcurrent(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	invs := []lambda.InvocationRecord{
		{Start: start.Add(time.Second), Duration: time.Second, Status: lambda.StatusSuccess},
		{Start: start.Add(2 * time.Second), Duration: time.Second, Status: lambda.StatusSuccess},
	}
	if got := Series(invs, start.Add(time.Minute), time.Minute, 1)[0].Concurrency; got != 1 {
		t.Errorf("concurrency of back-to-back invocations = %d, want 1", got)
	}
}

func TestEstimateCost(t *testing.T) {
	// 1,000 invocations of 100 ms billed at 1024 MB: 100 GB-seconds.
	invs := make([]lambda.InvocationRecord, 1000)
	for i := range invs {
		invs[i] = lambda.InvocationRecord{BilledMs: 100, MemoryMB: 1024, Status: lambda.StatusSuccess}
	}
	invs = append(invs, lambda.InvocationRecord{BilledMs: 0, MemoryMB: 1024, Status: lambda.StatusThrottled})
	got := EstimateCost(invs, Prices)
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }
	if got.Invocations != 1000 || !near(got.GBSeconds, 100) {
		t.Fatalf("EstimateCost = %+v, want 1000 invocations and 100 GB-s", got)
	}
	if want := 0.0002 + 100*0.0000166667; !near(got.X86, want) {
		t.Errorf("X86 = %v, want %v", got.X86, want)
	}
	if want := 0.0002 + 100*0.0000133334; !near(got.ARM64, want) {
		t.Errorf("ARM64 = %v, want %v", got.ARM64, want)
	}
	if !near(got.PerMillionX86, got.X86*1000) {
		t.Errorf("PerMillionX86 = %v, want %v", got.PerMillionX86, got.X86*1000)
	}
	if want := (got.X86 - got.ARM64) / got.X86 * 100; !near(got.Saving, want) || got.Saving < 17 {
		t.Errorf("Saving = %v%%, want %v%%", got.Saving, want)
	}
	if z := EstimateCost(nil, Prices); z != (Cost{}) {
		t.Errorf("EstimateCost(nil) = %+v, want zero", z)
	}
	if got := HTTPAPICost(3_000_000, Prices); !near(got, 3) {
		t.Errorf("HTTPAPICost(3M) = %v, want 3", got)
	}
}

func TestFmtUSD(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "$0"}, {12.5, "$12.5"}, {3, "$3"}, {0.0002, "$0.0002"}, {0.00166667, "$0.00167"}, {1234.567, "$1234.57"},
	}
	for _, tt := range tests {
		if got := fmtUSD(tt.in); got != tt.want {
			t.Errorf("fmtUSD(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
