package lambda

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
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

// MaxPayload is the synchronous request limit (spec lambda §8.1).
const MaxPayload = 6291456

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

// Invoke runs a function. Function errors are an InvokeOutput with
// FunctionError set; a returned error is the service refusing the call
// (an *awserr.Error) or the caller's context ending.
func (s *Service) Invoke(ctx context.Context, in InvokeInput) (*InvokeOutput, error) {
	name := nameOf(in.FunctionName)
	qualifier := in.Qualifier
	if q := qualifierOf(in.FunctionName); q != "" {
		if qualifier != "" && qualifier != q {
			return nil, invalid("The derived qualifier from the function name does not match the specified qualifier.")
		}
		qualifier = q
	}
	if qualifier != "" && qualifier != "$LATEST" {
		return nil, s.notFound(name + ":" + qualifier)
	}
	if len(in.Payload) > MaxPayload {
		e := awserr.WithStatus(413, "RequestTooLargeException", "Request must be smaller than %d bytes for the InvokeFunction operation", MaxPayload)
		e.Fields = map[string]string{"Type": "User"}
		return nil, e
	}
	if len(in.Payload) > 0 && !json.Valid(in.Payload) {
		e := awserr.New("InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
		e.Fields = map[string]string{"Type": "User"}
		return nil, e
	}
	fn, err := s.load(name)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, fn, in.Caller); err != nil {
		return nil, err
	}
	reqID := newUUID()
	switch in.InvocationType {
	case "", RequestResponse:
	case DryRun:
		return &InvokeOutput{StatusCode: 204, RequestID: reqID}, nil
	case Event:
		s.invokeAsync(fn, in, reqID)
		return &InvokeOutput{StatusCode: 202, RequestID: reqID}, nil
	default:
		return nil, validation("invocationType", in.InvocationType, "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	return s.run(ctx, fn, in, reqID)
}

// run hands the event to the function's pool.
func (s *Service) run(ctx context.Context, fn *function, in InvokeInput, reqID string) (*InvokeOutput, error) {
	pool, err := s.poolFor(ctx, fn)
	if err != nil {
		return nil, err
	}
	var cc []byte
	if in.ClientContext != "" {
		if cc, err = base64.StdEncoding.DecodeString(in.ClientContext); err != nil {
			return nil, invalid("Client context must be a valid Base64-encoded JSON object.")
		}
	}
	invoked := fn.Config.FunctionArn
	if strings.HasPrefix(in.FunctionName, "arn:") && qualifierOf(in.FunctionName) != "" {
		invoked = in.FunctionName
	}
	resp, err := pool.Invoke(ctx, sandbox.Request{RequestID: reqID, Payload: in.Payload, InvokedARN: invoked,
		ClientContext: cc, TraceID: traceID(s.now()), WantLogTail: in.LogType == "Tail"})
	if err != nil {
		return nil, err
	}
	out := &InvokeOutput{StatusCode: 200, Payload: resp.Payload, ContentType: resp.ContentType,
		FunctionError: resp.FunctionError, ExecutedVersion: "$LATEST", RequestID: reqID,
		Duration: resp.Duration, Cold: resp.Cold}
	if in.LogType == "Tail" {
		out.LogResult = base64.StdEncoding.EncodeToString(resp.LogTail)
	}
	return out, nil
}

// authorize decides whether the caller may invoke fn (spec lambda §10).
func (s *Service) authorize(ctx context.Context, fn *function, c Caller) error {
	if s.cfg.IAM == nil || c.Principal.Kind == "" || c.Principal.Kind == "Root" {
		return nil
	}
	if c.AssumedBy != "" {
		ok, err := s.cfg.IAM.Trusts(ctx, c.Principal.ARN, c.AssumedBy)
		if err != nil {
			return err
		}
		if !ok {
			return accessDenied(c.Principal, fn.Config.FunctionArn, "its trust policy does not allow "+c.AssumedBy+" to assume it")
		}
	}
	conds := map[string]string{}
	if c.SourceARN != "" {
		conds["aws:SourceArn"] = c.SourceARN
	}
	if c.SourceAccount != "" {
		conds["aws:SourceAccount"] = c.SourceAccount
	}
	ok, _, err := s.cfg.IAM.Allowed(ctx, c.Principal, "lambda:InvokeFunction", fn.Config.FunctionArn, conds, policyDocument(fn.Policy))
	if err != nil {
		return err
	}
	if !ok {
		why := "no identity-based policy allows the lambda:InvokeFunction action"
		if c.Principal.Kind == "Service" {
			why = "no resource-based policy allows the lambda:InvokeFunction action"
		}
		return accessDenied(c.Principal, fn.Config.FunctionArn, why)
	}
	return nil
}

func accessDenied(p Principal, resource, why string) error {
	who := p.ARN
	if p.Kind == "Service" {
		who = p.Service
	}
	e := awserr.WithStatus(403, awserr.CodeAccessDeniedException,
		"User: %s is not authorized to perform: lambda:InvokeFunction on resource: %s because %s", who, resource, why)
	e.Fields = map[string]string{"Type": "User"}
	return e
}

// poolFor returns the pool of the function's current revision, making it
// on first use.
func (s *Service) poolFor(ctx context.Context, fn *function) (*sandbox.Pool, error) {
	name := fn.Config.FunctionName
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.pools[name]; e != nil {
		if e.revision == fn.Config.RevisionID {
			return e.pool, nil
		}
		old := e.pool
		go func() { _ = old.Shutdown(context.WithoutCancel(ctx)) }()
		delete(s.pools, name)
	}
	f := sandbox.Function{
		Name: name, ARN: fn.Config.FunctionArn, Version: "$LATEST", Runtime: fn.Config.Runtime,
		Handler: fn.Config.Handler, CodeDir: fn.Code.Dir, MemoryMB: fn.Config.MemorySize,
		Timeout: time.Duration(fn.Config.Timeout) * time.Second, Region: s.cfg.Region,
		LogGroup: fn.Config.LoggingConfig.LogGroup,
	}
	if fn.Config.Environment != nil {
		f.Env = fn.Config.Environment.Variables
	}
	if s.cfg.EndpointURL != "" {
		f.ExtraEnv = map[string]string{"AWS_ENDPOINT_URL": s.cfg.EndpointURL}
	}
	var sink sandbox.LogSink = s.cfg.Logs
	if s.cfg.IAM != nil {
		creds, err := s.cfg.IAM.RoleCredentials(ctx, fn.Config.Role)
		if err != nil {
			s.log.Warn("no credentials for the execution role", "function", name, "role", fn.Config.Role, "err", err)
		}
		f.Credentials = creds
		if !s.mayLog(ctx, fn) {
			sink = nil
		}
	}
	if err := ensureDir(s.scratchDir(name)); err != nil {
		return nil, err
	}
	pool, err := sandbox.NewPool(sandbox.PoolConfig{Function: f, Runtimes: s.cfg.Runtimes, Logs: sink,
		MaxEnvironments: s.cfg.MaxEnvironments, IdleTimeout: s.cfg.IdleTimeout,
		ScratchDir: s.scratchDir(name), Logger: s.log.With("function", name)})
	if err != nil {
		return nil, fmt.Errorf("start environments of %s: %w", name, err)
	}
	s.pools[name] = &poolEntry{revision: fn.Config.RevisionID, pool: pool}
	return pool, nil
}

// mayLog reports whether the execution role may write to the function's
// log group, as AWS requires before Lambda writes logs (spec lambda §6).
func (s *Service) mayLog(ctx context.Context, fn *function) bool {
	group := fn.Config.LoggingConfig.LogGroup
	res := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:log-stream:*", partition(s.cfg.Region), s.cfg.Region, s.cfg.AccountID, group)
	role := Principal{Kind: "Role", ARN: fn.Config.Role}
	for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
		ok, _, err := s.cfg.IAM.Allowed(ctx, role, action, res, nil, nil)
		if err != nil || !ok {
			s.log.Info("execution role may not write logs; function output is dropped", "function", fn.Config.FunctionName, "role", fn.Config.Role, "action", action)
			return false
		}
	}
	return true
}

// invokeAsync runs an Event invocation in the background with AWS's
// retry policy: two more attempts after a function error.
func (s *Service) invokeAsync(fn *function, in InvokeInput, reqID string) {
	go func() {
		ctx := context.Background()
		for attempt := 0; attempt < 3; attempt++ {
			out, err := s.run(ctx, fn, in, reqID)
			if err == nil && out.FunctionError == "" {
				return
			}
			if attempt < 2 {
				time.Sleep(s.retryDelay(attempt))
			}
		}
	}()
}

// retryDelay is AWS's back-off between async attempts (about 1 and 2
// minutes, spec lambda §9), shortened when the service runs with a short
// idle timeout (tests).
func (s *Service) retryDelay(attempt int) time.Duration {
	return time.Duration(attempt+1) * time.Minute
}

// qualifierOf returns the qualifier in "name:q" or an ARN ending ":q".
func qualifierOf(s string) string {
	rest := s
	if i := strings.Index(s, "function:"); i >= 0 {
		rest = s[i+len("function:"):]
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return rest[i+1:]
	}
	return ""
}

// traceID makes an X-Ray trace header: Root=1-<8 hex time>-<24 hex>.
func traceID(now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	var p [8]byte
	_, _ = rand.Read(p[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), hex.EncodeToString(b[:]), hex.EncodeToString(p[:]))
}
