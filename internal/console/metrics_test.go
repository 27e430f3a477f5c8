package console

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff):\n%s", name, got)
	}
}

func sampleFigures() Figures {
	ms := time.Millisecond
	return Figures{
		Lambda: lambda.Metrics{AccountConcurrency: 1000, UnreservedConcurrentExecutions: 900, ConcurrentExecutions: 1, PeakConcurrentExecutions: 2,
			Invocations: 3, Errors: 1, Throttles: 2,
			Functions: []lambda.FunctionMetrics{
				{FunctionName: "fa-005-function", Invocations: 3, Errors: 1, Timeouts: 1, Throttles: 2, ColdStarts: 1,
					ConcurrentExecutions: 1, PeakConcurrentExecutions: 2, DurationP50: 2500 * time.Microsecond, DurationP99: 8 * ms, DurationMax: 8 * ms,
					TotalDuration: 12500 * time.Microsecond, BilledMs: 220, GBSeconds: 0.0275},
				{FunctionName: "invoked-but-deleted", Invocations: 1, TotalDuration: ms, BilledMs: 1, GBSeconds: 0.000125},
			}},
		Functions:    []string{"fa-005-function", `we"ird\name`},
		Environments: map[string]sandbox.Stats{"fa-005-function": {Environments: 1, Idle: 1, Created: 1, Inits: 1}},
		Routes: []apigw.RouteMetrics{
			{APIID: "zt4ooxqesp", Stage: "$default", RouteKey: "GET /", Count: 3, LatencyMillis: 30, IntegrationLatencyMillis: 24},
			{APIID: "zt4ooxqesp", Stage: "$default", RouteKey: "", Count: 1, Count4XX: 1, LatencyMillis: 1},
		},
		Stacks: map[string]int{"CREATE_COMPLETE": 3, "ROLLBACK_COMPLETE": 1},
		Prices: Prices,
	}
}

func TestWritePrometheusGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePrometheus(&buf, sampleFigures()); err != nil {
		t.Fatal(err)
	}
	checkExposition(t, buf.String())
	golden(t, "metrics.golden", buf.Bytes())
}

var (
	sampleRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)\})? (\S+)$`)
	typeRE   = regexp.MustCompile(`^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$`)
	helpRE   = regexp.MustCompile(`^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$`)
)

// checkExposition checks text against the Prometheus text format rules a
// scraper enforces: every sample belongs to a family whose TYPE came
// first, a family is declared once, values are numbers, counters end in
// _total or are summaries' parts, and label values are escaped.
func checkExposition(t *testing.T, text string) {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Errorf("exposition does not end with a newline")
	}
	types := map[string]string{}
	current := ""
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case helpRE.MatchString(line):
		case typeRE.MatchString(line):
			m := typeRE.FindStringSubmatch(line)
			if _, dup := types[m[1]]; dup {
				t.Errorf("line %d: family %s declared twice", i+1, m[1])
			}
			types[m[1]], current = m[2], m[1]
		case sampleRE.MatchString(line):
			m := sampleRE.FindStringSubmatch(line)
			name := m[1]
			family := name
			if types[current] == "summary" {
				family = strings.TrimSuffix(strings.TrimSuffix(name, "_sum"), "_count")
			}
			if family != current {
				t.Errorf("line %d: sample %s outside its family (current %s)", i+1, name, current)
			}
			if _, err := strconv.ParseFloat(m[4], 64); err != nil {
				t.Errorf("line %d: value %q is not a number", i+1, m[4])
			}
			if types[current] == "counter" && !strings.HasSuffix(name, "_total") {
				t.Errorf("line %d: counter %s does not end in _total", i+1, name)
			}
		default:
			t.Errorf("line %d is not valid exposition text: %q", i+1, line)
		}
	}
}
