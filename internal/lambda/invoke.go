package lambda

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

// Invocation types (X-Amz-Invocation-Type).
const (
	RequestResponse = "RequestResponse"
	Event           = "Event"
	DryRun          = "DryRun"
)

// Payload limits (spec lambda §8.1): synchronous requests, and Event
// invocations (1 MB in current documentation; 256 KB until 2025).
const (
	MaxPayload      = 6291456
	MaxAsyncPayload = 1048576
)

// Caller says who invokes and on whose behalf.
type Caller struct {
	// Principal is the identity calling; the zero value is the account
	// root (cloudlet's own CLI and console).
	Principal Principal
	// AssumedBy is the service that assumed Principal's role to call
	// (API Gateway with an integration's credentials role): the role must
	// trust it.
	AssumedBy string
	// SourceARN and SourceAccount are the aws:SourceArn and
	// aws:SourceAccount condition keys of a service's call.
	SourceARN, SourceAccount string
}

// InvokeInput is one Invoke call.
type InvokeInput struct {
	// FunctionName is a name, partial or full ARN, optionally qualified.
	// Qualifier is "$LATEST", a version number or an alias; "" means
	// $LATEST (or the qualifier in FunctionName).
	FunctionName, Qualifier string
	InvocationType          string // "" means RequestResponse
	LogType                 string // "Tail" for the log tail
	Payload                 []byte
	// ClientContext is the base64 X-Amz-Client-Context header.
	ClientContext string
	Caller        Caller
}

// InvokeOutput is Invoke's answer (spec lambda §8.2).
type InvokeOutput struct {
	StatusCode      int
	Payload         []byte
	ContentType     string
	FunctionError   string
	LogResult       string // base64 of the last 4 KB, for LogType Tail
	ExecutedVersion string
	RequestID       string
	// Duration and Cold describe the run, for metrics and the console.
	Duration time.Duration
	Cold     bool
}

// target is what one invocation runs: a version of a function.
type target struct {
	version string // "$LATEST" or "1", "2", …: X-Amz-Executed-Version
	cfg     *FunctionConfiguration
	code    codeRecord
	layers  []codeRecord
	change  string // identity of the code and configuration, for pools
}

// target resolves a qualifier: "" and "$LATEST" are $LATEST, a number a
// published version, anything else an alias (which may route a share of
// its invocations to a second version).
func (s *Service) target(fn *function, qualifier string) (target, error) {
	v := qualifier
	if a, ok := fn.Aliases[qualifier]; ok && !isVersionNumber(qualifier) {
		v = a.pick()
	} else if qualifier != "" && qualifier != "$LATEST" && !isVersionNumber(qualifier) {
		return target{}, s.notFound(fn.Config.FunctionName, qualifier)
	}
	if v == "" || v == "$LATEST" {
		return target{version: "$LATEST", cfg: &fn.Config, code: fn.Code, layers: fn.Layers, change: fn.change()}, nil
	}
	ver, ok := fn.version(v)
	if !ok {
		return target{}, s.notFound(fn.Config.FunctionName, qualifier)
	}
	return target{version: v, cfg: &ver.Config, code: ver.Code, layers: ver.Layers, change: ver.Config.RevisionID}, nil
}

// Invoke runs a function. Function errors are an InvokeOutput with
// FunctionError set; a returned error is the service refusing the call
// (an *awserr.Error: not found, access denied, throttled, …) or the
// caller's context ending.
func (s *Service) Invoke(ctx context.Context, in InvokeInput) (*InvokeOutput, error) {
	name, qualifier, err := splitName(in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	switch in.InvocationType {
	case "", RequestResponse, DryRun:
		if len(in.Payload) > MaxPayload {
			return nil, userError(awserr.WithStatus(http.StatusRequestEntityTooLarge, CodeRequestTooLarge,
				"Request must be smaller than %d bytes for the InvokeFunction operation", MaxPayload))
		}
	case Event:
		if len(in.Payload) > MaxAsyncPayload {
			return nil, userError(awserr.WithStatus(http.StatusRequestEntityTooLarge, CodeRequestTooLarge,
				"%d byte payload is too large for the Event invocation type (limit %d bytes)", len(in.Payload), MaxAsyncPayload))
		}
	default:
		return nil, validation("invocationType", in.InvocationType, "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	if len(in.Payload) > 0 && !json.Valid(in.Payload) {
		return nil, userError(awserr.New(CodeInvalidContent, "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value"))
	}
	var clientContext []byte
	if in.ClientContext != "" && in.InvocationType != Event {
		if clientContext, err = base64.StdEncoding.DecodeString(in.ClientContext); err != nil {
			return nil, invalid("Client context must be a valid Base64-encoded JSON object.")
		}
	}
	fn, err := s.load(name)
	if err != nil {
		if isNotFound(err) {
			return nil, s.notFound(name, qualifier)
		}
		return nil, err
	}
	t, err := s.target(fn, qualifier)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, fn, qualifier, in.Caller); err != nil {
		return nil, err
	}
	reqID := newUUID()
	switch in.InvocationType {
	case DryRun:
		return &InvokeOutput{StatusCode: http.StatusNoContent, RequestID: reqID}, nil
	case Event:
		s.enqueue(fn, qualifier, in.Payload, reqID)
		return &InvokeOutput{StatusCode: http.StatusAccepted, RequestID: reqID}, nil
	}
	return s.run(ctx, fn, t, qualifier, runInput{payload: in.Payload, clientContext: clientContext,
		tail: in.LogType == "Tail", reqID: reqID, kind: RequestResponse})
}

// runInput is what run needs of an invocation beyond its target.
type runInput struct {
	payload, clientContext []byte
	tail                   bool
	reqID, kind            string
}

// run takes a concurrency lease, then hands the event to the version's
// pool, and records the outcome. It is the path every invocation takes,
// synchronous or not.
func (s *Service) run(ctx context.Context, fn *function, t target, qualifier string, in runInput) (*InvokeOutput, error) {
	name := fn.Config.FunctionName
	start := s.now()
	ls, err := s.limits.acquire(name)
	if err != nil {
		s.stats.throttled(name, s.cfg.InvocationHistory, in.reqID, t.version, in.kind, start)
		return nil, err
	}
	defer s.limits.release(ls)
	pe, err := s.poolFor(ctx, fn, t)
	if err != nil {
		return nil, err
	}
	defer pe.inflight.Done()
	resp, err := pe.pool.Invoke(ctx, sandbox.Request{RequestID: in.reqID, Payload: in.payload,
		InvokedARN: invokedARN(fn, qualifier), ClientContext: in.clientContext,
		TraceID: traceID(start), WantLogTail: in.tail})
	if err != nil {
		if errors.Is(err, sandbox.ErrNoCapacity) {
			s.stats.throttled(name, s.cfg.InvocationHistory, in.reqID, t.version, in.kind, start)
		}
		return nil, err
	}
	out := &InvokeOutput{StatusCode: http.StatusOK, Payload: resp.Payload, ContentType: resp.ContentType,
		FunctionError: resp.FunctionError, ExecutedVersion: t.version, RequestID: in.reqID,
		Duration: resp.Duration, Cold: resp.Cold}
	if in.tail {
		out.LogResult = base64.StdEncoding.EncodeToString(resp.LogTail)
	}
	s.stats.record(name, s.cfg.InvocationHistory, recordOf(in, t.version, start, resp))
	return out, nil
}

// invokedARN is the ARN the caller named, with its qualifier if it gave
// one (spec lambda §1.2).
func invokedARN(fn *function, qualifier string) string {
	if qualifier == "" {
		return fn.Config.FunctionArn
	}
	return fn.Config.FunctionArn + ":" + qualifier
}

// authorize decides whether the caller may invoke the function through
// the ARN it named: a qualified ARN is a different resource, which only
// statements added for that qualifier match (spec lambda §10).
func (s *Service) authorize(ctx context.Context, fn *function, qualifier string, c Caller) error {
	if s.cfg.IAM == nil || c.Principal.Kind == "" || c.Principal.Kind == "Root" {
		return nil
	}
	resource := invokedARN(fn, qualifier)
	if c.AssumedBy != "" {
		ok, err := s.cfg.IAM.Trusts(ctx, c.Principal.ARN, c.AssumedBy)
		if err != nil {
			return err
		}
		if !ok {
			return accessDenied(c.Principal, resource, "its trust policy does not allow "+c.AssumedBy+" to assume it")
		}
	}
	conds := map[string]string{}
	if c.SourceARN != "" {
		conds["aws:SourceArn"] = c.SourceARN
	}
	if c.SourceAccount != "" {
		conds["aws:SourceAccount"] = c.SourceAccount
	}
	ok, _, err := s.cfg.IAM.Allowed(ctx, c.Principal, "lambda:InvokeFunction", resource, conds, fn.policyDocument())
	if err != nil {
		return err
	}
	if !ok {
		why := "no identity-based policy allows the lambda:InvokeFunction action"
		if c.Principal.Kind == "Service" {
			why = "no resource-based policy allows the lambda:InvokeFunction action"
		}
		return accessDenied(c.Principal, resource, why)
	}
	return nil
}

func accessDenied(p Principal, resource, why string) error {
	who := p.ARN
	if p.Kind == "Service" {
		who = p.Service
	}
	return userError(awserr.WithStatus(http.StatusForbidden, awserr.CodeAccessDeniedException,
		"User: %s is not authorized to perform: lambda:InvokeFunction on resource: %s because %s", who, resource, why))
}

// traceID makes an X-Ray trace header: Root=1-<8 hex time>-<24 hex>.
func traceID(now time.Time) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}
