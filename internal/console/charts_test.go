package console

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

// TestChartSVGIsWellFormed: the charts are inlined in HTML, so they must
// parse as XML whatever the data, and escape their titles.
func TestChartSVGIsWellFormed(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	pts := []Point{{Start: start, Invocations: 3, Errors: 1, P50Ms: 2.5, P99Ms: 9, Concurrency: 2}, {Start: start.Add(time.Minute)}}
	charts := functionCharts(pts, time.Minute)
	charts = append(charts, chart{Title: `<script>alert("x")</script> & co`, Series: []chartSeries{{Name: "a<b", Class: "s1", Values: []float64{1}}}})
	charts = append(charts, chart{Title: "empty"})
	for _, c := range charts {
		svg := c.SVG()
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("chart %q SVG does not parse: %v\n%s", c.Title, err, svg)
			}
		}
		if strings.Contains(svg, "<script>") {
			t.Errorf("chart %q does not escape its title", c.Title)
		}
	}
	if n := strings.Count(charts[0].SVG(), "<rect"); n != 2 {
		t.Errorf("invocations chart has %d bars, want 2 (invocations and errors; zeros are not drawn)", n)
	}
}

func TestNiceCeil(t *testing.T) {
	tests := []struct{ in, want float64 }{{0, 1}, {0.3, 0.5}, {1, 1}, {3, 5}, {7, 10}, {12, 20}, {250, 500}, {1000, 1000}}
	for _, tt := range tests {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestChartGaps: a bucket without invocations has no duration; the line
// breaks there instead of dropping to zero.
func TestChartGaps(t *testing.T) {
	nan := math.NaN()
	svg := chart{Title: "d", Unit: "ms", Series: []chartSeries{{Name: "p50", Class: "s1", Values: []float64{nan, 1, nan, 2, 3}}}}.SVG()
	if c, p := strings.Count(svg, "<circle"), strings.Count(svg, "<polyline"); c != 1 || p != 1 {
		t.Errorf("chart with gaps has %d dots and %d lines, want 1 and 1:\n%s", c, p, svg)
	}
	if strings.Contains(svg, "NaN") {
		t.Errorf("chart shows NaN:\n%s", svg)
	}
}
