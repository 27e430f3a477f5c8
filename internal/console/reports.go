package console

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/logs"
)

// RecentInvocations is how many invocations per function ReportTelemetry
// keeps.
const RecentInvocations = 200

// LogTail is the part of CloudWatch Logs ReportTelemetry reads.
type LogTail interface {
	Subscribe(group, streamPrefix string) (<-chan logs.Event, func())
}

// ReportTelemetry derives invocation records and counters from the REPORT
// lines Lambda writes to each function's log group (spec lambda §6.1):
//
//	REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t[Init Duration: 90.00 ms\t][Status: error\tError Type: <type>\t]
//
// It sees the invocations made after it was created, of functions whose
// execution role may write logs and whose log group is the default
// /aws/lambda/<name>. Throttled calls write no REPORT, so they are not
// counted, and Concurrent is unknown (-1).
type ReportTelemetry struct {
	cancel func()
	done   chan struct{}

	mu  sync.Mutex
	fns map[string]*reportFunction
}

type reportFunction struct {
	recent []Invocation // ring, oldest overwritten first
	next   int
	m      FunctionMetrics
}

var _ Telemetry = (*ReportTelemetry)(nil)

// NewReportTelemetry subscribes to every log group and starts reading.
// It stops when Close is called or the log service shuts down.
func NewReportTelemetry(l LogTail, now func() time.Time) *ReportTelemetry {
	ch, cancel := l.Subscribe("", "")
	t := &ReportTelemetry{cancel: cancel, done: make(chan struct{}), fns: map[string]*reportFunction{}}
	go func() {
		defer close(t.done)
		for ev := range ch {
			if !strings.HasPrefix(ev.Message, "REPORT RequestId: ") {
				continue
			}
			name, ok := strings.CutPrefix(ev.LogGroupName, "/aws/lambda/")
			if !ok {
				continue
			}
			if inv, ok := ParseReport(ev.Message, time.UnixMilli(ev.Timestamp)); ok {
				t.add(name, inv)
			}
		}
	}()
	return t
}

// Close ends the subscription and waits for the reader to stop.
func (t *ReportTelemetry) Close() {
	t.cancel()
	<-t.done
}

func (t *ReportTelemetry) add(name string, inv Invocation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fns[name]
	if f == nil {
		f = &reportFunction{m: FunctionMetrics{Function: name, Concurrent: -1}}
		t.fns[name] = f
	}
	if len(f.recent) < RecentInvocations {
		f.recent = append(f.recent, inv)
	} else {
		f.recent[f.next] = inv
		f.next = (f.next + 1) % RecentInvocations
	}
	m := &f.m
	m.Invocations++
	if inv.Status == StatusError || inv.Status == StatusTimeout {
		m.Errors++
	}
	m.DurationMs += float64(inv.Duration) / float64(time.Millisecond)
	m.BilledMs += inv.BilledMs
	m.GBSeconds += gbSeconds(inv)
}

// Invocations returns the function's recent invocations, newest first.
func (t *ReportTelemetry) Invocations(function string) []Invocation {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fns[function]
	if f == nil {
		return nil
	}
	out := make([]Invocation, 0, len(f.recent))
	for i := len(f.recent) - 1; i >= 0; i-- {
		out = append(out, f.recent[(f.next+i)%len(f.recent)])
	}
	return out
}

// Metrics returns every function's counters, by name.
func (t *ReportTelemetry) Metrics() []FunctionMetrics {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]FunctionMetrics, 0, len(t.fns))
	for _, f := range t.fns {
		m := f.m
		durs := make([]float64, len(f.recent))
		for i, inv := range f.recent {
			durs[i] = float64(inv.Duration) / float64(time.Millisecond)
		}
		m.P50Ms, m.P99Ms = Percentile(durs, 50), Percentile(durs, 99)
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Function < out[j].Function })
	return out
}

// ParseReport reads a REPORT line written at end. Start is end minus the
// duration.
func ParseReport(line string, end time.Time) (Invocation, bool) {
	rest, ok := strings.CutPrefix(line, "REPORT RequestId: ")
	if !ok {
		return Invocation{}, false
	}
	fields := strings.Split(rest, "\t")
	inv := Invocation{RequestID: strings.TrimSpace(fields[0]), Status: StatusSuccess}
	if inv.RequestID == "" {
		return Invocation{}, false
	}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, ": ")
		if !ok {
			continue
		}
		switch k {
		case "Duration":
			inv.Duration = parseMs(v)
		case "Billed Duration":
			inv.BilledMs = int64(parseMs(v) / time.Millisecond)
		case "Memory Size":
			inv.MemoryMB = parseMB(v)
		case "Max Memory Used":
			inv.MaxMemoryMB = parseMB(v)
		case "Init Duration":
			inv.Cold = true
		case "Status":
			inv.Status = strings.TrimSpace(v)
		case "Error Type":
			inv.ErrorType = strings.TrimSpace(v)
		}
	}
	inv.Start = end.Add(-inv.Duration)
	return inv, true
}

func parseMs(v string) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "ms")), 64)
	if err != nil {
		return 0
	}
	return time.Duration(f * float64(time.Millisecond))
}

func parseMB(v string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "MB")))
	return n
}
