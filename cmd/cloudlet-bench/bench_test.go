package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// TestMain lets the test binary serve the suite's roles (the floor
// harness, the stub gateway), which the suite starts by executing
// itself again.
func TestMain(m *testing.M) {
	if code, ok := roleFromEnv(); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestShortRun runs the whole suite in -short mode — the real binary,
// real stacks, real load — and checks that the report has every section
// and every figure's row with a value or a stated reason. It never checks
// the figures: shared machines are too noisy for thresholds.
func TestShortRun(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not found on PATH: needed to build cloudlet and the Go function")
	}
	if _, _, err := sandbox.NewRuntimes(nil).Python(pythonRuntime); err != nil {
		t.Skipf("no Python for the seed's %s: %v", pythonRuntime, err)
	}
	seed, err := filepath.Abs("../../../shared/seed/fa-005")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(seed, "fa-005.yaml")); err != nil {
		t.Fatalf("the seed templates must sit beside the repository (../shared/seed/fa-005): %v", err)
	}
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	var log bytes.Buffer
	if code := run(t.Context(), []string{"-short", "-out", out, "-seed", seed}, &log); code != 0 {
		t.Fatalf("run(-short) = exit %d, want 0\n%s", code, log.String())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	report := string(raw)
	for i, sec := range sections {
		if want := fmt.Sprintf("## %d. %s\n", i+1, sec.Title); !strings.Contains(report, want) {
			t.Errorf("report has no heading %q", want)
		}
	}
	for _, want := range []string{"| CPU |", "| Go |", "| Python |", "| Node.js |", "## What limits each FAIL", "## Notes"} {
		if !strings.Contains(report, want) {
			t.Errorf("report has no %q", want)
		}
	}
	for _, f := range catalog() {
		cell := rowMedian(report, f.Name)
		switch {
		case cell == "":
			t.Errorf("report has no row %q", f.Name)
		case cell == "not run" || strings.HasPrefix(cell, "error"):
			t.Errorf("row %q = %q, want a figure or n/a with a reason", f.Name, cell)
		case strings.HasPrefix(cell, "n/a") && f.NA == "" && !strings.HasPrefix(f.ID, "coldpool.") && !strings.Contains(cell, "node"):
			t.Errorf("row %q = %q: only the missing pool or a missing node may leave a figure out", f.Name, cell)
		}
	}
}

// rowMedian returns the median cell of the report row named name.
func rowMedian(report, name string) string {
	for _, line := range strings.Split(report, "\n") {
		if rest, ok := strings.CutPrefix(line, "| "+name+" | "); ok {
			cell, _, _ := strings.Cut(rest, " | ")
			return cell
		}
	}
	return ""
}

// TestReportGolden pins the report's layout with fixed figures.
func TestReportGolden(t *testing.T) {
	s := newSuite(config{Short: false})
	s.started = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s.elapsed = 9*time.Minute + 30*time.Second
	s.loadAt = [2]string{"0.50", "1.25"}
	s.machine = machine{CPU: "Test CPU", Cores: "2", Memory: "8.0 GB", Kernel: "Linux 6.1", Go: "go1.26.8", Commit: "abc123"}
	s.tools = &tools{python: "/usr/bin/python3.8", pythonVersion: "3.8.18", node: "/usr/bin/node", nodeVersion: "v20.20.2", nodeRuntime: "nodejs20.x"}
	s.notes["Function sandbox"] = "plain processes"
	for i, f := range s.figs {
		switch {
		case strings.HasPrefix(f.ID, "coldpool."):
			f.NA = "n/a (not built)"
		case f.ID == "warm.go.p50":
			f.NA = "error: boom | pipe"
		default:
			for r := range 5 {
				f.add(float64(i%7+1) * float64(r+1) * 10)
			}
		}
	}
	var buf bytes.Buffer
	if err := s.write(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("report differs from %s (go test -update rewrites it); got:\n%s", golden, got)
	}
}

func TestPercentile(t *testing.T) {
	ds := make([]time.Duration, 1000)
	for i := range ds {
		ds[i] = time.Duration(i+1) * time.Microsecond
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{50, 500 * time.Microsecond},
		{90, 900 * time.Microsecond},
		{99, 990 * time.Microsecond},
		{99.9, 999 * time.Microsecond},
		{100, 1000 * time.Microsecond},
	}
	for _, tt := range tests {
		if got := percentile(ds, tt.p); got != tt.want {
			t.Errorf("percentile(1..1000 µs, %v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil, 50) = %v, want 0", got)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{0.1234, unitMicros, "0.12 µs"},
		{12.345, unitMillis, "12.3 ms"},
		{123.4, unitMicros, "123 µs"},
		{12345.6, unitRPS, "12,346 req/s"},
		{1234567, unitNanos, "1,234,567 ns"},
		{50, unitCount, "50"},
		{1.456, unitRatio, "1.46×"},
	}
	for _, tt := range tests {
		if got := format(tt.v, tt.unit); got != tt.want {
			t.Errorf("format(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}

func TestVerdict(t *testing.T) {
	lt := &Target{Op: "<", Value: 10}
	tests := []struct {
		name string
		f    Figure
		want string
	}{
		{"no-target", Figure{Values: []float64{1}}, ""},
		{"not-run", Figure{Target: lt}, ""},
		{"not-measurable", Figure{Target: lt, NA: "n/a (not built)"}, "FAIL"},
		{"below", Figure{Target: lt, Values: []float64{9, 11, 8}}, "PASS"},
		{"above", Figure{Target: lt, Values: []float64{12, 11, 8}}, "FAIL"},
		{"greater", Figure{Target: &Target{Op: ">", Value: 4000}, Values: []float64{4001}}, "PASS"},
		{"equal", Figure{Target: &Target{Op: "=", Value: 0}, Values: []float64{0}}, "PASS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Verdict(); got != tt.want {
				t.Errorf("Verdict(%v) = %q, want %q", tt.f.Values, got, tt.want)
			}
		})
	}
}

// Every analysis section names figures that exist and have a target.
func TestAnalysisNamesFigures(t *testing.T) {
	byID := map[string]*Figure{}
	for _, f := range catalog() {
		byID[f.ID] = f
	}
	heads := regexp.MustCompile(`(?m)^## (.*)$`).FindAllStringSubmatch(analysis, -1)
	for _, h := range heads {
		if strings.HasPrefix(h[1], "note: ") {
			continue
		}
		for _, id := range strings.FieldsFunc(h[1], func(r rune) bool { return r == ' ' || r == ',' }) {
			f, ok := byID[id]
			switch {
			case !ok:
				t.Errorf("analysis.md section %q names unknown figure %q", h[1], id)
			case f.Target == nil:
				t.Errorf("analysis.md section %q names %q, which has no target and so never fails", h[1], id)
			}
		}
		if a := analysisFor(strings.Fields(h[1])[0]); a == "" {
			t.Errorf("analysis.md section %q is empty", h[1])
		}
	}
}
