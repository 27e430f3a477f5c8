package apigw_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSeedEndToEnd serves the seed tutorial's API (fa-005) through real
// HTTP: GET / reaches the function, everything else is 404.
func TestSeedEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	inv := returning(seedResult)
	svc := newService(t, db, inv)
	api := seedAPI(t, svc)
	srv := serve(t, svc)
	host := api.APIID + ".execute-api.localhost"

	tests := []struct {
		name   string
		method string
		path   string
		host   string
		status int
		body   string
	}{
		{"get-root", "GET", "/", host, 200, `"Hello form Awstut !"`},
		{"get-root-via-prefix", "GET", "/_aws/execute-api/" + api.APIID + "/", "127.0.0.1", 200, `"Hello form Awstut !"`},
		{"default-stage-prefix", "GET", "/$default", host, 200, `"Hello form Awstut !"`},
		{"unknown-path", "GET", "/nope", host, 404, `{"message":"Not Found"}`},
		{"wrong-method", "POST", "/", host, 404, `{"message":"Not Found"}`},
		{"unknown-api", "GET", "/", "zzzzzzzzzz.execute-api.localhost", 404, `{"message":"Not Found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, srv.Client(), tt.method, srv.URL+tt.path, nil, "Host", tt.host)
			if got.status != tt.status || got.body != tt.body {
				t.Fatalf("%s %s = %v, want %d %q", tt.method, tt.path, got, tt.status, tt.body)
			}
			if got.header.Get("Apigw-Requestid") == "" || got.header.Get("Date") == "" {
				t.Errorf("%s %s headers = %v, want apigw-requestid and date", tt.method, tt.path, got.header)
			}
			wantCT := "text/plain; charset=utf-8"
			if tt.status != 200 {
				wantCT = "application/json"
			}
			if ct := got.header.Get("Content-Type"); ct != wantCT {
				t.Errorf("%s %s content-type = %q, want %q", tt.method, tt.path, ct, wantCT)
			}
		})
	}

	call := inv.last(t)
	if call.FunctionARN != seedFn || call.CredentialsARN != seedRole {
		t.Errorf("invocation = %s with %s, want %s with %s", call.FunctionARN, call.CredentialsARN, seedFn, seedRole)
	}
	wantARN := "arn:aws:execute-api:us-east-1:123456789012:" + api.APIID + "/$default/GET/"
	if call.SourceARN != wantARN {
		t.Errorf("SourceARN = %s, want %s", call.SourceARN, wantARN)
	}
	var ev struct {
		Version  string `json:"version"`
		RouteKey string `json:"routeKey"`
		RawPath  string `json:"rawPath"`
	}
	if err := json.Unmarshal(call.Payload, &ev); err != nil || ev.Version != "2.0" || ev.RouteKey != "GET /" {
		t.Errorf("event = %s (%v), want a 2.0 event for GET /", call.Payload, err)
	}

	// Restart: a new Service on the same store file serves the same API.
	srv.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2 := openDB(t, dir)
	defer db2.Close()
	srv2 := serve(t, newService(t, db2, inv))
	if got := do(t, srv2.Client(), "GET", srv2.URL+"/", nil, "Host", host); got.status != http.StatusOK || got.body != `"Hello form Awstut !"` {
		t.Errorf("after restart GET / = %v, want 200 \"Hello form Awstut !\"", got)
	}
}

// TestServeAPIPathForms: the edge may pass the path decoded or escaped;
// either way an encoded slash stays inside its segment (§1.4).
func TestServeAPIPathForms(t *testing.T) {
	inv := returning(seedResult)
	svc, ids := goldenGateway(t, inv)
	id := ids["2.0"]
	for _, path := range []string{"/pets/foo%2Fbar", "/pets/foo/bar"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "http://"+id+".execute-api.localhost/pets/foo%2Fbar", nil)
		svc.ServeAPI(rec, req, id, path)
		var ev struct {
			RouteKey       string            `json:"routeKey"`
			PathParameters map[string]string `json:"pathParameters"`
		}
		if err := json.Unmarshal(inv.last(t).Payload, &ev); err != nil {
			t.Fatal(err)
		}
		if rec.Code != 200 || ev.RouteKey != "GET /pets/{id}" || ev.PathParameters["id"] != "foo/bar" {
			t.Errorf("ServeAPI(path %q) = %d, route %q, params %v; want GET /pets/{id} with id foo/bar", path, rec.Code, ev.RouteKey, ev.PathParameters)
		}
	}
}
