package apigw_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

// echoBackend answers with a JSON description of the request it got.
func echoBackend(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-r.Context().Done()
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "yes")
		w.Header().Set("Access-Control-Allow-Origin", "https://backend-says.example")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.EscapedPath(), "query": r.URL.RawQuery,
			"header": r.Header, "body": string(body), "host": r.Host,
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

type echoed struct {
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Query  string              `json:"query"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
}

func httpAPI(t *testing.T, svc *apigw.Service, routes map[string]apigw.CreateIntegrationInput, stage apigw.CreateStageInput) string {
	t.Helper()
	ctx := context.Background()
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "proxy", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	for key, in := range routes {
		ig, err := svc.CreateIntegration(ctx, api.APIID, in)
		if err != nil {
			t.Fatalf("CreateIntegration(%s): %v", key, err)
		}
		if _, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: key, Target: "integrations/" + ig.IntegrationID}); err != nil {
			t.Fatalf("CreateRoute(%s): %v", key, err)
		}
	}
	stage.AutoDeploy = true
	if _, err := svc.CreateStage(ctx, api.APIID, stage); err != nil {
		t.Fatal(err)
	}
	return api.APIID
}

func TestHTTPProxy(t *testing.T) {
	backend := echoBackend(t)
	svc := newService(t, openDB(t, t.TempDir()), nil)
	proxy := func(uri string) apigw.CreateIntegrationInput {
		return apigw.CreateIntegrationInput{IntegrationType: "HTTP_PROXY", IntegrationMethod: "ANY", PayloadFormatVersion: "1.0", IntegrationURI: uri}
	}
	id := httpAPI(t, svc, map[string]apigw.CreateIntegrationInput{
		"$default":             proxy(backend.URL),
		"GET /items/{id}":      proxy(backend.URL + "/backend/items/{id}?fixed=1"),
		"ANY /files/{proxy+}":  proxy(backend.URL + "/store/{proxy}"),
		"POST /post-only":      {IntegrationType: "HTTP_PROXY", IntegrationMethod: "PUT", PayloadFormatVersion: "1.0", IntegrationURI: backend.URL + "/put"},
		"GET /vars":            proxy(backend.URL + "/${stageVariables.prefix}/v"),
		"GET /slow":            {IntegrationType: "HTTP_PROXY", IntegrationMethod: "ANY", PayloadFormatVersion: "1.0", IntegrationURI: backend.URL + "/slow", TimeoutInMillis: 50},
		"GET /down":            proxy("http://127.0.0.1:1/nothing"),
		"GET /unresolved-host": proxy("http://${stageVariables.nohost}/x"),
	}, apigw.CreateStageInput{StageName: "$default", StageVariables: map[string]string{"prefix": "from-stage"}})
	srv := serve(t, svc)
	url := srv.URL + "/_aws/execute-api/" + id

	tests := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		want   echoed // checked fields: Method, Path, Query, Body
	}{
		{"default-appends-path", "DELETE", "/a/b%20c?x=1&x=2", "", 201, echoed{Method: "DELETE", Path: "/a/b%20c", Query: "x=1&x=2"}},
		{"param-placeholder-and-query-merge", "GET", "/items/42?q=z", "", 201, echoed{Method: "GET", Path: "/backend/items/42", Query: "fixed=1&q=z"}},
		{"greedy-placeholder", "PATCH", "/files/a/b/c.txt", "", 201, echoed{Method: "PATCH", Path: "/store/a/b/c.txt"}},
		{"integration-method", "POST", "/post-only", "payload", 201, echoed{Method: "PUT", Path: "/put", Body: "payload"}},
		{"get-with-body-forwards-it", "GET", "/items/7", "get-body", 201, echoed{Method: "GET", Path: "/backend/items/7", Query: "fixed=1", Body: "get-body"}},
		{"stage-variable-in-uri", "GET", "/vars", "", 201, echoed{Method: "GET", Path: "/from-stage/v"}},
		{"timeout", "GET", "/slow", "", 503, echoed{}},
		{"unreachable", "GET", "/down", "", 500, echoed{}},
		{"unresolved-stage-variable", "GET", "/unresolved-host", "", 500, echoed{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			got := do(t, srv.Client(), tt.method, url+tt.path, body, "Origin", "https://web.example")
			if got.status != tt.status {
				t.Fatalf("%s %s = %v, want %d", tt.method, tt.path, got, tt.status)
			}
			if tt.status != 201 {
				return
			}
			var e echoed
			if err := json.Unmarshal([]byte(got.body), &e); err != nil {
				t.Fatalf("backend answer %q: %v", got.body, err)
			}
			if e.Method != tt.want.Method || e.Path != tt.want.Path || e.Query != tt.want.Query || e.Body != tt.want.Body {
				t.Errorf("%s %s reached backend as %s %s ?%s body %q, want %s %s ?%s body %q",
					tt.method, tt.path, e.Method, e.Path, e.Query, e.Body, tt.want.Method, tt.want.Path, tt.want.Query, tt.want.Body)
			}
			for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Amzn-Trace-Id", "Forwarded"} {
				if len(e.Header[h]) == 0 {
					t.Errorf("backend did not get %s (headers %v)", h, e.Header)
				}
			}
			if got.header.Get("X-Backend") != "yes" || got.header.Get("Apigw-Requestid") == "" {
				t.Errorf("response headers = %v, want the backend's plus apigw-requestid", got.header)
			}
			// Without CORS configured, the backend's CORS headers pass through.
			if got.header.Get("Access-Control-Allow-Origin") != "https://backend-says.example" {
				t.Errorf("access-control-allow-origin = %q, want the backend's", got.header.Get("Access-Control-Allow-Origin"))
			}
		})
	}
}

func TestParameterMapping(t *testing.T) {
	backend := echoBackend(t)
	inv := returning(`{"statusCode": 201, "headers": {"x-fn": "v"}, "body": "ok"}`)
	svc := newService(t, openDB(t, t.TempDir()), inv)
	id := httpAPI(t, svc, map[string]apigw.CreateIntegrationInput{
		"POST /users/{id}": {
			IntegrationType: "HTTP_PROXY", IntegrationMethod: "ANY", PayloadFormatVersion: "1.0",
			IntegrationURI: backend.URL + "/users/{id}",
			RequestParameters: map[string]string{
				"overwrite:header.X-User":     "$request.path.id",
				"append:header.X-List":        "${request.querystring.tag}-${stageVariables.env}",
				"remove:header.X-Secret":      "''",
				"overwrite:querystring.tag":   "$request.body.user.name",
				"remove:querystring.drop":     "''",
				"overwrite:path":              "/v2/users/$request.path.id",
				"overwrite:header.X-Ctx":      "$context.routeKey $context.stage",
				"append:header.X-Multi.1":     "one",
				"append:header.X-Multi.2":     "two",
				"overwrite:header.X-Static":   "$a",
				"overwrite:header.X-Headerin": "$request.header.X-In",
			},
			ResponseParameters: map[string]map[string]string{
				"201": {"overwrite:statuscode": "202", "append:header.X-Copied": "$response.header.X-Backend", "remove:header.X-Backend": "''"},
			},
		},
		"GET /fn": {
			IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0", IntegrationURI: seedFn,
			RequestParameters:  map[string]string{"overwrite:header.X-Added": "static-value", "remove:header.X-Secret": "''"},
			ResponseParameters: map[string]map[string]string{"201": {"overwrite:header.X-Fn": "changed"}},
		},
	}, apigw.CreateStageInput{StageName: "$default", StageVariables: map[string]string{"env": "test"}})
	srv := serve(t, svc)
	url := srv.URL + "/_aws/execute-api/" + id

	got := do(t, srv.Client(), "POST", url+"/users/7?tag=a&drop=x&keep=k", strings.NewReader(`{"user":{"name":"ann"}}`),
		"X-Secret", "s", "X-List", "first", "X-In", "in-value", "Content-Type", "application/json")
	if got.status != 202 {
		t.Fatalf("POST /users/7 = %v, want 202 (overwrite:statuscode)", got)
	}
	var e echoed
	if err := json.Unmarshal([]byte(got.body), &e); err != nil {
		t.Fatal(err)
	}
	wantHeaders := map[string]string{
		"X-User": "7", "X-List": "first,a-test", "X-Ctx": "POST /users/{id} $default",
		"X-Multi": "one,two", "X-Static": "$a", "X-Headerin": "in-value",
	}
	for h, want := range wantHeaders {
		if v := strings.Join(e.Header[h], ","); v != want {
			t.Errorf("backend header %s = %q, want %q", h, v, want)
		}
	}
	if _, ok := e.Header["X-Secret"]; ok {
		t.Errorf("backend got X-Secret, want it removed")
	}
	if e.Path != "/v2/users/7" || e.Query != "keep=k&tag=ann" {
		t.Errorf("backend got %s ?%s, want /v2/users/7 ?keep=k&tag=ann", e.Path, e.Query)
	}
	if got.header.Get("X-Copied") != "yes" || got.header.Get("X-Backend") != "" {
		t.Errorf("response headers = %v, want X-Copied: yes and no X-Backend", got.header)
	}

	got = do(t, srv.Client(), "GET", url+"/fn", nil, "X-Secret", "s")
	if got.status != 201 || got.header.Get("X-Fn") != "changed" {
		t.Errorf("GET /fn = %v %v, want 201 with X-Fn: changed", got, got.header)
	}
	var ev struct {
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(inv.last(t).Payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Headers["x-added"] != "static-value" || ev.Headers["x-secret"] != "" {
		t.Errorf("event headers = %v, want x-added and no x-secret", ev.Headers)
	}
}

func TestParameterMappingValidation(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, openDB(t, t.TempDir()), nil)
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "m", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		request  map[string]string
		response map[string]map[string]string
		ok       bool
	}{
		{name: "case-insensitive-action", request: map[string]string{"APPEND:HEADER.x": "v"}, ok: true},
		{name: "path-case-insensitive", request: map[string]string{"overwrite:Path": "/x"}, ok: true},
		{name: "append-path", request: map[string]string{"append:path": "/x"}},
		{name: "remove-path", request: map[string]string{"remove:path": "''"}},
		{name: "bad-name", request: map[string]string{"append:header.foo%": "v"}},
		{name: "duplicate-header", request: map[string]string{"append:header.h1": "a", "overwrite:header.H1": "b"}},
		{name: "suffix-allowed", request: map[string]string{"append:header.multi_header.1": "a", "append:header.multi_header.2": "b"}, ok: true},
		{name: "reserved-header", request: map[string]string{"overwrite:header.x-amz-date": "v"}},
		{name: "reserved-authorization", request: map[string]string{"overwrite:header.Authorization": "v"}},
		{name: "headers-plural", request: map[string]string{"overwrite:header.x": "$request.headers.foo"}},
		{name: "lone-brace", request: map[string]string{"overwrite:header.x": "a{b"}},
		{name: "brace-inside-block", request: map[string]string{"overwrite:header.x": "${request.body}followed with text$request.path"}, ok: true},
		{name: "missing-close", request: map[string]string{"overwrite:header.x": "${request.body"}},
		{name: "short-dollar-static", request: map[string]string{"overwrite:header.x": "$a"}, ok: true},
		{name: "trailing-dollar", request: map[string]string{"overwrite:header.x": "cost$"}, ok: true},
		{name: "unknown-source", request: map[string]string{"overwrite:header.x": "$aaa"}},
		{name: "remove-needs-quotes", request: map[string]string{"remove:header.x": `""`}},
		{name: "response-ok", response: map[string]map[string]string{"200": {"overwrite:statuscode": "202", "append:header.x": "$response.header.foo"}}, ok: true},
		{name: "response-bad-status-key", response: map[string]map[string]string{"199": {"overwrite:statuscode": "202"}}},
		{name: "response-status-key-space", response: map[string]map[string]string{"200 ": {"overwrite:statuscode": "202"}}},
		{name: "response-append-statuscode", response: map[string]map[string]string{"200": {"append:statuscode": "202"}}},
		{name: "response-bad-static-status", response: map[string]map[string]string{"200": {"overwrite:statuscode": "20.1"}}},
		{name: "response-bad-source", response: map[string]map[string]string{"200": {"overwrite:header.x": "$resp.header.foo"}}},
	}
	for _, tt := range tests {
		_, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{
			IntegrationType: "HTTP_PROXY", IntegrationMethod: "ANY", PayloadFormatVersion: "1.0", IntegrationURI: "http://example.com",
			RequestParameters: tt.request, ResponseParameters: tt.response,
		})
		if tt.ok && err != nil {
			t.Errorf("%s: CreateIntegration = %v, want success", tt.name, err)
		}
		if !tt.ok && awsCode(err) != "BadRequestException" {
			t.Errorf("%s: CreateIntegration = %v, want BadRequestException", tt.name, err)
		}
	}
}
