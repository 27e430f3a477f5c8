package console

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseReport(t *testing.T) {
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, line string
		want       Invocation
		ok         bool
	}{
		{"warm", "REPORT RequestId: 8f5e0f0a-1\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t",
			Invocation{RequestID: "8f5e0f0a-1", Start: end.Add(-1500 * time.Microsecond), Duration: 1500 * time.Microsecond, BilledMs: 2, MemoryMB: 128, MaxMemoryMB: 40, Status: StatusSuccess}, true},
		{"cold", "REPORT RequestId: r2\tDuration: 10.00 ms\tBilled Duration: 101 ms\tMemory Size: 512 MB\tMax Memory Used: 60 MB\tInit Duration: 90.25 ms\t",
			Invocation{RequestID: "r2", Start: end.Add(-10 * time.Millisecond), Duration: 10 * time.Millisecond, BilledMs: 101, MemoryMB: 512, MaxMemoryMB: 60, Cold: true, Status: StatusSuccess}, true},
		{"timeout", "REPORT RequestId: r3\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 41 MB\tStatus: timeout\t",
			Invocation{RequestID: "r3", Start: end.Add(-3 * time.Second), Duration: 3 * time.Second, BilledMs: 3000, MemoryMB: 128, MaxMemoryMB: 41, Status: StatusTimeout}, true},
		{"error", "REPORT RequestId: r4\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory\t",
			Invocation{RequestID: "r4", Start: end.Add(-5 * time.Millisecond), Duration: 5 * time.Millisecond, BilledMs: 5, MemoryMB: 128, MaxMemoryMB: 128, Status: StatusError, ErrorType: "Runtime.OutOfMemory"}, true},
		{"not-report", "START RequestId: r5 Version: $LATEST", Invocation{}, false},
		{"no-id", "REPORT RequestId: \tDuration: 1.00 ms", Invocation{}, false},
		{"garbled-numbers", "REPORT RequestId: r6\tDuration: x ms\tMemory Size: y MB",
			Invocation{RequestID: "r6", Start: end, Status: StatusSuccess}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseReport(tt.line, end)
			if ok != tt.ok {
				t.Fatalf("ParseReport(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReport(%q) mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestReportTelemetryRing(t *testing.T) {
	tail := newFakeTail()
	rt := NewReportTelemetry(tail, time.Now)
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := range RecentInvocations + 5 {
		tail.send("/aws/lambda/fn", at.Add(time.Duration(i)*time.Second), reportLine(i, i%10 == 0))
	}
	tail.send("/aws/lambda/fn", at, "START RequestId: x Version: $LATEST")
	tail.send("/custom/group", at, reportLine(999, false))
	rt.Close() // the reader drains what was sent, then stops

	invs := rt.Invocations("fn")
	if len(invs) != RecentInvocations {
		t.Fatalf("Invocations(fn) = %d records, want %d", len(invs), RecentInvocations)
	}
	if got, want := invs[0].RequestID, requestID(RecentInvocations+4); got != want {
		t.Errorf("Invocations(fn)[0] = %s, want the newest %s", got, want)
	}
	if got, want := invs[len(invs)-1].RequestID, requestID(5); got != want {
		t.Errorf("Invocations(fn)[last] = %s, want %s (the oldest kept)", got, want)
	}
	ms := rt.Metrics()
	if len(ms) != 1 {
		t.Fatalf("Metrics() = %+v, want fn only (custom groups are not functions' default groups)", ms)
	}
	m := ms[0]
	if m.Function != "fn" || m.Invocations != RecentInvocations+5 || m.Errors != 21 || m.Concurrent != -1 {
		t.Errorf("Metrics()[0] = %+v, want fn with %d invocations, 21 errors, concurrency unknown", m, RecentInvocations+5)
	}
	if want := float64(RecentInvocations+5) * 0.1 * 128 / 1024; m.GBSeconds < want*0.999 || m.GBSeconds > want*1.001 {
		t.Errorf("GBSeconds = %v, want %v", m.GBSeconds, want)
	}
	if rt.Invocations("other") != nil {
		t.Errorf("Invocations(other) is not empty")
	}
}
