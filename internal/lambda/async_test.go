package lambda_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// fast are retry delays short enough for tests.
var fast = lambda.Config{RetryDelays: []time.Duration{time.Millisecond, time.Millisecond}, ThrottleDelay: time.Millisecond}

const failing = "def handler(event, context):\n    raise ValueError('no ' + event['item'])\n"

// record decodes an invocation record with the request ID and timestamp
// blanked, which vary.
func record(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("record %s: %v", raw, err)
	}
	if _, ok := m["timestamp"].(string); !ok {
		t.Errorf("record has no timestamp: %s", raw)
	}
	m["timestamp"] = "T"
	m["requestContext"].(map[string]any)["requestId"] = "R"
	return m
}

// AWS: a failing Event invocation runs three times with one request ID,
// then its record goes to the on-failure destination and its event to
// the dead-letter queue (spec lambda §9).
func TestEventRetriesReachFailureDestination(t *testing.T) {
	ctx := context.Background()
	s := newService(t, fast)
	in := pyFunction(t, "fn", failing)
	in.DeadLetterTargetArn = "arn:aws:sqs:us-east-1:000000000000:dlq"
	create(t, s, in)
	_, err := s.PutFunctionEventInvokeConfig(ctx, lambda.EventInvokeConfigInput{FunctionName: "fn",
		DestinationConfig: &lambda.DestinationConfig{OnFailure: lambda.OnDestination{Destination: "arn:aws:sqs:us-east-1:000000000000:failures"}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn", InvocationType: lambda.Event, Payload: []byte(`{"item":"soup"}`)})
	if err != nil || out.StatusCode != 202 || out.RequestID == "" {
		t.Fatalf("Invoke(fn, Event) = %+v, %v, want 202 with a request ID", out, err)
	}
	waitFor(t, "the failure records", func() bool { return len(s.DestinationRecords("fn")) == 2 })
	recs := s.DestinationRecords("fn")
	failure, dlq := recs[0], recs[1]
	if failure.Kind != "OnFailure" || failure.Destination != "arn:aws:sqs:us-east-1:000000000000:failures" || failure.Condition != "RetriesExhausted" {
		t.Errorf("first record = %s to %s (%s), want OnFailure to the failures queue (RetriesExhausted)", failure.Kind, failure.Destination, failure.Condition)
	}
	want := map[string]any{
		"version": "1.0", "timestamp": "T",
		"requestContext": map[string]any{"requestId": "R", "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST",
			"condition": "RetriesExhausted", "approximateInvokeCount": 3.0},
		"requestPayload":  map[string]any{"item": "soup"},
		"responseContext": map[string]any{"statusCode": 200.0, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"responsePayload": map[string]any{"errorMessage": "no soup", "errorType": "ValueError", "requestId": out.RequestID},
	}
	got := record(t, failure.Record)
	if rp, ok := got["responsePayload"].(map[string]any); ok {
		delete(rp, "stackTrace")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failure record (-want +got):\n%s", diff)
	}
	if dlq.Kind != "DeadLetter" || dlq.Destination != "arn:aws:sqs:us-east-1:000000000000:dlq" || string(dlq.Record) != `{"item":"soup"}` ||
		dlq.Attributes["RequestID"] != out.RequestID || dlq.Attributes["ErrorMessage"] != "no soup" {
		t.Errorf("dead-letter record = %+v %s", dlq, dlq.Record)
	}
	// Three attempts, all with the caller's request ID.
	invs := s.Invocations("fn")
	if len(invs) != 3 {
		t.Fatalf("Invocations(fn) = %d records, want 3", len(invs))
	}
	for _, r := range invs {
		if r.RequestID != out.RequestID || r.InvocationType != lambda.Event || r.Status != lambda.StatusError || r.ErrorType != "ValueError" {
			t.Errorf("attempt %+v, want Event error ValueError with request ID %s", r, out.RequestID)
		}
	}
}

// A success goes to the on-success destination; a Lambda destination is
// invoked with the record.
func TestEventSuccessInvokesLambdaDestination(t *testing.T) {
	ctx := context.Background()
	s := newService(t, fast)
	create(t, s, pyFunction(t, "fn", "def handler(event, context):\n    return {'got': event}\n"))
	create(t, s, pyFunction(t, "sink", "def handler(event, context):\n    return event['requestContext']['condition']\n"))
	sink := "arn:aws:lambda:us-east-1:000000000000:function:sink"
	zero := 0
	_, err := s.PutFunctionEventInvokeConfig(ctx, lambda.EventInvokeConfigInput{FunctionName: "fn", MaximumRetryAttempts: &zero,
		DestinationConfig: &lambda.DestinationConfig{OnSuccess: lambda.OnDestination{Destination: sink}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn", InvocationType: lambda.Event, Payload: []byte(`[1,2]`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the destination function's invocation", func() bool { return len(s.Invocations("sink")) == 1 })
	recs := s.DestinationRecords("fn")
	if len(recs) != 1 || recs[0].Kind != "OnSuccess" || recs[0].Condition != "Success" {
		t.Fatalf("DestinationRecords(fn) = %+v, want one OnSuccess", recs)
	}
	got := record(t, recs[0].Record)
	want := map[string]any{"version": "1.0", "timestamp": "T",
		"requestContext": map[string]any{"requestId": "R", "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST",
			"condition": "Success", "approximateInvokeCount": 1.0},
		"requestPayload":  []any{1.0, 2.0},
		"responseContext": map[string]any{"statusCode": 200.0, "executedVersion": "$LATEST"},
		"responsePayload": map[string]any{"got": []any{1.0, 2.0}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("success record (-want +got):\n%s", diff)
	}
	if inv := s.Invocations("sink")[0]; inv.Status != lambda.StatusSuccess || inv.InvocationType != lambda.Event {
		t.Errorf("sink invocation = %+v", inv)
	}
}

// AWS: with reserved concurrency 0 an Event invocation is not attempted
// at all: its record goes straight to the failure destination.
func TestEventZeroReservedConcurrency(t *testing.T) {
	ctx := context.Background()
	s := newService(t, fast)
	create(t, s, inline("fn"))
	if _, err := s.PutFunctionConcurrency(ctx, "fn", 0); err != nil {
		t.Fatal(err)
	}
	_, err := s.PutFunctionEventInvokeConfig(ctx, lambda.EventInvokeConfigInput{FunctionName: "fn",
		DestinationConfig: &lambda.DestinationConfig{OnFailure: lambda.OnDestination{Destination: "arn:aws:sns:us-east-1:000000000000:topic"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn", InvocationType: lambda.Event, Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failure record", func() bool { return len(s.DestinationRecords("fn")) == 1 })
	got := record(t, s.DestinationRecords("fn")[0].Record)
	want := map[string]any{"version": "1.0", "timestamp": "T",
		"requestContext": map[string]any{"requestId": "R", "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST",
			"condition": "ZeroReservedConcurrency", "approximateInvokeCount": 0.0},
		"requestPayload": map[string]any{}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("zero-concurrency record (-want +got):\n%s", diff)
	}
}

// Shutdown does not wait for an event sleeping before its retry: it is
// dropped.
func TestShutdownDropsWaitingEvents(t *testing.T) {
	s := newService(t, lambda.Config{RetryDelays: []time.Duration{time.Hour}})
	create(t, s, pyFunction(t, "fn", failing))
	if _, err := s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: "fn", InvocationType: lambda.Event, Payload: []byte(`{"item":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first attempt", func() bool { return len(s.Invocations("fn")) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := len(s.Invocations("fn")); n != 1 {
		t.Errorf("Invocations(fn) after Shutdown = %d, want 1 (the retry dropped)", n)
	}
	if _, err := s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: "fn", InvocationType: lambda.Event}); err != nil {
		t.Errorf("Invoke(Event) after Shutdown = %v, want 202 (then dropped)", err)
	}
}

func TestEventInvokeConfigAPI(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	create(t, s, inline("fn"))
	create(t, s, inline("other"))
	one, three, fifty := 1, 3, 50
	arn := "arn:aws:lambda:us-east-1:000000000000:function:fn"
	tests := []struct {
		name string
		in   lambda.EventInvokeConfigInput
		want string
	}{
		{"nothing", lambda.EventInvokeConfigInput{FunctionName: "fn"}, "InvalidParameterValueException: You must specify at least one of error handling or destination setting."},
		{"retries-high", lambda.EventInvokeConfigInput{FunctionName: "fn", MaximumRetryAttempts: &three}, "ValidationException: 1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2"},
		{"age-low", lambda.EventInvokeConfigInput{FunctionName: "fn", MaximumEventAgeInSeconds: &fifty}, "ValidationException: 1 validation error detected: Value '50' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		{"self", lambda.EventInvokeConfigInput{FunctionName: "fn", DestinationConfig: &lambda.DestinationConfig{OnSuccess: lambda.OnDestination{Destination: arn}}}, "InvalidParameterValueException: You can't specify the function as a destination for itself."},
		{"missing-function", lambda.EventInvokeConfigInput{FunctionName: "nope", MaximumRetryAttempts: &one}, "ResourceNotFoundException: The function doesn't exist."},
		{"missing-alias", lambda.EventInvokeConfigInput{FunctionName: "fn", Qualifier: "live", MaximumRetryAttempts: &one}, "ResourceNotFoundException: The function doesn't exist."},
		{"ok", lambda.EventInvokeConfigInput{FunctionName: "fn", MaximumRetryAttempts: &one, DestinationConfig: &lambda.DestinationConfig{OnFailure: lambda.OnDestination{Destination: "arn:aws:lambda:us-east-1:000000000000:function:other"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutFunctionEventInvokeConfig(ctx, tt.in)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("PutFunctionEventInvokeConfig(%+v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	sixty := 60
	c, err := s.UpdateFunctionEventInvokeConfig(ctx, lambda.EventInvokeConfigInput{FunctionName: "fn", MaximumEventAgeInSeconds: &sixty})
	if err != nil {
		t.Fatal(err)
	}
	want := &lambda.EventInvokeConfig{FunctionArn: arn + ":$LATEST", MaximumRetryAttempts: &one, MaximumEventAgeInSeconds: &sixty,
		DestinationConfig: lambda.DestinationConfig{OnFailure: lambda.OnDestination{Destination: "arn:aws:lambda:us-east-1:000000000000:function:other"}}}
	if diff := cmp.Diff(want, c, cmpopts.IgnoreFields(lambda.EventInvokeConfig{}, "LastModified")); diff != "" {
		t.Errorf("UpdateFunctionEventInvokeConfig merged (-want +got):\n%s", diff)
	}
	list, err := s.ListFunctionEventInvokeConfigs(ctx, "fn", "", 0)
	if err != nil || len(list.FunctionEventInvokeConfigs) != 1 {
		t.Errorf("ListFunctionEventInvokeConfigs(fn) = %+v, %v", list, err)
	}
	if err := s.DeleteFunctionEventInvokeConfig(ctx, "fn", ""); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetFunctionEventInvokeConfig(ctx, "fn", "")
	if err == nil || err.Error() != "ResourceNotFoundException: The function "+arn+":$LATEST doesn't have an EventInvokeConfig" {
		t.Errorf("GetFunctionEventInvokeConfig after delete = %v", err)
	}
}
