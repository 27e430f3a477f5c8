package lambda

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DestinationRecord is one record sent to an Event invocation's
// destination or dead-letter queue. cloudlet has no SQS, SNS or
// EventBridge: it keeps the records (in memory, the newest
// Config.InvocationHistory per function) for DestinationRecords, and
// invokes Lambda destinations with them as AWS does.
type DestinationRecord struct {
	Time         time.Time
	FunctionName string
	// Kind is "OnSuccess", "OnFailure" or "DeadLetter".
	Kind string
	// Destination is the destination's or dead-letter queue's ARN.
	Destination string
	// Condition is Success, RetriesExhausted, EventAgeExceeded or
	// ZeroReservedConcurrency.
	Condition string
	// Record is AWS's invocation record (spec lambda §9) for OnSuccess
	// and OnFailure, and the event itself for DeadLetter.
	Record json.RawMessage
	// Attributes are a dead-letter message's attributes: RequestID,
	// ErrorCode and ErrorMessage.
	Attributes map[string]string `json:",omitempty"`
}

// invocationRecord is AWS's destination record, fields in AWS's order.
type invocationRecord struct {
	Version         string           `json:"version"`
	Timestamp       string           `json:"timestamp"`
	RequestContext  requestContext   `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`
	ResponseContext *responseContext `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"`
}

type requestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type responseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

type destinationLog struct {
	mu   sync.Mutex
	recs map[string][]DestinationRecord
}

func (l *destinationLog) add(r DestinationRecord, keep int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.recs == nil {
		l.recs = map[string][]DestinationRecord{}
	}
	rs := append(l.recs[r.FunctionName], r)
	if len(rs) > keep {
		rs = rs[len(rs)-keep:]
	}
	l.recs[r.FunctionName] = rs
}

// DestinationRecords returns the records sent to the function's
// destinations and dead-letter queue, oldest first.
func (s *Service) DestinationRecords(functionName string) []DestinationRecord {
	s.dests.mu.Lock()
	defer s.dests.mu.Unlock()
	return append([]DestinationRecord(nil), s.dests.recs[nameOf(functionName)]...)
}

// finish ends an Event invocation: it sends the invocation record to the
// destination its outcome calls for and, on failure, the event to the
// dead-letter queue; either may be unset.
func (s *Service) finish(fn *function, ev *asyncEvent, condition string, attempts int, out *InvokeOutput, dc DestinationConfig) {
	now := s.now()
	s.log.Info("Event invocation finished", "function", ev.name, "requestId", ev.reqID, "condition", condition, "attempts", attempts)
	kind, dest := "OnFailure", dc.OnFailure.Destination
	if condition == "Success" {
		kind, dest = "OnSuccess", dc.OnSuccess.Destination
	}
	version := "$LATEST"
	if out != nil {
		version = out.ExecutedVersion
	}
	if dest != "" {
		rec := invocationRecord{Version: "1.0", Timestamp: now.UTC().Format("2006-01-02T15:04:05.000Z"),
			RequestContext: requestContext{RequestID: ev.reqID, FunctionArn: s.qualifiedARN(ev.name, version),
				Condition: condition, ApproximateInvokeCount: attempts},
			RequestPayload: jsonOrString(ev.payload, "{}")}
		if out != nil {
			rec.ResponseContext = &responseContext{StatusCode: out.StatusCode, ExecutedVersion: out.ExecutedVersion, FunctionError: out.FunctionError}
			rec.ResponsePayload = jsonOrString(out.Payload, "null")
		}
		raw, _ := json.Marshal(rec)
		s.dests.add(DestinationRecord{Time: now, FunctionName: ev.name, Kind: kind, Destination: dest, Condition: condition, Record: raw}, s.cfg.InvocationHistory)
		s.sendToFunction(fn, dest, raw)
	}
	if condition != "Success" && fn.Config.DeadLetterConfig != nil {
		attrs := map[string]string{"RequestID": ev.reqID, "ErrorCode": "200", "ErrorMessage": ""}
		switch {
		case condition == "ZeroReservedConcurrency":
			attrs["ErrorCode"], attrs["ErrorMessage"] = "429", "Function not invoked. Function isconfigured with zero reserved concurrent executions"
		case out != nil:
			attrs["ErrorCode"], attrs["ErrorMessage"] = strconv.Itoa(out.StatusCode), errorMessage(out.Payload)
		}
		s.dests.add(DestinationRecord{Time: now, FunctionName: ev.name, Kind: "DeadLetter", Destination: fn.Config.DeadLetterConfig.TargetArn,
			Condition: condition, Record: jsonOrString(ev.payload, "{}"), Attributes: attrs}, s.cfg.InvocationHistory)
	}
}

// sendToFunction invokes a Lambda destination with the record, as the
// function's execution role, the identity AWS sends records with.
func (s *Service) sendToFunction(fn *function, dest string, record []byte) {
	if !strings.HasPrefix(dest, "arn:") || strings.Split(dest, ":")[2] != "lambda" {
		return
	}
	caller := Caller{Principal: Principal{Kind: "Role", ARN: fn.Config.Role}}
	if _, err := s.Invoke(context.Background(), InvokeInput{FunctionName: dest, InvocationType: Event, Payload: record, Caller: caller}); err != nil {
		s.log.Warn("send invocation record to destination", "function", fn.Config.FunctionName, "destination", dest, "err", err)
	}
}

// jsonOrString returns raw when it is JSON, raw as a JSON string
// otherwise, and def when it is empty.
func jsonOrString(raw []byte, def string) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage(def)
	}
	if json.Valid(raw) {
		return json.RawMessage(raw)
	}
	quoted, _ := json.Marshal(string(raw))
	return quoted
}

func errorMessage(payload []byte) string {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
	}
	_ = json.Unmarshal(payload, &e)
	return e.ErrorMessage
}
