package lambda

import (
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

// Invocation outcomes, as InvocationRecord.Status spells them.
const (
	StatusSuccess   = "success"
	StatusError     = "error"
	StatusTimeout   = "timeout"
	StatusThrottled = "throttled"
)

// InvocationRecord describes one invocation, for the console and the
// metrics endpoint. Records live in memory only.
type InvocationRecord struct {
	RequestID string
	// Version is the version that ran ("$LATEST", "1", …).
	Version string
	// InvocationType is RequestResponse or Event.
	InvocationType string
	Start          time.Time
	// Duration and BilledMs are REPORT's Duration and Billed Duration.
	Duration     time.Duration
	BilledMs     int64
	MemoryMB     int
	MaxMemoryMB  int
	InitDuration time.Duration
	Cold         bool
	// Status is StatusSuccess, StatusError, StatusTimeout or
	// StatusThrottled.
	Status string
	// ErrorType is the errorType of a failed invocation's payload
	// ("Sandbox.Timedout", "Runtime.ExitError", "KeyError", …).
	ErrorType string
}

// FunctionMetrics are one function's counters since the service started.
type FunctionMetrics struct {
	FunctionName string
	Invocations  int64 // every attempt that ran (throttles excluded)
	Errors       int64 // function errors, timeouts included
	Timeouts     int64
	Throttles    int64
	ColdStarts   int64
	// ConcurrentExecutions is the number in flight now; Peak the most
	// ever in flight at once.
	ConcurrentExecutions, PeakConcurrentExecutions int
	// DurationP50, DurationP99 and DurationMax are over the invocations
	// Invocations still holds.
	DurationP50, DurationP99, DurationMax time.Duration
	// TotalDuration and BilledMs are summed over every invocation;
	// GBSeconds is the billed duration times the memory size, summed.
	TotalDuration time.Duration
	BilledMs      int64
	GBSeconds     float64
	LastInvoked   time.Time
}

// Metrics are the account's and every invoked function's counters.
type Metrics struct {
	AccountConcurrency             int
	UnreservedConcurrentExecutions int // what reservations leave
	ConcurrentExecutions           int
	PeakConcurrentExecutions       int
	Invocations, Errors, Throttles int64
	// Functions are the functions invoked at least once, by name.
	Functions []FunctionMetrics
}

// fnStats holds one function's records (a ring, allocated on its first
// invocation) and counters.
type fnStats struct {
	mu                                             sync.Mutex
	ring                                           []InvocationRecord
	next, filled                                   int
	invocations, errors, timeouts, throttles, cold int64
	duration                                       time.Duration
	billedMs                                       int64
	gbSeconds                                      float64
	last                                           time.Time
}

type statsTable struct {
	mu  sync.RWMutex
	fns map[string]*fnStats
}

func (t *statsTable) get(name string) *fnStats {
	t.mu.RLock()
	st := t.fns[name]
	t.mu.RUnlock()
	if st != nil {
		return st
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if st = t.fns[name]; st == nil {
		st = &fnStats{}
		t.fns[name] = st
	}
	return st
}

func (t *statsTable) forget(name string) {
	t.mu.Lock()
	delete(t.fns, name)
	t.mu.Unlock()
}

func (t *statsTable) record(name string, keep int, r InvocationRecord) {
	st := t.get(name)
	st.mu.Lock()
	defer st.mu.Unlock()
	switch r.Status {
	case StatusThrottled:
		st.throttles++
	case StatusTimeout:
		st.timeouts++
		st.errors++
		st.invocations++
	case StatusError:
		st.errors++
		st.invocations++
	default:
		st.invocations++
	}
	if r.Cold {
		st.cold++
	}
	st.duration += r.Duration
	st.billedMs += r.BilledMs
	st.gbSeconds += float64(r.BilledMs) / 1000 * float64(r.MemoryMB) / 1024
	st.last = r.Start
	if st.ring == nil {
		st.ring = make([]InvocationRecord, keep)
	}
	st.ring[st.next] = r
	st.next = (st.next + 1) % len(st.ring)
	st.filled = min(st.filled+1, len(st.ring))
}

func (t *statsTable) throttled(name string, keep int, reqID, version, kind string, start time.Time) {
	t.record(name, keep, InvocationRecord{RequestID: reqID, Version: version, InvocationType: kind, Start: start, Status: StatusThrottled})
}

// recordOf describes a finished invocation.
func recordOf(in runInput, version string, start time.Time, resp *sandbox.Response) InvocationRecord {
	r := InvocationRecord{RequestID: in.reqID, Version: version, InvocationType: in.kind, Start: start,
		Duration: resp.Duration, BilledMs: resp.BilledMs, MemoryMB: resp.MemoryMB, MaxMemoryMB: resp.MaxMemoryMB,
		InitDuration: resp.InitDuration, Cold: resp.Cold, Status: StatusSuccess}
	if resp.FunctionError != "" {
		r.Status, r.ErrorType = StatusError, errorType(resp.Payload)
		if r.ErrorType == "Sandbox.Timedout" {
			r.Status = StatusTimeout
		}
	}
	return r
}

// errorType reads errorType from an error payload (spec lambda §4.5, §7).
func errorType(payload []byte) string {
	var e struct {
		ErrorType string `json:"errorType"`
	}
	_ = json.Unmarshal(payload, &e)
	return e.ErrorType
}

// Invocations returns the function's most recent invocations (at most
// Config.InvocationHistory), newest first; nil when it was never invoked.
func (s *Service) Invocations(functionName string) []InvocationRecord {
	s.stats.mu.RLock()
	st := s.stats.fns[nameOf(functionName)]
	s.stats.mu.RUnlock()
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]InvocationRecord, 0, st.filled)
	for i := 1; i <= st.filled; i++ {
		out = append(out, st.ring[(st.next-i+len(st.ring))%len(st.ring)])
	}
	return out
}

// Metrics returns the counters of the account and of every function
// invoked since the service started.
func (s *Service) Metrics() Metrics {
	s.stats.mu.RLock()
	names := slices.Sorted(maps.Keys(s.stats.fns))
	stats := make([]*fnStats, len(names))
	for i, n := range names {
		stats[i] = s.stats.fns[n]
	}
	s.stats.mu.RUnlock()

	l := s.limits
	l.mu.Lock()
	m := Metrics{AccountConcurrency: l.account, UnreservedConcurrentExecutions: l.account - l.reservedSum,
		ConcurrentExecutions: l.total, PeakConcurrentExecutions: l.peak}
	l.mu.Unlock()
	for i, st := range stats {
		u := l.usageOf(names[i])
		fm := FunctionMetrics{FunctionName: names[i], ConcurrentExecutions: u.now, PeakConcurrentExecutions: u.peak}
		st.mu.Lock()
		fm.Invocations, fm.Errors, fm.Timeouts, fm.Throttles, fm.ColdStarts, fm.LastInvoked =
			st.invocations, st.errors, st.timeouts, st.throttles, st.cold, st.last
		fm.TotalDuration, fm.BilledMs, fm.GBSeconds = st.duration, st.billedMs, st.gbSeconds
		ds := make([]time.Duration, 0, st.filled)
		for _, r := range st.ring[:st.filled] {
			if r.Status != StatusThrottled {
				ds = append(ds, r.Duration)
			}
		}
		st.mu.Unlock()
		if len(ds) > 0 {
			slices.Sort(ds)
			fm.DurationP50 = ds[len(ds)*50/100]
			fm.DurationP99 = ds[min(len(ds)*99/100, len(ds)-1)]
			fm.DurationMax = ds[len(ds)-1]
		}
		m.Invocations += fm.Invocations
		m.Errors += fm.Errors
		m.Throttles += fm.Throttles
		m.Functions = append(m.Functions, fm)
	}
	return m
}
