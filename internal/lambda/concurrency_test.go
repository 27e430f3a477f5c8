package lambda_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// inline is a function whose code is CloudFormation inline source: it
// needs no interpreter until it runs.
func inline(name string) lambda.CreateFunctionInput {
	src := "def handler(event, context):\n    return 'ok'\n"
	return lambda.CreateFunctionInput{FunctionName: name, Runtime: "python3.12", Role: testRole,
		Handler: "index.handler", Code: lambda.Code{InlineSource: &src}}
}

// AWS: reserved concurrency 0 throttles every invocation, with the
// reserved reason (spec lambda §8.3, §9).
func TestReservedZeroThrottles(t *testing.T) {
	s := newService(t, lambda.Config{})
	create(t, s, inline("fn"))
	if _, err := s.PutFunctionConcurrency(context.Background(), "fn", 0); err != nil {
		t.Fatal(err)
	}
	_, err := s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: "fn"})
	e := awsError(t, err)
	got := map[string]any{"code": e.Code, "status": e.HTTPStatus(), "message": e.Message, "fields": e.Fields}
	want := map[string]any{"code": "TooManyRequestsException", "status": 429, "message": "Rate Exceeded.",
		"fields": map[string]string{"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Invoke(fn) with reserved 0: error (-want +got):\n%s", diff)
	}
	if m := s.Metrics(); m.Throttles != 1 || m.Invocations != 0 {
		t.Errorf("Metrics() throttles, invocations = %d, %d, want 1, 0", m.Throttles, m.Invocations)
	}
	// DryRun checks permissions only: it is not throttled.
	out, err := s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: "fn", InvocationType: lambda.DryRun})
	if err != nil || out.StatusCode != 204 {
		t.Errorf("Invoke(fn, DryRun) = %v, %v, want 204", out, err)
	}
}

func TestPutFunctionConcurrency(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	create(t, s, inline("a"))
	create(t, s, inline("b"))
	tests := []struct {
		name, fn string
		n        int
		wantErr  string
	}{
		{"reserve-most", "a", 900, ""},
		{"floor-of-100", "b", 1, "InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."},
		{"lower-own", "a", 899, ""},
		{"then-fits", "b", 1, ""},
		{"negative", "b", -1, "ValidationException: 1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"qualified", "a:1", 1, "InvalidParameterValueException: This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN."},
		{"missing", "nope", 1, "ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutFunctionConcurrency(ctx, tt.fn, tt.n)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("PutFunctionConcurrency(%s, %d) = %q, want %q", tt.fn, tt.n, got, tt.wantErr)
			}
		})
	}
	c, err := s.GetFunctionConcurrency(ctx, "a")
	if err != nil || c == nil || c.ReservedConcurrentExecutions != 899 {
		t.Errorf("GetFunctionConcurrency(a) = %v, %v, want 899", c, err)
	}
	if err := s.DeleteFunctionConcurrency(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if c, err := s.GetFunctionConcurrency(ctx, "a"); err != nil || c != nil {
		t.Errorf("GetFunctionConcurrency(a) after delete = %v, %v, want nil", c, err)
	}
	got, err := s.GetFunction(ctx, "b", "")
	if err != nil || got.Concurrency == nil || got.Concurrency.ReservedConcurrentExecutions != 1 {
		t.Errorf("GetFunction(b).Concurrency = %+v, %v, want 1", got.Concurrency, err)
	}
	settings, err := s.GetAccountSettings(ctx)
	if err != nil || settings.AccountLimit.UnreservedConcurrentExecutions != 999 || settings.AccountUsage.FunctionCount != 2 {
		t.Errorf("GetAccountSettings() = %+v, %v, want 999 unreserved, 2 functions", settings, err)
	}
}

// hold starts n invocations of fn that stay in flight until release is
// called, and waits until they are all running.
func hold(t *testing.T, s *lambda.Service, fn string, n int) (release func() []error) {
	t.Helper()
	gate := filepath.Join(t.TempDir(), "gate")
	payload, _ := json.Marshal(map[string]string{"gate": gate})
	var wg sync.WaitGroup
	errs := make([]error, n)
	before := s.Metrics().ConcurrentExecutions
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: fn, Payload: payload})
		}()
	}
	waitFor(t, "invocations in flight", func() bool { return s.Metrics().ConcurrentExecutions == before+n })
	return func() []error {
		if err := os.WriteFile(gate, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		return errs
	}
}

func TestReservedConcurrencyCapsFunction(t *testing.T) {
	s := newService(t, lambda.Config{})
	create(t, s, pyFunction(t, "fn", blocker))
	if _, err := s.PutFunctionConcurrency(context.Background(), "fn", 2); err != nil {
		t.Fatal(err)
	}
	release := hold(t, s, "fn", 2)
	_, err := s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: "fn", Payload: []byte(`{"gate":"/nonexistent"}`)})
	if e := awsError(t, err); e.HTTPStatus() != 429 || e.Fields["Reason"] != lambda.ReasonReservedLimit {
		t.Errorf("third Invoke(fn) with reserved 2 = %v (%v), want 429 %s", e, e.Fields, lambda.ReasonReservedLimit)
	}
	for i, err := range release() {
		if err != nil {
			t.Errorf("held invocation %d: %v", i, err)
		}
	}
	m := s.Metrics()
	if len(m.Functions) != 1 || m.Functions[0].PeakConcurrentExecutions != 2 || m.Functions[0].ConcurrentExecutions != 0 {
		t.Errorf("Metrics().Functions = %+v, want peak 2, now 0", m.Functions)
	}
	// Released, the function has room again.
	if out := invoke(t, s, "fn", `{"gate":"/"}`); string(out.Payload) != `"released"` {
		t.Errorf("Invoke(fn) after release = %s", out.Payload)
	}
}

// The account limit binds the functions without a reservation; a
// reservation is theirs whatever the others do.
func TestAccountConcurrencyLimit(t *testing.T) {
	s := newService(t, lambda.Config{AccountConcurrency: 3})
	create(t, s, pyFunction(t, "a", blocker))
	create(t, s, pyFunction(t, "b", blocker))
	create(t, s, pyFunction(t, "c", blocker))
	release := hold(t, s, "a", 2)
	releaseB := hold(t, s, "b", 1)
	_, err := s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: "c", Payload: []byte(`{"gate":"/"}`)})
	if e := awsError(t, err); e.HTTPStatus() != 429 || e.Fields["Reason"] != lambda.ReasonAccountLimit || e.Fields["Type"] != "User" {
		t.Errorf("Invoke(c) with the account full = %v (%v), want 429 %s", e, e.Fields, lambda.ReasonAccountLimit)
	}
	releaseB()
	release()
	if out := invoke(t, s, "c", `{"gate":"/"}`); string(out.Payload) != `"released"` {
		t.Errorf("Invoke(c) after release = %s", out.Payload)
	}
}

func TestFunctionConcurrencyCap(t *testing.T) {
	s := newService(t, lambda.Config{FunctionConcurrency: 1})
	create(t, s, pyFunction(t, "a", blocker))
	create(t, s, pyFunction(t, "b", blocker))
	release := hold(t, s, "a", 1)
	_, err := s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: "a", Payload: []byte(`{"gate":"/"}`)})
	if e := awsError(t, err); e.HTTPStatus() != 429 {
		t.Errorf("second Invoke(a) with a cap of 1 = %v, want 429", e)
	}
	if out := invoke(t, s, "b", `{"gate":"/"}`); string(out.Payload) != `"released"` {
		t.Errorf("Invoke(b) while a is capped = %s", out.Payload)
	}
	release()
}
