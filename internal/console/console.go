package console

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Prefix is where the console is served.
const Prefix = "/_cloudlet/"

// Stacks is what the console needs of the CloudFormation engine.
type Stacks interface {
	ListStacks(ctx context.Context) ([]*stack.Stack, error)
	Describe(ctx context.Context, nameOrID string) (*stack.Stack, error)
	Resources(ctx context.Context, nameOrID string) ([]stack.Resource, error)
	Events(ctx context.Context, nameOrID string) ([]stack.Event, error)
	DeleteStack(ctx context.Context, nameOrID string) error
}

// APIs is what the console needs of API Gateway.
type APIs interface {
	ListAPIs(ctx context.Context) ([]apigw.API, error)
	GetAPI(ctx context.Context, apiID string) (*apigw.API, error)
	ListStages(ctx context.Context, apiID string) ([]apigw.Stage, error)
	GetDeployment(ctx context.Context, apiID, deploymentID string) (*apigw.Deployment, error)
	ListRoutes(ctx context.Context, apiID string) ([]apigw.Route, error)
	ListIntegrations(ctx context.Context, apiID string) ([]apigw.Integration, error)
	ListAuthorizers(ctx context.Context, apiID string) ([]apigw.Authorizer, error)
	Metrics(apiID string) []apigw.RouteMetrics
	ServeAPI(w http.ResponseWriter, r *http.Request, apiID, path string)
}

// Functions is what the console needs of the Lambda service.
type Functions interface {
	ListAllFunctions(ctx context.Context) ([]lambda.FunctionConfiguration, error)
	GetFunctionConfiguration(ctx context.Context, name, qualifier string) (*lambda.FunctionConfiguration, error)
	Invoke(ctx context.Context, in lambda.InvokeInput) (*lambda.InvokeOutput, error)
	// Invocations returns a function's recent invocations, newest first;
	// Metrics the counters of every function invoked.
	Invocations(functionName string) []lambda.InvocationRecord
	Metrics() lambda.Metrics
	// Environments reports a function's live execution environments.
	Environments(functionName string) (sandbox.Stats, bool)
	// CodeFS is the function's unpacked code, read-only.
	CodeFS(ctx context.Context, functionName string) (fs.FS, error)
}

// Logs is what the console needs of CloudWatch Logs.
type Logs interface {
	DescribeLogGroups(ctx context.Context, prefix, nextToken string, limit int) ([]logs.LogGroup, string, error)
	DescribeLogStreams(ctx context.Context, group, prefix, orderBy string, descending bool, nextToken string, limit int) ([]logs.LogStream, string, error)
	GetLogEvents(ctx context.Context, in logs.GetLogEventsInput) (*logs.GetLogEventsOutput, error)
	FilterLogEvents(ctx context.Context, in logs.FilterInput) (*logs.FilterOutput, error)
	Subscribe(group, streamPrefix string) (<-chan logs.Event, func())
	// Flush makes what functions just wrote readable, so a page shows the
	// lines of the invocation the user just made.
	Flush(ctx context.Context) error
}

// IAM is what the console needs of IAM.
type IAM interface {
	ListRoles(ctx context.Context, in iam.ListRolesInput) (*iam.ListRolesOutput, error)
	GetRole(ctx context.Context, name string) (*iam.Role, error)
	ListRolePolicies(ctx context.Context, roleName string) ([]string, error)
	GetRolePolicy(ctx context.Context, roleName, policyName string) (*iam.RolePolicy, error)
	ListAttachedRolePolicies(ctx context.Context, roleName string) ([]iam.AttachedPolicy, error)
	GetPolicy(ctx context.Context, arn string) (*iam.Policy, error)
	GetPolicyVersion(ctx context.Context, arn, versionID string) (*iam.PolicyVersion, error)
	RecentDenials() []iam.DeniedDecision
}

var (
	_ Stacks    = (*stack.Engine)(nil)
	_ APIs      = (*apigw.Service)(nil)
	_ Functions = (*lambda.Service)(nil)
	_ Logs      = (*logs.Service)(nil)
	_ IAM       = (*iam.Service)(nil)
)

// Config builds a Console. Stacks, APIs, Functions, Logs, IAM and DB are
// required.
type Config struct {
	Stacks    Stacks
	APIs      APIs
	Functions Functions
	Logs      Logs
	IAM       IAM
	// DB keeps saved test events (bucket "console.testevents").
	DB *store.DB
	// URL is the listener's base URL (http://127.0.0.1:4566) and
	// APIEndpoint an API's host-form base URL; both are shown, not fetched.
	URL         func() string
	APIEndpoint func(apiID string) string
	// Region, AccountID and Version are shown in the header.
	Region, AccountID, Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives handler failures; nil discards them.
	Logger *slog.Logger
}

// Console serves the console pages under Prefix. It is safe for
// concurrent use.
type Console struct {
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	pages *pages
	// handler is the routes behind cross-origin protection: a page on
	// another site must not make the browser delete a stack here.
	handler http.Handler
	// ctx ends live streams when the console closes, so that a server
	// shutdown does not wait for open tails.
	ctx    context.Context
	cancel context.CancelFunc
	// streamLifetime bounds one event stream (tests shorten it).
	streamLifetime time.Duration
}

// New parses the embedded templates and builds the routes.
func New(cfg Config) (*Console, error) {
	if cfg.Stacks == nil || cfg.APIs == nil || cfg.Functions == nil || cfg.Logs == nil || cfg.IAM == nil || cfg.DB == nil {
		return nil, errors.New("console: Config needs Stacks, APIs, Functions, Logs, IAM and DB")
	}
	c := &Console{cfg: cfg, log: cfg.Logger, now: cfg.Now, streamLifetime: streamLifetime}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.cfg.URL == nil {
		c.cfg.URL = func() string { return "" }
	}
	if c.cfg.APIEndpoint == nil {
		c.cfg.APIEndpoint = func(id string) string { return "http://" + id + ".execute-api.localhost" }
	}
	var err error
	if c.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	c.routes()
	return c, nil
}

// Close ends live streams (stack events, log tails). Call it before
// shutting the listener down: open streams would otherwise hold the
// shutdown until its deadline.
func (c *Console) Close() { c.cancel() }

// ServeHTTP serves one console request.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// handler is a console page: it writes the response or returns an error
// for serve to render.
type handler func(w http.ResponseWriter, r *http.Request) error

func (c *Console) routes() {
	m := http.NewServeMux()
	h := func(pattern string, fn handler) { m.Handle(pattern, c.serve(fn)) }
	h("GET /_cloudlet/{$}", c.overview)
	h("GET /_cloudlet/stacks", c.stackList)
	h("GET /_cloudlet/stacks/{id}", c.stackPage)
	h("GET /_cloudlet/stacks/{id}/events", c.stackEvents)
	h("GET /_cloudlet/stacks/{id}/delete", c.stackDeleteConfirm)
	h("POST /_cloudlet/stacks/{id}/delete", c.stackDelete)
	h("GET /_cloudlet/apis", c.apiList)
	h("GET /_cloudlet/apis/{id}", c.apiPage)
	h("POST /_cloudlet/apis/{id}/try", c.apiTry)
	h("GET /_cloudlet/functions", c.functionList)
	h("GET /_cloudlet/functions/{name}", c.functionPage)
	h("POST /_cloudlet/functions/{name}/invoke", c.functionInvoke)
	h("POST /_cloudlet/functions/{name}/events", c.testEventSave)
	h("POST /_cloudlet/functions/{name}/events/delete", c.testEventDelete)
	h("GET /_cloudlet/logs", c.logGroups)
	h("GET /_cloudlet/logs/group", c.logGroup)
	h("GET /_cloudlet/logs/stream", c.logStream)
	h("GET /_cloudlet/logs/tail", c.logTail)
	h("GET /_cloudlet/iam/roles", c.roleList)
	h("GET /_cloudlet/iam/roles/{name}", c.rolePage)
	h("GET /_cloudlet/iam/denials", c.denials)
	h("GET /_cloudlet/metrics", c.metrics)
	m.Handle("GET /_cloudlet/static/", http.StripPrefix("/_cloudlet/static/", staticHandler()))
	m.Handle("/_cloudlet/", c.serve(func(w http.ResponseWriter, r *http.Request) error {
		return notFound("There is no console page at %s.", r.URL.Path)
	}))
	c.handler = http.NewCrossOriginProtection().Handler(m)
}

// statusError is a failure with the HTTP status to answer it with.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

func notFound(format string, args ...any) error {
	return &statusError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return &statusError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// serve renders a handler's error as an error page: the only place that
// turns errors into responses.
func (c *Console) serve(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		status := http.StatusInternalServerError
		var se *statusError
		var ae *awserr.Error
		switch {
		case errors.As(err, &se):
			status = se.status
		case errors.As(err, &ae) && missing[ae.Code]:
			// Some services answer a missing thing with 400 on the wire
			// (CloudWatch Logs); a page that does not exist is a 404.
			status = http.StatusNotFound
		case errors.As(err, &ae):
			status = ae.HTTPStatus()
		case errors.Is(err, context.Canceled):
			return
		}
		if status >= 500 {
			c.log.Warn("console page failed", "path", r.URL.Path, "err", err)
		}
		c.render(w, r, status, "error", "Error", "", errorPage{Status: status, StatusText: http.StatusText(status), Message: err.Error()})
	})
}

// missing lists the AWS error codes that mean "there is no such thing".
var missing = map[string]bool{
	"ResourceNotFoundException": true, "NotFoundException": true, "NoSuchEntity": true, "NoSuchBucket": true, "NoSuchKey": true, "ParameterNotFound": true,
}

type errorPage struct {
	Status     int
	StatusText string
	Message    string
}
