package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Principal is who is calling, as the Authorizer needs to know it.
type Principal struct {
	// Kind is "Root", "Role" (an IAM role's credentials) or "Service" (an
	// AWS service principal such as apigateway.amazonaws.com).
	Kind    string
	ARN     string // role ARN for Kind "Role"
	Service string // service principal for Kind "Service"
}

// RootPrincipal is the account itself: cloudlet's own CLI and console.
var RootPrincipal = Principal{Kind: "Root"}

// Authorizer answers the IAM questions the service asks; implemented by
// internal/iam through internal/platform.
type Authorizer interface {
	// Allowed reports whether p may perform action on resource, taking the
	// resource's own policy (may be nil) and the request's condition keys
	// into account; reason explains the decision.
	Allowed(ctx context.Context, p Principal, action, resource string, conditions map[string]string, resourcePolicy []byte) (allowed bool, reason string, err error)
	// Trusts reports whether the role's trust policy lets service assume it.
	Trusts(ctx context.Context, roleARN, service string) (bool, error)
	// RoleCredentials issues temporary credentials for the role, as the
	// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN variables.
	RoleCredentials(ctx context.Context, roleARN string) (map[string]string, error)
}

// Defaults for Config's zero values (spec lambda §9).
const (
	DefaultAccountConcurrency = 1000
	// MinUnreservedConcurrency is what reservations must leave to the
	// functions without one (or the whole limit, if it is smaller).
	MinUnreservedConcurrency = 100
	DefaultInvocationHistory = 200
	DefaultThrottleDelay     = time.Second
	maxThrottleDelay         = 5 * time.Minute
)

// DefaultRetryDelays are AWS's waits before the second and third attempt
// of an Event invocation that failed: about one and two minutes (§9).
var DefaultRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}

// Config configures the service. Zero values have the defaults named.
type Config struct {
	DB                *store.DB
	Region, AccountID string
	// DataDir holds unpacked code and environments' scratch folders.
	DataDir string
	// Runtimes resolves interpreters; nil uses sandbox.NewRuntimes(nil).
	Runtimes *sandbox.Runtimes
	// Logs receives function output; nil discards it.
	Logs sandbox.LogSink
	// IAM answers permission questions; nil allows everything (tests).
	IAM Authorizer
	// Code reads S3 code packages; nil refuses them.
	Code CodeSource
	// EndpointURL is exported to functions as AWS_ENDPOINT_URL so that
	// SDK calls they make come back to cloudlet, and is the base of the
	// code download URLs GetFunction returns; "" leaves both unset.
	EndpointURL string
	// CodeLinkKey signs those URLs (codelink.go); nil makes a random key,
	// so links last until the process ends at most.
	CodeLinkKey []byte
	// IdleTimeout and MaxEnvironments are passed to every pool.
	IdleTimeout     time.Duration
	MaxEnvironments int
	// Isolation runs environments in namespaces and cgroups where the
	// host allows it (sandbox.NewIsolation); nil runs them as plain
	// processes with rlimits (the fallback mode).
	Isolation *sandbox.Isolation
	// AccountConcurrency is the account's concurrent executions limit;
	// zero means 1000.
	AccountConcurrency int
	// FunctionConcurrency caps the concurrent executions of any one
	// function without reserved concurrency (all its versions together);
	// zero means AccountConcurrency.
	FunctionConcurrency int
	// RetryDelays are the waits before each retry of an Event invocation
	// whose function failed; nil means DefaultRetryDelays. Tests shorten
	// them.
	RetryDelays []time.Duration
	// ThrottleDelay is the first wait before an Event invocation that was
	// throttled is tried again; it doubles up to 5 minutes. Zero means 1 s.
	ThrottleDelay time.Duration
	// InvocationHistory is how many invocation records are kept per
	// function for Invocations; zero means 200.
	InvocationHistory int
	// MaxUnzippedSize bounds a package's unpacked size; zero means AWS's
	// 262,144,000 bytes. Tests lower it.
	MaxUnzippedSize int64
	Logger          *slog.Logger
	Now             func() time.Time
}

// Service is the Lambda service. It is safe for concurrent use.
type Service struct {
	cfg Config
	log *slog.Logger
	now func() time.Time
	// linkKey signs code download links.
	linkKey []byte

	cache  recordCache
	limits *limiter
	stats  statsTable
	async  asyncQueue
	dests  destinationLog

	mu       sync.Mutex
	pools    map[string]*poolEntry // "name:version" → pool
	retiring sync.WaitGroup        // pools being shut down in the background
	// stopping ends when Shutdown has drained Event invocations: retired
	// pools stop waiting for their invocations then.
	stopping context.Context
	stopAll  context.CancelFunc
}

const bucketFunctions = "lambda.functions"

// New returns the service. It reads every function's reserved
// concurrency once, so that invocations never read the store to count.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.DataDir == "" {
		return nil, errors.New("lambda: Config needs DB and DataDir")
	}
	if cfg.AccountConcurrency <= 0 {
		cfg.AccountConcurrency = DefaultAccountConcurrency
	}
	if cfg.FunctionConcurrency <= 0 {
		cfg.FunctionConcurrency = cfg.AccountConcurrency
	}
	if cfg.RetryDelays == nil {
		cfg.RetryDelays = DefaultRetryDelays
	}
	if cfg.ThrottleDelay <= 0 {
		cfg.ThrottleDelay = DefaultThrottleDelay
	}
	if cfg.InvocationHistory <= 0 {
		cfg.InvocationHistory = DefaultInvocationHistory
	}
	if cfg.MaxUnzippedSize <= 0 {
		cfg.MaxUnzippedSize = MaxUnzippedSize
	}
	if cfg.Runtimes == nil {
		cfg.Runtimes = sandbox.NewRuntimes(nil)
	}
	s := &Service{cfg: cfg, log: cfg.Logger, now: cfg.Now, linkKey: cfg.CodeLinkKey, pools: map[string]*poolEntry{}}
	if len(s.linkKey) == 0 {
		s.linkKey = newLinkKey()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.cache.fns = map[string]*function{}
	s.limits = newLimiter(cfg.AccountConcurrency, cfg.FunctionConcurrency)
	s.stats.fns = map[string]*fnStats{}
	s.async.init()
	s.stopping, s.stopAll = context.WithCancel(context.Background())
	err := cfg.DB.View(func(tx *store.Tx) error {
		return tx.ForEach(bucketFunctions, "", func(name string, raw []byte) error {
			var r struct{ Reserved *int }
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("load function %s: %w", name, err)
			}
			s.limits.setReserved(name, r.Reserved)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("lambda: %w", err)
	}
	if n := killOrphans(s.scratchRoot()); n > 0 {
		s.log.Warn("killed function processes a previous cloudlet on this data directory left running", "count", n)
	}
	return s, nil
}

// Shutdown stops the service: Event invocations waiting for a retry are
// dropped (and logged), those running get until ctx ends to finish, then
// every environment of every function is stopped.
func (s *Service) Shutdown(ctx context.Context) error {
	var errs []error
	if err := s.async.shutdown(ctx, s.log); err != nil {
		errs = append(errs, err)
	}
	s.stopAll()
	s.mu.Lock()
	pools := s.pools
	s.pools = map[string]*poolEntry{}
	s.mu.Unlock()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, p := range pools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.pool.Shutdown(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	retired := make(chan struct{})
	go func() { s.retiring.Wait(); close(retired) }()
	select {
	case <-retired:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("stop retired environments: %w", context.Cause(ctx)))
	}
	return errors.Join(errs...)
}

func (s *Service) functionARN(name string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", partition(s.cfg.Region), s.cfg.Region, s.cfg.AccountID, name)
}

// qualifiedARN is the function's ARN with ":qualifier" when there is one.
func (s *Service) qualifiedARN(name, qualifier string) string {
	if qualifier == "" {
		return s.functionARN(name)
	}
	return s.functionARN(name) + ":" + qualifier
}

func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// nameOf accepts a name, a partial or full ARN, with or without a
// qualifier, and returns the function name.
func nameOf(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 {
		s = s[i+len("function:"):]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
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

// splitName returns the function name and the qualifier named either in
// the name (or ARN) or separately; the two must agree (spec lambda §8.1).
func splitName(functionName, qualifier string) (string, string, error) {
	name := nameOf(functionName)
	if q := qualifierOf(functionName); q != "" {
		if qualifier != "" && qualifier != q {
			return "", "", invalid("The derived qualifier from the function name does not match the specified qualifier.")
		}
		qualifier = q
	}
	return name, qualifier, nil
}

// scratchDir is the parent of environments' TMPDIR folders.
func (s *Service) scratchDir(name string) string {
	return filepath.Join(s.scratchRoot(), name)
}

// scratchRoot holds every function's scratch folder.
func (s *Service) scratchRoot() string { return filepath.Join(s.cfg.DataDir, "lambda", "tmp") }

func ensureDir(dir string) error { return os.MkdirAll(dir, 0o755) }
