package console

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"time"
)

// chartSeries is one line or set of bars.
type chartSeries struct {
	Name string
	// Class picks the colour in console.css (s1, s2, s3).
	Class  string
	Values []float64
}

// chart is an inline SVG chart drawn on the server, so it shows without
// JavaScript and costs no library.
type chart struct {
	Title, Unit string
	// Bars draws bars (counts); otherwise lines (durations).
	Bars   bool
	Start  time.Time
	Step   time.Duration
	Series []chartSeries
}

const (
	chartW, chartH = 560, 150
	padL, padR     = 44, 8
	padT, padB     = 10, 20
)

// SVG renders the chart. Every text it includes is escaped.
func (c chart) SVG() string {
	n := 0
	top := 0.0
	for _, s := range c.Series {
		n = max(n, len(s.Values))
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				top = max(top, v)
			}
		}
	}
	top = niceCeil(top)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, chartW, chartH, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	plotW := float64(chartW - padL - padR)
	plotH := float64(chartH - padT - padB)
	y := func(v float64) float64 { return float64(padT) + plotH - v/top*plotH }
	// Grid and y labels at 0, half and top.
	for _, f := range []float64{0, 0.5, 1} {
		yy := y(top * f)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, padL, yy, chartW-padR, yy)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, padL-4, yy+3, html.EscapeString(fmtAxis(top*f, c.Unit)))
	}
	if n > 0 {
		slot := plotW / float64(n)
		for si, s := range c.Series {
			if c.Bars {
				w := slot / float64(len(c.Series)) * 0.8
				for i, v := range s.Values {
					if v <= 0 {
						continue
					}
					x := float64(padL) + float64(i)*slot + slot*0.1 + float64(si)*w
					fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s</title></rect>`,
						s.Class, x, y(v), w, y(0)-y(v), html.EscapeString(s.Name), html.EscapeString(fmtAxis(v, c.Unit)))
				}
				continue
			}
			// NaN is a bucket without data: the line breaks there, and a
			// lone point is drawn as a dot.
			var seg []string
			flush := func() {
				switch len(seg) {
				case 0:
				case 1:
					cx, cy, _ := strings.Cut(seg[0], ",")
					fmt.Fprintf(&b, `<circle class="%s" cx="%s" cy="%s" r="2.5"><title>%s</title></circle>`, s.Class, cx, cy, html.EscapeString(s.Name))
				default:
					fmt.Fprintf(&b, `<polyline class="%s" fill="none" points="%s"><title>%s</title></polyline>`, s.Class, strings.Join(seg, " "), html.EscapeString(s.Name))
				}
				seg = seg[:0]
			}
			for i, v := range s.Values {
				if math.IsNaN(v) {
					flush()
					continue
				}
				seg = append(seg, fmt.Sprintf("%.1f,%.1f", float64(padL)+(float64(i)+0.5)*slot, y(v)))
			}
			flush()
		}
		if !c.Start.IsZero() {
			end := c.Start.Add(time.Duration(n) * c.Step)
			fmt.Fprintf(&b, `<text class="axis" x="%d" y="%d">%s</text>`, padL, chartH-5, c.Start.UTC().Format("15:04"))
			fmt.Fprintf(&b, `<text class="axis" x="%d" y="%d" text-anchor="end">%s UTC</text>`, chartW-padR, chartH-5, end.UTC().Format("15:04"))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func fmtAxis(v float64, unit string) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if v != math.Trunc(v) {
		s = strconv.FormatFloat(v, 'f', 1, 64)
	}
	if unit != "" {
		s += " " + unit
	}
	return s
}

// functionCharts draws a function's metrics over time: invocations with
// errors and throttles, duration p50 and p99, and concurrency.
func functionCharts(pts []Point, step time.Duration) []chart {
	if len(pts) == 0 {
		return nil
	}
	n := len(pts)
	inv, errs, thr := make([]float64, n), make([]float64, n), make([]float64, n)
	p50, p99, conc := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, p := range pts {
		inv[i], errs[i], thr[i] = float64(p.Invocations), float64(p.Errors), float64(p.Throttles)
		p50[i], p99[i], conc[i] = p.P50Ms, p.P99Ms, float64(p.Concurrency)
		if p.Invocations == 0 {
			p50[i], p99[i] = math.NaN(), math.NaN() // no duration to show, not a zero one
		}
	}
	start := pts[0].Start
	per := "per " + humanStep(step)
	return []chart{
		{Title: "Invocations, errors and throttles " + per, Bars: true, Start: start, Step: step, Series: []chartSeries{
			{Name: "Invocations", Class: "s1", Values: inv}, {Name: "Errors", Class: "s2", Values: errs}, {Name: "Throttles", Class: "s3", Values: thr}}},
		{Title: "Duration p50 and p99", Unit: "ms", Start: start, Step: step, Series: []chartSeries{
			{Name: "p50", Class: "s1", Values: p50}, {Name: "p99", Class: "s2", Values: p99}}},
		{Title: "Concurrent executions (peak)", Bars: true, Start: start, Step: step, Series: []chartSeries{
			{Name: "Concurrency", Class: "s1", Values: conc}}},
	}
}

// humanStep names a bucket width: "minute", "5 minutes", "10 s".
func humanStep(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "minute"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	}
	return d.String()
}
