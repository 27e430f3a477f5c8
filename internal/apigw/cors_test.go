package apigw_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

func corsAPI(t *testing.T, cors *apigw.Cors, autoDeploy bool) (*apigw.Service, string, string) {
	t.Helper()
	ctx := context.Background()
	svc := newService(t, openDB(t, t.TempDir()), returning(`{"statusCode":200,"headers":{"Access-Control-Allow-Origin":"https://fn-says.example"},"body":"ok"}`))
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "cors", ProtocolType: "HTTP", CorsConfiguration: cors})
	if err != nil {
		t.Fatal(err)
	}
	ig, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0", IntegrationURI: seedFn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: "GET /items", Target: "integrations/" + ig.IntegrationID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "$default", AutoDeploy: autoDeploy}); err != nil {
		t.Fatal(err)
	}
	if !autoDeploy {
		if _, err := svc.CreateDeployment(ctx, api.APIID, apigw.CreateDeploymentInput{StageName: "$default"}); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, svc)
	return svc, api.APIID, srv.URL + "/_aws/execute-api/" + api.APIID
}

func TestCorsPreflight(t *testing.T) {
	cors := &apigw.Cors{
		AllowOrigins: []string{"https://app.example", "http://*"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"Content-Type", "X-Custom"}, ExposeHeaders: []string{"X-Total"},
		MaxAge: ptr(300), AllowCredentials: ptr(true),
	}
	_, _, url := corsAPI(t, cors, true)
	client := http.DefaultClient
	tests := []struct {
		name        string
		origin      string
		method      string
		reqHeaders  string
		wantOrigin  string
		wantMethods string
		wantHeaders string
	}{
		{"allowed", "https://app.example", "POST", "content-type", "https://app.example", "GET,POST", "content-type,x-custom"},
		{"origin-case-insensitive", "https://APP.example", "GET", "", "https://APP.example", "GET,POST", "content-type,x-custom"},
		{"scheme-wildcard", "http://anything.local:3000", "GET", "", "http://anything.local:3000", "GET,POST", "content-type,x-custom"},
		{"https-not-covered-by-http-wildcard", "https://other.example", "GET", "", "", "", ""},
		{"method-not-allowed", "https://app.example", "DELETE", "", "", "", ""},
		{"header-not-allowed", "https://app.example", "GET", "x-other", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := []string{"Origin", tt.origin, "Access-Control-Request-Method", tt.method}
			if tt.reqHeaders != "" {
				hdr = append(hdr, "Access-Control-Request-Headers", tt.reqHeaders)
			}
			// No OPTIONS route exists: the gateway answers itself (§7).
			got := do(t, client, "OPTIONS", url+"/items", nil, hdr...)
			if got.status != 204 || got.body != "" {
				t.Fatalf("preflight = %v, want 204 and no body", got)
			}
			h := got.header
			if h.Get("Access-Control-Allow-Origin") != tt.wantOrigin || h.Get("Access-Control-Allow-Methods") != tt.wantMethods ||
				h.Get("Access-Control-Allow-Headers") != tt.wantHeaders {
				t.Errorf("preflight headers = %v, want origin %q methods %q headers %q", h, tt.wantOrigin, tt.wantMethods, tt.wantHeaders)
			}
			if tt.wantOrigin != "" && (h.Get("Access-Control-Max-Age") != "300" || h.Get("Access-Control-Allow-Credentials") != "true") {
				t.Errorf("preflight headers = %v, want max-age 300 and credentials", h)
			}
			if h.Get("Apigw-Requestid") == "" {
				t.Errorf("preflight has no apigw-requestid")
			}
		})
	}

	// An ordinary request: the integration's CORS headers are replaced.
	got := do(t, client, "GET", url+"/items", nil, "Origin", "https://app.example")
	h := got.header
	if got.status != 200 || h.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		h.Get("Access-Control-Expose-Headers") != "X-Total" || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("GET with allowed Origin = %v %v, want the gateway's CORS headers", got, h)
	}
	got = do(t, client, "GET", url+"/items", nil, "Origin", "https://evil.example")
	if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET with disallowed Origin = %v %v, want 200 without CORS headers", got, got.header)
	}
	// OPTIONS that is not a preflight is routed: no OPTIONS route, so 404.
	if got := do(t, client, "OPTIONS", url+"/items", nil, "Origin", "https://app.example"); got.status != 404 {
		t.Errorf("OPTIONS without Access-Control-Request-Method = %v, want 404", got)
	}
}

func TestCorsEdgeCases(t *testing.T) {
	client := http.DefaultClient
	// Only origins configured: a preflight never matches (§7 [VAL]).
	_, _, url := corsAPI(t, &apigw.Cors{AllowOrigins: []string{"*"}}, true)
	got := do(t, client, "OPTIONS", url+"/items", nil, "Origin", "https://a.example", "Access-Control-Request-Method", "GET")
	if got.status != 204 || got.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("origins-only preflight = %v %v, want 204 without CORS headers", got, got.header)
	}
	// Wildcards.
	_, _, url = corsAPI(t, &apigw.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}}, true)
	got = do(t, client, "OPTIONS", url+"/items", nil, "Origin", "https://a.example", "Access-Control-Request-Method", "PUT")
	if got.header.Get("Access-Control-Allow-Origin") != "*" || got.header.Get("Access-Control-Allow-Methods") != "*" {
		t.Errorf("wildcard preflight headers = %v, want origin * and methods *", got.header)
	}
	if _, ok := got.header["Access-Control-Allow-Headers"]; !ok {
		t.Errorf("wildcard preflight headers = %v, want an (empty) access-control-allow-headers", got.header)
	}
	// Without CORS, OPTIONS is routed like any method: 404.
	_, _, url = corsAPI(t, nil, true)
	if got := do(t, client, "OPTIONS", url+"/items", nil, "Origin", "https://a.example", "Access-Control-Request-Method", "GET"); got.status != 404 {
		t.Errorf("preflight without CORS = %v, want 404", got)
	}
}

// TestCorsNeedsDeployment: CORS changes go live with a deployment (§2
// [VAL test_cors_updated_on_non_updated_deployment]).
func TestCorsNeedsDeployment(t *testing.T) {
	ctx := context.Background()
	client := http.DefaultClient
	svc, id, url := corsAPI(t, nil, false)
	preflight := func() string {
		return do(t, client, "OPTIONS", url+"/items", nil, "Origin", "https://a.example", "Access-Control-Request-Method", "GET").
			header.Get("Access-Control-Allow-Origin")
	}
	if _, err := svc.UpdateAPI(ctx, id, apigw.UpdateAPIInput{CorsConfiguration: &apigw.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET"}}}); err != nil {
		t.Fatal(err)
	}
	if got := preflight(); got != "" {
		t.Errorf("preflight before redeploy allow-origin = %q, want none", got)
	}
	if _, err := svc.CreateDeployment(ctx, id, apigw.CreateDeploymentInput{StageName: "$default"}); err != nil {
		t.Fatal(err)
	}
	if got := preflight(); got != "*" {
		t.Errorf("preflight after redeploy allow-origin = %q, want *", got)
	}
	if err := svc.DeleteCorsConfiguration(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := preflight(); got != "*" {
		t.Errorf("preflight after delete, before redeploy = %q, want * still", got)
	}
	if _, err := svc.CreateDeployment(ctx, id, apigw.CreateDeploymentInput{StageName: "$default"}); err != nil {
		t.Fatal(err)
	}
	if got := preflight(); got != "" {
		t.Errorf("preflight after delete and redeploy = %q, want none", got)
	}
}
