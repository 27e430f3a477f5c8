package lambda_test

import (
	"context"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

func TestInvocationRecordsAndMetrics(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{InvocationHistory: 4})
	in := pyFunction(t, "fn", `import time
def handler(event, context):
    if event == "fail":
        raise KeyError("k")
    if event == "slow":
        time.sleep(5)
    return "ok"
`)
	in.Timeout = 1
	create(t, s, in)
	invoke(t, s, "fn", `"a"`)
	invoke(t, s, "fn", `"b"`)
	invoke(t, s, "fn", `"fail"`)
	invoke(t, s, "fn", `"slow"`)
	if _, err := s.PutFunctionConcurrency(ctx, "fn", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn"}); err == nil {
		t.Fatal("Invoke with reserved 0 succeeded")
	}

	recs := s.Invocations("fn")
	type row struct {
		status, errorType string
		cold              bool
	}
	var got []row
	for _, r := range recs {
		got = append(got, row{r.Status, r.ErrorType, r.Cold})
		if r.RequestID == "" || r.Start.IsZero() || r.InvocationType != lambda.RequestResponse {
			t.Errorf("record %+v lacks its request ID, start or type", r)
		}
	}
	// Newest first, and only the last 4 kept: the cold first call is gone.
	want := []row{
		{lambda.StatusThrottled, "", false},
		{lambda.StatusTimeout, "Sandbox.Timedout", false},
		{lambda.StatusError, "KeyError", false},
		{lambda.StatusSuccess, "", false},
	}
	if len(got) != len(want) {
		t.Fatalf("Invocations(fn) = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Invocations(fn)[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if recs[3].Duration <= 0 || recs[3].BilledMs <= 0 || recs[3].MemoryMB != 128 || recs[3].Version != "$LATEST" {
		t.Errorf("success record = %+v, want its duration, billing and memory", recs[3])
	}

	m := s.Metrics()
	if len(m.Functions) != 1 {
		t.Fatalf("Metrics().Functions = %+v", m.Functions)
	}
	fm := m.Functions[0]
	if fm.FunctionName != "fn" || fm.Invocations != 4 || fm.Errors != 2 || fm.Timeouts != 1 || fm.Throttles != 1 ||
		fm.ColdStarts != 1 || fm.PeakConcurrentExecutions != 1 || fm.ConcurrentExecutions != 0 {
		t.Errorf("Metrics() for fn = %+v, want 4 invocations, 2 errors, 1 timeout, 1 throttle, 1 cold start, peak 1", fm)
	}
	if fm.DurationP50 <= 0 || fm.DurationP99 < fm.DurationP50 || fm.DurationMax < fm.DurationP99 || fm.BilledMs <= 0 || fm.GBSeconds <= 0 {
		t.Errorf("Metrics() durations = p50 %v p99 %v max %v billed %d GB-s %v", fm.DurationP50, fm.DurationP99, fm.DurationMax, fm.BilledMs, fm.GBSeconds)
	}
	if m.Invocations != 4 || m.Throttles != 1 || m.AccountConcurrency != 1000 || m.UnreservedConcurrentExecutions != 1000 || m.PeakConcurrentExecutions != 1 {
		t.Errorf("Metrics() account = %+v", m)
	}
	if s.Invocations("never") != nil {
		t.Errorf("Invocations(never) = %v, want nil", s.Invocations("never"))
	}
}
