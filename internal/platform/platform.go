package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi"
	"github.com/cloudlet-dev/cloudlet/internal/cliapi"
	"github.com/cloudlet-dev/cloudlet/internal/edge"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/provider"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/cloudlet-dev/cloudlet/internal/ssm"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Defaults of the account cloudlet emulates.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "000000000000"
	DefaultPort      = 4566
)

// Config configures a platform. The zero value of each field has the
// default its comment names.
type Config struct {
	// Host and Port to listen on; "" means 127.0.0.1 (loopback only), and
	// Port 0 picks a free port (tests; the CLI defaults to 4566).
	Host string
	Port int
	// DataDir holds the store, S3 objects and function code; required.
	DataDir string
	// Region and AccountID of the emulated account; defaults above.
	Region, AccountID string
	// Interpreters overrides the interpreter of a runtime
	// ("python3.12" → "/usr/bin/python3.12").
	Interpreters map[string]string
	// IdleTimeout reaps idle execution environments; 0 means 10 minutes.
	IdleTimeout time.Duration
	// Logger is the platform's own log; nil discards it.
	Logger *slog.Logger
	// Version is reported by the health endpoint.
	Version string
	// RootAccessKey and RootSecretKey are the account root's key pair for
	// SigV4; empty means test/test.
	RootAccessKey, RootSecretKey string
	// Sandbox is "auto" (isolate execution environments in namespaces and
	// cgroups where the host allows it) or "off"; empty means auto.
	Sandbox string
	// NoStandby stops the runtime processes started ahead of need that
	// cold starts take over (the benchmark's "without" row).
	NoStandby bool
	// ConsoleToken is the token the console and the other /_cloudlet/
	// pages ask for (access.go): 16 to 256 letters, digits, - . _ or ~.
	// Empty makes a random one at start.
	ConsoleToken string
}

// Platform is a running cloudlet.
type Platform struct {
	cfg Config
	log *slog.Logger

	DB     *store.DB
	IAM    *iam.Service
	Logs   *logs.Service
	S3     *s3.Service
	SSM    *ssm.Service
	Lambda *lambda.Service
	APIs   *apigw.Service
	Stacks *stack.Engine
	edge   *edge.Server
	aws    *awsapi.Handler
	cliAPI *cliapi.Handler
	access *access

	templates *templateSource
	started   time.Time
	ready     chan struct{}
	shutOnce  sync.Once
	shutErr   error
}

// New builds every service and binds the listening port (so the port is
// known, and a bind error reported, before anything is served).
func New(cfg Config) (*Platform, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("platform: DataDir is required")
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 10 * time.Minute
	}
	p := &Platform{cfg: cfg, log: cfg.Logger, ready: make(chan struct{})}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	p.cfg.DataDir = abs
	if p.access, err = newAccess(cfg.ConsoleToken, p.Port, p.log.With("component", "access")); err != nil {
		return nil, err
	}
	if err := p.build(); err != nil {
		p.closeAll()
		return nil, err
	}
	return p, nil
}

// build constructs the services in dependency order.
func (p *Platform) build() error {
	cfg := p.cfg
	var err error
	if p.DB, err = store.Open(cfg.DataDir); err != nil {
		return err
	}
	if p.IAM, err = iam.New(iam.Config{DB: p.DB, AccountID: cfg.AccountID, Logger: p.log.With("service", "iam")}); err != nil {
		return fmt.Errorf("iam: %w", err)
	}
	if p.Logs, err = logs.New(logs.Config{DB: p.DB, Logger: p.log.With("service", "logs"), Region: cfg.Region, AccountID: cfg.AccountID}); err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	if p.S3, err = s3.New(s3.Config{Dir: filepath.Join(cfg.DataDir, "s3"), DB: p.DB, Region: cfg.Region}); err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	if p.SSM, err = ssm.New(ssm.Config{DB: p.DB, Region: cfg.Region, AccountID: cfg.AccountID}); err != nil {
		return fmt.Errorf("ssm: %w", err)
	}
	// The edge binds first so that the port (and so AWS_ENDPOINT_URL and
	// the APIs' endpoints) is known; its handlers reach the services built
	// below only once Start serves.
	p.edge = edge.New(edge.Config{Host: cfg.Host, Port: cfg.Port, Logger: p.log.With("component", "edge"),
		API:      func(w http.ResponseWriter, r *http.Request, apiID, path string) { p.APIs.ServeAPI(w, r, apiID, path) },
		Internal: p.internal(),
		AWS:      http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.aws.ServeHTTP(w, r) })})
	if err := p.edge.Listen(); err != nil {
		return err
	}
	iso, err := sandbox.NewIsolation(context.Background(), sandbox.IsolationConfig{Setting: cfg.Sandbox, DisableStandby: cfg.NoStandby, Logger: p.log.With("component", "sandbox")})
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if p.Lambda, err = lambda.New(lambda.Config{
		Isolation: iso,
		DB:        p.DB, Region: cfg.Region, AccountID: cfg.AccountID, DataDir: cfg.DataDir,
		Runtimes: sandbox.NewRuntimes(cfg.Interpreters), Logs: logSink{p.Logs}, IAM: iamAuthorizer{p.IAM},
		Code: codeSource{p.S3}, EndpointURL: p.URL(), CodeLinkKey: p.access.linkKey, IdleTimeout: cfg.IdleTimeout,
		Logger: p.log.With("service", "lambda"),
	}); err != nil {
		return fmt.Errorf("lambda: %w", err)
	}
	if p.APIs, err = apigw.New(apigw.Config{
		DB: p.DB, Region: cfg.Region, AccountID: cfg.AccountID, Invoker: invoker{p.Lambda, cfg.AccountID},
		EndpointURL: p.APIEndpoint, Logger: p.log.With("service", "apigw"), AccessLogs: accessLogs{p.Logs},
		IAM: newAPIGWIAM(p.IAM, cfg.AccountID, cfg.RootAccessKey, cfg.RootSecretKey),
	}); err != nil {
		return fmt.Errorf("apigw: %w", err)
	}
	p.templates = &templateSource{s3: p.S3}
	if p.Stacks, err = stack.New(stack.Config{
		DB: p.DB, Region: cfg.Region, AccountID: cfg.AccountID, Registry: p.registry(),
		Templates: p.templates, SSM: p.ssmValue, Logger: p.log.With("service", "cloudformation"),
	}); err != nil {
		return fmt.Errorf("cloudformation: %w", err)
	}
	p.cliAPI = cliapi.New(cliapi.Config{Functions: p.Lambda, Logger: p.log.With("component", "cliapi")})
	p.aws = awsapi.New(awsapi.Config{Stacks: p.Stacks, Lambda: p.Lambda, APIGW: p.APIs, IAM: p.IAM, Logs: p.Logs,
		S3: p.S3, SSM: p.SSM, Region: cfg.Region, AccountID: cfg.AccountID,
		RootAccessKey: cfg.RootAccessKey, RootSecretKey: cfg.RootSecretKey, Logger: p.log.With("component", "awsapi")})
	return nil
}

// Start serves requests. The health endpoint answers 200 once Start
// returned.
func (p *Platform) Start(ctx context.Context) error {
	p.started = time.Now()
	p.edge.Serve()
	close(p.ready)
	// Finish what a previous process left in progress. It runs once the
	// listener serves: a custom resource being rolled back answers
	// through it. The engine's Shutdown waits for it.
	go func() {
		if err := p.RecoverStacks(context.WithoutCancel(ctx)); err != nil {
			p.log.Error("recover stacks", "err", err)
		}
	}()
	p.log.Info("cloudlet serving", "url", p.URL(), "data_dir", p.cfg.DataDir)
	return nil
}

// URL is the base URL of the listener, e.g. http://127.0.0.1:4566.
func (p *Platform) URL() string { return fmt.Sprintf("http://%s:%d", p.cfg.Host, p.Port()) }

// ConsoleURL is the console's address with its token: the one URL that
// lets a browser in (access.go). Print it for the user; never log it.
func (p *Platform) ConsoleURL() string {
	return p.URL() + "/_cloudlet/?" + consoleTokenParam + "=" + p.access.token
}

// ConsoleToken is the token the console and the other /_cloudlet/ pages
// ask for, as a cookie, ?token= or Authorization: Bearer.
func (p *Platform) ConsoleToken() string { return p.access.token }

// Port is the bound port.
func (p *Platform) Port() int { return p.edge.Port() }

// APIEndpoint is an HTTP API's invoke URL (its ApiEndpoint attribute).
func (p *Platform) APIEndpoint(apiID string) string {
	return fmt.Sprintf("http://%s.execute-api.localhost:%d", apiID, p.Port())
}

// Shutdown stops serving (draining requests in flight), stops stack
// operations and every function process, flushes logs and closes the
// store: the reverse of the start order. Only the first call acts.
func (p *Platform) Shutdown(ctx context.Context) error {
	p.shutOnce.Do(func() { p.shutErr = p.shutdown(ctx) })
	return p.shutErr
}

func (p *Platform) shutdown(ctx context.Context) error {
	var errs []error
	if p.edge != nil {
		errs = append(errs, p.edge.Shutdown(ctx))
	}
	if p.Stacks != nil {
		errs = append(errs, p.Stacks.Shutdown(ctx))
	}
	if p.Lambda != nil {
		errs = append(errs, p.Lambda.Shutdown(ctx))
	}
	if p.Logs != nil {
		errs = append(errs, p.Logs.Shutdown(ctx))
	}
	p.closeAll()
	return errors.Join(errs...)
}

func (p *Platform) closeAll() {
	if p.DB != nil {
		_ = p.DB.Close()
		p.DB = nil
	}
}

// internal serves /_cloudlet/: health, custom resources' responses and
// code downloads to anyone (each of the last two carries its own proof),
// and the console, its metrics (/_cloudlet/metrics) and cloudlet's JSON
// records only to holders of the console token (access.go).
func (p *Platform) internal() http.Handler {
	mux := http.NewServeMux()
	// The services behind these handlers are built after the edge binds,
	// so each handler is looked up when a request arrives.
	mux.Handle(provider.ResponsePath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.CustomResourceResponses().ServeHTTP(w, r)
	}))
	cliAPI := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.cliAPI.ServeHTTP(w, r) })
	// Presigned, as AWS's S3 links are: the Lambda service checks the
	// signature (cliapi, lambda.Service.VerifyCodeLink).
	mux.Handle("GET "+lambda.CodePath+"{name}/code", cliAPI)
	mux.Handle("GET "+lambda.LayerPath, cliAPI)
	mux.Handle("/_cloudlet/api/", p.access.guard(cliAPI))
	mux.Handle("/_cloudlet/", p.access.guard(p.consoleHandler()))
	mux.HandleFunc("GET /_cloudlet/health", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-p.ready:
		default:
			http.Error(w, `{"status":"starting"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"status": "ok", "version": p.cfg.Version, "region": p.cfg.Region, "accountId": p.cfg.AccountID,
			"uptimeSeconds": int(time.Since(p.started).Seconds()), "pid": os.Getpid(),
		})
	})
	return mux
}

// ssmValue resolves AWS::SSM::Parameter::Value<…> parameters.
func (p *Platform) ssmValue(ctx context.Context, name string) (string, error) {
	prm, err := p.SSM.GetParameter(ctx, name, true)
	if err != nil {
		return "", err
	}
	return prm.Value, nil
}
