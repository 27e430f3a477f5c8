package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Units figures are kept in. A figure's values are stored in its unit, so
// that the report prints them as measured.
const (
	unitMicros = "µs"
	unitMillis = "ms"
	unitSecs   = "s"
	unitNanos  = "ns"
	unitRPS    = "req/s"
	unitMB     = "MB"
	unitCount  = ""
	unitRatio  = "×"
)

// Target is an issue's bound on a figure's median.
type Target struct {
	// Op is "<", ">" or "=".
	Op    string
	Value float64
	// Source names the issue the target comes from.
	Source string
}

func (t Target) met(v float64) bool {
	switch t.Op {
	case "<":
		return v < t.Value
	case ">":
		return v > t.Value
	default:
		return v == t.Value
	}
}

// Figure is one measured quantity: its repetitions and how to judge it.
type Figure struct {
	// ID is a stable key (analysis.md's sections use it).
	ID string
	// Section is the row, 1–7.
	Section int
	Name    string
	Unit    string
	// Values holds one value per repetition.
	Values []float64
	Target *Target
	// Floor is the ID of the floor figure this one is compared with.
	Floor string
	// NA says why the figure has no value (a missing tool, something not
	// built); empty when it was measured or not run yet.
	NA string
	// Note is printed after the figure's name.
	Note string
}

// Median is the median of the repetitions; NaN when there are none.
func (f *Figure) Median() float64 { return median(f.Values) }

// Verdict is PASS, FAIL or "" (no target, or not run). A figure with a
// target that could not be measured (NA) fails: a target nobody met is
// not met.
func (f *Figure) Verdict() string {
	if f.Target == nil || len(f.Values) == 0 && f.NA == "" {
		return ""
	}
	if len(f.Values) == 0 || !f.Target.met(f.Median()) {
		return "FAIL"
	}
	return "PASS"
}

// add records one repetition's value.
func (f *Figure) add(v float64) { f.Values = append(f.Values, v) }

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile is the nearest-rank percentile p (0 < p ≤ 100) of sorted
// durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// The epsilon keeps 99.9% of 1000 at rank 999 despite float rounding.
	i := int(math.Ceil(p*float64(len(sorted))/100-1e-9)) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// format prints v in unit with sensible precision.
func format(v float64, unit string) string {
	if math.IsNaN(v) {
		return "—"
	}
	var s string
	switch {
	case unit == unitCount:
		s = fmt.Sprintf("%.0f", v)
	case unit == unitRatio:
		s = fmt.Sprintf("%.2f", v)
	case math.Abs(v) >= 1000:
		s = thousands(v)
	case math.Abs(v) >= 100:
		s = fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		s = fmt.Sprintf("%.1f", v)
	default:
		s = fmt.Sprintf("%.2f", v)
	}
	switch unit {
	case unitCount:
		return s
	case unitRatio:
		return s + "×"
	}
	return s + " " + unit
}

// thousands prints a whole number with commas: 12,345.
func thousands(v float64) string {
	n := int64(math.Round(v))
	neg := n < 0
	if neg {
		n = -n
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// text prints a target as the report shows it: "< 300 ms", "> 4,000 req/s".
func (t Target) text(unit string) string {
	v := fmt.Sprintf("%g", t.Value)
	if t.Value == math.Trunc(t.Value) {
		v = thousands(t.Value)
	}
	switch unit {
	case unitCount:
		return t.Op + " " + v
	case unitRatio:
		return t.Op + " " + v + "×"
	}
	return t.Op + " " + v + " " + unit
}
