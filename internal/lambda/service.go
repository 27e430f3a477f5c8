package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
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

// Config configures the service.
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
	// SDK calls they make come back to cloudlet; "" leaves it unset.
	EndpointURL string
	// IdleTimeout and MaxEnvironments are passed to every pool.
	IdleTimeout     time.Duration
	MaxEnvironments int
	Logger          *slog.Logger
	Now             func() time.Time
}

// Service is the Lambda service. It is safe for concurrent use.
type Service struct {
	cfg Config
	log *slog.Logger
	now func() time.Time

	mu    sync.Mutex
	pools map[string]*poolEntry // function name → pool of its $LATEST
}

type poolEntry struct {
	revision string
	pool     *sandbox.Pool
}

// function is the stored record of a function.
type function struct {
	Config   FunctionConfiguration
	Code     codeRecord
	Tags     map[string]string `json:",omitempty"`
	Policy   []Statement       `json:",omitempty"`
	Reserved *int              `json:",omitempty"`
}

const bucketFunctions = "lambda.functions"

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.DataDir == "" {
		return nil, errors.New("lambda: Config needs DB and DataDir")
	}
	s := &Service{cfg: cfg, log: cfg.Logger, now: cfg.Now, pools: map[string]*poolEntry{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.Runtimes == nil {
		s.cfg.Runtimes = sandbox.NewRuntimes(nil)
	}
	return s, nil
}

// Shutdown stops every environment of every function.
func (s *Service) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	pools := s.pools
	s.pools = map[string]*poolEntry{}
	s.mu.Unlock()
	var errs []error
	for _, p := range pools {
		if err := p.pool.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) functionARN(name string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", partition(s.cfg.Region), s.cfg.Region, s.cfg.AccountID, name)
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

// notFound is Lambda's 404 (spec lambda §8.3).
func (s *Service) notFound(name string) error {
	e := awserr.WithStatus(404, awserr.CodeResourceNotFound, "Function not found: %s", s.functionARN(name)+":$LATEST")
	e.Fields = map[string]string{"Type": "User"}
	return e
}

// CreateFunction validates and stores a function. Its environments start
// on the first invocation.
func (s *Service) CreateFunction(ctx context.Context, in CreateFunctionInput) (*FunctionConfiguration, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := s.checkRole(ctx, in.Role); err != nil {
		return nil, err
	}
	code, err := s.storeCode(ctx, in.Code, in.Runtime)
	if err != nil {
		return nil, err
	}
	fn := &function{Code: *code, Tags: in.Tags, Reserved: in.ReservedConcurrency}
	fn.Config = s.configOf(in, code)
	err = s.cfg.DB.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketFunctions, in.FunctionName) != nil {
			e := awserr.WithStatus(409, awserr.CodeResourceConflict, "Function already exist: %s", in.FunctionName)
			e.Fields = map[string]string{"Type": "User"}
			return e
		}
		return tx.Put(bucketFunctions, in.FunctionName, fn)
	})
	if err != nil {
		return nil, err
	}
	cfg := fn.Config
	return &cfg, nil
}

func (s *Service) configOf(in CreateFunctionInput, code *codeRecord) FunctionConfiguration {
	c := FunctionConfiguration{
		FunctionName: in.FunctionName, FunctionArn: s.functionARN(in.FunctionName),
		Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description,
		Timeout: in.Timeout, MemorySize: in.MemorySize, CodeSha256: code.Sha256, CodeSize: code.Size,
		LastModified: lastModified(s.now()), Version: "$LATEST", RevisionID: newUUID(),
		State: "Active", LastUpdateStatus: "Successful", PackageType: in.PackageType,
		Architectures:    in.Architectures,
		TracingConfig:    &TracingConfig{Mode: "PassThrough"},
		EphemeralStorage: &EphemeralStorage{Size: in.EphemeralStorage},
		LoggingConfig:    &LoggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + in.FunctionName},
	}
	if in.TracingMode != "" {
		c.TracingConfig.Mode = in.TracingMode
	}
	if in.LogGroup != "" {
		c.LoggingConfig.LogGroup = in.LogGroup
	}
	if len(in.Environment) > 0 {
		c.Environment = &Environment{Variables: in.Environment}
	}
	return c
}

// checkRole refuses a role Lambda could not assume, with AWS's message.
func (s *Service) checkRole(ctx context.Context, role string) error {
	if s.cfg.IAM == nil {
		return nil
	}
	ok, err := s.cfg.IAM.Trusts(ctx, role, "lambda.amazonaws.com")
	if err != nil {
		return err
	}
	if !ok {
		return invalid("The role defined for the function cannot be assumed by Lambda.")
	}
	return nil
}

// UpdateFunction replaces a function's configuration and code (the
// CloudFormation provider's in-place update). Its warm environments are
// retired: the next invocation starts fresh ones, as on AWS.
func (s *Service) UpdateFunction(ctx context.Context, in CreateFunctionInput) (*FunctionConfiguration, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := s.checkRole(ctx, in.Role); err != nil {
		return nil, err
	}
	code, err := s.storeCode(ctx, in.Code, in.Runtime)
	if err != nil {
		return nil, err
	}
	var out FunctionConfiguration
	err = s.cfg.DB.Update(func(tx *store.Tx) error {
		fn, ok, err := store.Get[function](tx, bucketFunctions, in.FunctionName)
		if err != nil {
			return err
		}
		if !ok {
			return s.notFound(in.FunctionName)
		}
		fn.Config = s.configOf(in, code)
		fn.Code = *code
		fn.Tags = in.Tags
		fn.Reserved = in.ReservedConcurrency
		out = fn.Config
		return tx.Put(bucketFunctions, in.FunctionName, fn)
	})
	if err != nil {
		return nil, err
	}
	s.retire(ctx, in.FunctionName)
	return &out, nil
}

// DeleteFunction removes a function and stops its environments.
func (s *Service) DeleteFunction(ctx context.Context, name string) error {
	name = nameOf(name)
	err := s.cfg.DB.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketFunctions, name) == nil {
			return s.notFound(name)
		}
		return tx.Delete(bucketFunctions, name)
	})
	if err != nil {
		return err
	}
	s.retire(ctx, name)
	return nil
}

// retire shuts down a function's pool.
func (s *Service) retire(ctx context.Context, name string) {
	s.mu.Lock()
	p := s.pools[name]
	delete(s.pools, name)
	s.mu.Unlock()
	if p != nil {
		go func() {
			if err := p.pool.Shutdown(context.WithoutCancel(ctx)); err != nil {
				s.log.Warn("retire environments", "function", name, "err", err)
			}
		}()
	}
}

// GetFunction returns a function's configuration.
func (s *Service) GetFunction(ctx context.Context, name string) (*FunctionConfiguration, error) {
	fn, err := s.load(nameOf(name))
	if err != nil {
		return nil, err
	}
	return &fn.Config, nil
}

// ListFunctions returns every function, by name.
func (s *Service) ListFunctions(ctx context.Context) ([]FunctionConfiguration, error) {
	var out []FunctionConfiguration
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		fns, err := store.List[function](tx, bucketFunctions, "")
		for _, f := range fns {
			out = append(out, f.Config)
		}
		return err
	})
	return out, err
}

func (s *Service) load(name string) (*function, error) {
	var fn function
	var ok bool
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		var err error
		ok, err = tx.Get(bucketFunctions, name, &fn)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.notFound(name)
	}
	return &fn, nil
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

// scratchDir is the parent of environments' TMPDIR folders.
func (s *Service) scratchDir(name string) string {
	return filepath.Join(s.cfg.DataDir, "lambda", "tmp", name)
}

func ensureDir(dir string) error { return os.MkdirAll(dir, 0o755) }
