package apigw_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

// testClock is a settable clock for caches and token times.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const integrationResult = `{"statusCode":200,"body":"ok"}`

// routedInvoker answers authorizer invocations (SourceARN
// .../authorizers/{id}) with authorizer and integrations with the
// integration result.
func routedInvoker(authorizer func(in apigw.Invocation) (*apigw.InvokeResult, error)) *stubInvoker {
	return &stubInvoker{answer: func(_ context.Context, in apigw.Invocation) (*apigw.InvokeResult, error) {
		if isAuthorizerCall(in) {
			return authorizer(in)
		}
		return &apigw.InvokeResult{Payload: []byte(integrationResult)}, nil
	}}
}

func isAuthorizerCall(in apigw.Invocation) bool {
	return strings.Contains(in.SourceARN, "/authorizers/")
}

// split returns the recorded authorizer and integration invocations.
func (s *stubInvoker) split() (authorizer, integration []apigw.Invocation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.calls {
		if isAuthorizerCall(c) {
			authorizer = append(authorizer, c)
		} else {
			integration = append(integration, c)
		}
	}
	return authorizer, integration
}

func (s *stubInvoker) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// authFixture is an API served over loopback HTTP with an authorizer.
type authFixture struct {
	svc          *apigw.Service
	srv          *httptest.Server
	apiID        string
	authorizerID string
	inv          *stubInvoker
	clk          *testClock
}

type authSetup struct {
	payloadVersion string                       // the integration's; "" is 2.0
	authorizer     *apigw.CreateAuthorizerInput // nil: none
	routes         []apigw.CreateRouteInput     // AuthorizerID is filled in for JWT and CUSTOM
	stageVariables map[string]string
	config         func(*apigw.Config)
}

func newAuthFixture(t testing.TB, inv *stubInvoker, setup authSetup) *authFixture {
	t.Helper()
	ctx := context.Background()
	f := &authFixture{inv: inv, clk: &testClock{t: fixedNow}}
	cfg := apigw.Config{
		DB: openDB(t, t.TempDir()), Region: testRegion, AccountID: testAccount, Invoker: inv,
		Now: f.clk.Now, RequestID: func() string { return "JCInWhFRvHcEJdA=" },
	}
	if setup.config != nil {
		setup.config(&cfg)
	}
	svc, err := apigw.New(cfg)
	if err != nil {
		t.Fatalf("apigw.New: %v", err)
	}
	f.svc = svc
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "auth", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatalf("CreateAPI: %v", err)
	}
	f.apiID = api.APIID
	version := setup.payloadVersion
	if version == "" {
		version = "2.0"
	}
	ig, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{
		IntegrationType: "AWS_PROXY", PayloadFormatVersion: version, IntegrationURI: seedFn,
	})
	if err != nil {
		t.Fatalf("CreateIntegration: %v", err)
	}
	if setup.authorizer != nil {
		a, err := svc.CreateAuthorizer(ctx, api.APIID, *setup.authorizer)
		if err != nil {
			t.Fatalf("CreateAuthorizer: %v", err)
		}
		f.authorizerID = a.AuthorizerID
	}
	for _, r := range setup.routes {
		r.Target = "integrations/" + ig.IntegrationID
		if r.AuthorizationType == "JWT" || r.AuthorizationType == "CUSTOM" {
			r.AuthorizerID = f.authorizerID
		}
		if _, err := svc.CreateRoute(ctx, api.APIID, r); err != nil {
			t.Fatalf("CreateRoute(%s): %v", r.RouteKey, err)
		}
	}
	if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "$default", AutoDeploy: true, StageVariables: setup.stageVariables}); err != nil {
		t.Fatalf("CreateStage: %v", err)
	}
	f.srv = serve(t, svc)
	return f
}

// do sends a request to the API; header is name, value pairs.
func (f *authFixture) do(t *testing.T, method, path string, header ...string) result {
	t.Helper()
	return do(t, f.srv.Client(), method, f.srv.URL+path, nil, append([]string{"Host", f.apiID + ".execute-api.localhost"}, header...)...)
}

// lastEvent decodes the last integration event.
func (f *authFixture) lastEvent(t *testing.T) map[string]any {
	t.Helper()
	_, integ := f.inv.split()
	if len(integ) == 0 {
		t.Fatal("the integration was not invoked")
	}
	var ev map[string]any
	if err := json.Unmarshal(integ[len(integ)-1].Payload, &ev); err != nil {
		t.Fatalf("integration event: %v", err)
	}
	return ev
}

// jpath walks a decoded JSON value by keys.
func jpath(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
