package apigw_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
	seedFn      = "arn:aws:lambda:us-east-1:123456789012:function:fa-005-function"
	seedRole    = "arn:aws:iam::123456789012:role/fa-005-ApiGatewayRole-ABC"
	// seedResult is what the seed's Python handler returns
	// (json.dumps of {'statusCode': 200, 'body': json.dumps('Hello form Awstut !')}).
	seedResult = `{"statusCode": 200, "body": "\"Hello form Awstut !\""}`
)

// stubInvoker records invocations and answers with a function of them.
type stubInvoker struct {
	mu     sync.Mutex
	calls  []apigw.Invocation
	answer func(ctx context.Context, in apigw.Invocation) (*apigw.InvokeResult, error)
}

func (s *stubInvoker) InvokeForAPI(ctx context.Context, in apigw.Invocation) (*apigw.InvokeResult, error) {
	s.mu.Lock()
	s.calls = append(s.calls, in)
	s.mu.Unlock()
	return s.answer(ctx, in)
}

func (s *stubInvoker) last(t testing.TB) apigw.Invocation {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) == 0 {
		t.Fatal("no invocation recorded")
	}
	return s.calls[len(s.calls)-1]
}

func returning(payload string) *stubInvoker {
	return &stubInvoker{answer: func(context.Context, apigw.Invocation) (*apigw.InvokeResult, error) {
		return &apigw.InvokeResult{Payload: []byte(payload)}, nil
	}}
}

var fixedNow = time.Date(2025, time.April, 14, 22, 10, 16, 359e6, time.UTC)

// newService builds a Service on db with a fixed clock and request IDs.
func newService(t testing.TB, db *store.DB, inv apigw.Invoker) *apigw.Service {
	t.Helper()
	svc, err := apigw.New(apigw.Config{
		DB: db, Region: testRegion, AccountID: testAccount, Invoker: inv,
		Now:       func() time.Time { return fixedNow },
		RequestID: func() string { return "JCInWhFRvHcEJdA=" },
	})
	if err != nil {
		t.Fatalf("apigw.New: %v", err)
	}
	return svc
}

func openDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	return db
}

// edge is a test stand-in for the edge listener: the API ID comes from
// the Host {apiId}.execute-api.localhost or the /_aws/execute-api/{apiId}
// path prefix. Like internal/edge it passes the decoded r.URL.Path;
// ServeAPI recovers the escaping.
func edge(svc *apigw.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if rest, ok := strings.CutPrefix(path, "/_aws/execute-api/"); ok {
			id, p, _ := strings.Cut(rest, "/")
			svc.ServeAPI(w, r, id, "/"+p)
			return
		}
		id, _, _ := strings.Cut(r.Host, ".")
		svc.ServeAPI(w, r, id, path)
	})
}

// seedAPI creates the seed's API (fa-005-apigateway.yaml) the way the
// CloudFormation provider does, in the template's dependency order.
func seedAPI(t testing.TB, svc *apigw.Service) *apigw.API {
	t.Helper()
	ctx := context.Background()
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "fa-005-HttpApi", Description: "HttpApi.", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatalf("CreateAPI: %v", err)
	}
	if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "$default", AutoDeploy: true}); err != nil {
		t.Fatalf("CreateStage: %v", err)
	}
	ig, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{
		ConnectionType: "INTERNET", CredentialsARN: seedRole, IntegrationMethod: "POST",
		IntegrationType: "AWS_PROXY", IntegrationURI: seedFn, PayloadFormatVersion: "2.0",
	})
	if err != nil {
		t.Fatalf("CreateIntegration: %v", err)
	}
	if _, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: "GET /", Target: "integrations/" + ig.IntegrationID}); err != nil {
		t.Fatalf("CreateRoute: %v", err)
	}
	return api
}

type result struct {
	status int
	header http.Header
	body   string
}

func do(t testing.TB, client *http.Client, method, url string, body io.Reader, header ...string) result {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatalf("NewRequest(%s %s): %v", method, url, err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (r result) String() string { return fmt.Sprintf("%d %q", r.status, r.body) }

// serve starts svc behind the test edge on a loopback port.
func serve(t testing.TB, svc *apigw.Service) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(edge(svc))
	t.Cleanup(srv.Close)
	return srv
}
