package apigw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/jwtauth"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Invoker runs a Lambda function for an AWS_PROXY integration or a Lambda
// REQUEST authorizer. The Lambda service implements it; a networked
// fabric may replace it.
//
// InvokeForAPI returns an error when the invoke was refused or failed
// before the function ran (no permission for CredentialsARN or the
// SourceARN, no such function, throttled): the gateway answers 500
// {"message":"Internal Server Error"}. When ctx's deadline (the
// integration's timeoutInMillis) passes, it returns an error wrapping
// context.DeadlineExceeded and the gateway answers 503 {"message":"Service
// Unavailable"}. A function that ran and failed is not an error: it is a
// result with FunctionError set.
type Invoker interface {
	InvokeForAPI(ctx context.Context, in Invocation) (*InvokeResult, error)
}

// Invocation is one synchronous invoke on behalf of an HTTP API.
type Invocation struct {
	// FunctionARN is the function to run, resolved from integrationUri:
	// a plain or qualified function ARN (or name) taken from the
	// arn:aws:apigateway:{r}:lambda:path/2015-03-31/functions/{arn}/invocations
	// wrapper when present, with stage variables substituted.
	FunctionARN string
	// Payload is the event (payload format 1.0 or 2.0).
	Payload []byte
	// CredentialsARN is the integration's role; "" means API Gateway's
	// service principal, checked against the function's resource policy
	// with SourceARN.
	CredentialsARN string
	// SourceARN is arn:aws:execute-api:{region}:{acct}:{apiId}/{stage}/{METHOD}/{path}
	// (shared/specs/http-api.md §10); {path} is the route's path without
	// its leading slash ("pets/{id}"), and METHOD/path is "$default" for
	// the $default route. For an authorizer it is
	// arn:aws:execute-api:{region}:{acct}:{apiId}/authorizers/{authorizerId}
	// (§8.3), and CredentialsARN the authorizer's credentials role.
	SourceARN string
}

// InvokeResult is what the function returned.
type InvokeResult struct {
	Payload []byte
	// FunctionError is "" or "Unhandled" (Lambda's X-Amz-Function-Error).
	FunctionError string
}

// Config builds a Service.
type Config struct {
	// DB holds the model; required.
	DB *store.DB
	// Region and AccountID appear in ARNs and events; required.
	Region, AccountID string
	// Invoker runs functions; nil answers every AWS_PROXY request with 500.
	Invoker Invoker
	// EndpointURL renders an API's apiEndpoint; nil gives
	// http://{apiId}.execute-api.localhost.
	EndpointURL func(apiID string) string
	// Logger receives the service's own log; nil discards it.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RequestID makes gateway request IDs; nil makes random ones in AWS's
	// form (16 characters ending in '=').
	RequestID func() string
	// TrailingSlash lets "/pets/" match "GET /pets" (§13.1); off by
	// default.
	TrailingSlash bool
	// AccessLogs receives access log lines of stages with
	// accessLogSettings; nil drops them.
	AccessLogs AccessLogSink
	// HTTPClient sends HTTP_PROXY requests; nil uses a client that
	// follows no redirects.
	HTTPClient *http.Client
	// IAM verifies callers of AWS_IAM routes; nil answers them 403.
	IAM IAMAuthenticator
	// JWKSClient fetches JWT issuers' discovery documents and key sets;
	// nil uses a default client. Fetches are bounded to 1500 ms and
	// 150000 bytes whatever the client (§8.2).
	JWKSClient *http.Client
	// AccountRateLimit and AccountBurstLimit override the account-level
	// throttle (10,000 requests per second, burst 5,000) when positive.
	AccountRateLimit  float64
	AccountBurstLimit int
}

// Service is the HTTP API model and data plane. It is safe for concurrent
// use: control-plane calls are serialized, and the data plane reads
// immutable compiled tables swapped in atomically after each change.
type Service struct {
	cfg Config
	log *slog.Logger
	now func() time.Time
	rid func() string

	mu   sync.Mutex              // serializes model changes and live rebuilds
	live atomic.Pointer[liveMap] // apiID → compiled API; replaced, never mutated

	http     *http.Client
	account  *rate.Limiter                // the account-level bucket, shared by every API
	limiters map[limiterKey]*rate.Limiter // route buckets, guarded by mu
	counters map[counterKey]*counters     // route metrics, guarded by mu

	jwt       *jwtauth.Verifier // JWT authorizers' key cache
	authCache authCache         // Lambda authorizer answers
}

// New builds a Service and compiles every stored API's deployed stages so
// a restarted server serves what it served before.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil {
		return nil, errors.New("apigw: Config.DB is required")
	}
	if cfg.Region == "" || cfg.AccountID == "" {
		return nil, errors.New("apigw: Config.Region and Config.AccountID are required")
	}
	s := &Service{cfg: cfg, log: cfg.Logger, now: cfg.Now, rid: cfg.RequestID, http: cfg.HTTPClient,
		limiters: map[limiterKey]*rate.Limiter{}, counters: map[counterKey]*counters{}}
	if s.http == nil {
		s.http = newHTTPClient()
	}
	accountRate, accountBurst := cfg.AccountRateLimit, cfg.AccountBurstLimit
	if accountRate <= 0 {
		accountRate = accountRateLimit
	}
	if accountBurst <= 0 {
		accountBurst = accountBurstLimit
	}
	s.account = rate.NewLimiter(rate.Limit(accountRate), accountBurst)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rid == nil {
		s.rid = newRequestID
	}
	s.jwt = jwtauth.New(jwtauth.Config{HTTPClient: cfg.JWKSClient, Now: s.now, Logger: s.log})
	if s.cfg.EndpointURL == nil {
		s.cfg.EndpointURL = func(apiID string) string { return "http://" + apiID + ".execute-api.localhost" }
	}
	empty := liveMap{}
	s.live.Store(&empty)
	var ids []string
	err := cfg.DB.View(func(tx *store.Tx) error {
		return tx.ForEach(bucketAPIs, "", func(key string, _ []byte) error {
			ids = append(ids, key)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("apigw: load APIs: %w", err)
	}
	for _, id := range ids {
		if err := s.reload(id); err != nil {
			return nil, fmt.Errorf("apigw: load API %s: %w", id, err)
		}
	}
	return s, nil
}

// timestamp is the current time as the model stores it: whole seconds,
// UTC.
func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Second) }

// update runs fn in a store transaction while holding the model lock, then
// recompiles the API's live stages.
func (s *Service) update(apiID string, fn func(tx *store.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.cfg.DB.Update(fn); err != nil {
		return err
	}
	return s.reload(apiID)
}
