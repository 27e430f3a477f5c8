package console_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/console"
)

// TestMetricsEndpoint calls the seed's API over real HTTP and reads the
// same figures from /_cloudlet/metrics.
func TestMetricsEndpoint(t *testing.T) {
	p := start(t)
	deploySeed(t, p)
	eps, err := p.Endpoints(t.Context(), mustDescribe(t, p, "fa-005").ID)
	if err != nil || len(eps) != 1 {
		t.Fatalf("Endpoints = %v, %v", eps, err)
	}
	pathURL := eps[0].URLs[1] // the /_aws/execute-api/{id}/ form: no resolver needed
	for range 3 {
		if r := get(t, pathURL); r.status != 200 {
			t.Fatalf("GET %s = %d %s", pathURL, r.status, r.body)
		}
	}
	if r := get(t, pathURL+"nope"); r.status != 404 {
		t.Fatalf("GET %snope = %d", pathURL, r.status)
	}

	r := get(t, p.URL()+"/_cloudlet/metrics")
	if r.status != 200 || r.header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("GET /_cloudlet/metrics = %d %q", r.status, r.header.Get("Content-Type"))
	}
	console.CheckExposition(t, r.body)
	api := eps[0].APIID
	for _, tt := range []struct {
		series string
		want   float64
	}{
		{`cloudlet_apigw_requests_total{api="` + api + `",stage="$default",route="GET /"}`, 3},
		{`cloudlet_apigw_requests_total{api="` + api + `",stage="$default",route=""}`, 1},
		{`cloudlet_apigw_4xx_total{api="` + api + `",stage="$default",route=""}`, 1},
		{`cloudlet_apigw_estimated_cost_usd_total{api="` + api + `",stage="$default",route="GET /"}`, 3e-6},
		{`cloudlet_lambda_invocations_total{function="fa-005-function"}`, 3},
		{`cloudlet_lambda_errors_total{function="fa-005-function"}`, 0},
		{`cloudlet_lambda_cold_starts_total{function="fa-005-function"}`, 1},
		{`cloudlet_lambda_environments{function="fa-005-function",state="idle"}`, 1},
		{`cloudlet_lambda_duration_milliseconds_count{function="fa-005-function"}`, 3},
		{`cloudlet_lambda_account_concurrency_limit`, 1000},
		{`cloudlet_stacks{status="CREATE_COMPLETE"}`, 3},
	} {
		if got, ok := value(r.body, tt.series); !ok || got != tt.want {
			t.Errorf("%s = %v (found %v), want %v", tt.series, got, ok, tt.want)
		}
	}
	if got, ok := value(r.body, `cloudlet_lambda_estimated_cost_usd_total{function="fa-005-function",architecture="arm64"}`); !ok || got <= 0 {
		t.Errorf("arm64 cost estimate = %v, %v; want a positive figure", got, ok)
	}
}

// value finds a sample's value in exposition text.
func value(text, series string) (float64, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}
