package awsapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi"
	"github.com/cloudlet-dev/cloudlet/internal/cliapi"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/provider"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/cloudlet-dev/cloudlet/internal/ssm"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

const (
	testRegion  = "us-east-1"
	testAccount = "000000000000"
)

// env is a handler over real services on a temp store, served on
// loopback.
type env struct {
	URL    string
	IAM    *iam.Service
	S3     *s3.Service
	Stacks *stack.Engine
	Lambda *lambda.Service
	Logs   *logs.Service
	SSM    *ssm.Service
	APIs   *apigw.Service
	now    func() time.Time
}

// s3Templates reads nested stacks' TemplateURLs from the object store.
type s3Templates struct{ s3 *s3.Service }

func (t s3Templates) FetchTemplate(ctx context.Context, url string) (string, []byte, error) {
	b, k, err := s3.ParseURL(url)
	if err != nil {
		return "", nil, err
	}
	rc, _, err := t.s3.GetObject(ctx, b, k, nil)
	if err != nil {
		return "", nil, err
	}
	defer rc.Close()
	body, err := io.ReadAll(rc)
	return filepath.Base(k), body, err
}

func newEnv(t testing.TB) *env {
	return newEnvWith(t, envOptions{})
}

func newEnvClock(t testing.TB, now func() time.Time) *env {
	return newEnvWith(t, envOptions{now: now})
}

// envOptions vary the handler and engine a test runs against.
type envOptions struct {
	now func() time.Time
	// settle is the handler's SettleTimeout.
	settle time.Duration
	// register adds providers to the engine's registry.
	register func(*stack.Registry)
	// lambdaEndpoint is the Lambda service's EndpointURL.
	lambdaEndpoint string
}

func newEnvWith(t testing.TB, o envOptions) *env {
	t.Helper()
	now := o.now
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{now: now}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	e.IAM, err = iam.New(iam.Config{DB: db, AccountID: testAccount})
	must(err)
	e.S3, err = s3.New(s3.Config{DB: db, Dir: filepath.Join(dir, "s3"), Region: testRegion})
	must(err)
	e.Logs, err = logs.New(logs.Config{DB: db, Region: testRegion, AccountID: testAccount, CleanupInterval: -1})
	must(err)
	t.Cleanup(func() { _ = e.Logs.Shutdown(context.Background()) })
	e.SSM, err = ssm.New(ssm.Config{DB: db, Region: testRegion, AccountID: testAccount})
	must(err)
	e.Lambda, err = lambda.New(lambda.Config{DB: db, Region: testRegion, AccountID: testAccount, DataDir: dir, EndpointURL: o.lambdaEndpoint})
	must(err)
	t.Cleanup(func() { _ = e.Lambda.Shutdown(context.Background()) })
	e.APIs, err = apigw.New(apigw.Config{DB: db, Region: testRegion, AccountID: testAccount})
	must(err)
	reg := stack.NewRegistry()
	reg.Register("AWS::IAM::Role", provider.Role{IAM: e.IAM})
	reg.Register("AWS::IAM::Policy", provider.Policy{IAM: e.IAM})
	reg.Register("AWS::IAM::ManagedPolicy", provider.ManagedPolicy{IAM: e.IAM})
	reg.Register("AWS::Lambda::Function", provider.Function{Lambda: e.Lambda})
	reg.Register("AWS::Lambda::Permission", provider.Permission{Lambda: e.Lambda})
	reg.Register("AWS::ApiGatewayV2::Api", provider.API{Gateway: e.APIs})
	reg.Register("AWS::ApiGatewayV2::Stage", provider.Stage{Gateway: e.APIs})
	reg.Register("AWS::ApiGatewayV2::Integration", provider.Integration{Gateway: e.APIs})
	reg.Register("AWS::ApiGatewayV2::Route", provider.Route{Gateway: e.APIs})
	if o.register != nil {
		o.register(reg)
	}
	e.Stacks, err = stack.New(stack.Config{DB: db, Region: testRegion, AccountID: testAccount, Registry: reg,
		Templates: s3Templates{e.S3}})
	must(err)
	t.Cleanup(func() { _ = e.Stacks.Shutdown(context.Background()) })
	h := awsapi.New(awsapi.Config{Stacks: e.Stacks, Lambda: e.Lambda, APIGW: e.APIs, IAM: e.IAM, Logs: e.Logs,
		S3: e.S3, SSM: e.SSM, Region: testRegion, AccountID: testAccount, Now: now, SettleTimeout: o.settle})
	// The download links GetFunction and GetLayerVersion answer are served
	// beside the AWS endpoints, as the platform serves them.
	mux := http.NewServeMux()
	mux.Handle("/_cloudlet/api/", cliapi.New(cliapi.Config{Functions: e.Lambda}))
	mux.Handle("/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// cfg is an SDK configuration for the root key pair (or other keys).
func (e *env) cfg(keys ...string) aws.Config {
	id, secret, token := "test", "test", ""
	if len(keys) >= 2 {
		id, secret = keys[0], keys[1]
	}
	if len(keys) >= 3 {
		token = keys[2]
	}
	c := aws.Config{Region: testRegion, BaseEndpoint: aws.String(e.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, token),
		RetryMaxAttempts: 1}
	return c
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}
