package apigw_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(fixedNow.UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) AppendAccessLog(group, stream string, _ time.Time, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, group+"|"+stream+"|"+line)
}

func TestThrottlingAccessLogsAndMetrics(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	sink := &logSink{}
	svc, err := apigw.New(apigw.Config{
		DB: openDB(t, t.TempDir()), Region: testRegion, AccountID: testAccount, Invoker: returning(seedResult),
		Now: clock.Now, RequestID: func() string { return "JCInWhFRvHcEJdA=" }, AccessLogs: sink,
	})
	if err != nil {
		t.Fatal(err)
	}
	api := seedAPI(t, svc)
	_, err = svc.UpdateStage(ctx, api.APIID, "$default", apigw.UpdateStageInput{
		RouteSettings: map[string]apigw.RouteSettings{"GET /": {ThrottlingBurstLimit: ptr(2), ThrottlingRateLimit: ptr(1.0)}},
		AccessLogSettings: &apigw.AccessLogSettings{
			DestinationARN: "arn:aws:logs:us-east-1:123456789012:log-group:api-logs:*",
			Format:         `{"requestId":"$context.requestId","route":"$context.routeKey","status":"$context.status","len":"$context.responseLength","err":"$context.error.message","user":"$context.identity.user"}`,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, svc)
	url := srv.URL + "/_aws/execute-api/" + api.APIID
	statuses := func(n int) []int {
		var out []int
		for range n {
			out = append(out, do(t, srv.Client(), "GET", url+"/", nil).status)
		}
		return out
	}
	got := statuses(3)
	if got[0] != 200 || got[1] != 200 || got[2] != 429 {
		t.Fatalf("3 requests with burst 2 = %v, want [200 200 429]", got)
	}
	if r := do(t, srv.Client(), "GET", url+"/", nil); r.body != `{"message":"Too Many Requests"}` || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("throttled answer = %v %v", r, r.header)
	}
	clock.Advance(time.Second)
	if got := statuses(1); got[0] != 200 {
		t.Errorf("after one second = %v, want [200]", got)
	}
	// Other routes have no route limit.
	if got := do(t, srv.Client(), "GET", url+"/nope", nil); got.status != 404 {
		t.Errorf("GET /nope = %v, want 404", got)
	}
	// Changing unrelated stage settings keeps the bucket (no reset).
	if _, err := svc.UpdateStage(ctx, api.APIID, "$default", apigw.UpdateStageInput{Description: ptr("x")}); err != nil {
		t.Fatal(err)
	}
	if got := statuses(1); got[0] != 429 {
		t.Errorf("after an unrelated stage update = %v, want [429] (bucket kept)", got)
	}

	sink.mu.Lock()
	lines := append([]string(nil), sink.lines...)
	sink.mu.Unlock()
	if len(lines) != 7 {
		t.Fatalf("access log lines = %d, want 7:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	want0 := `api-logs|` + api.APIID + `_$default|{"requestId":"JCInWhFRvHcEJdA=","route":"GET /","status":"200","len":"21","err":"-","user":"-"}`
	if lines[0] != want0 {
		t.Errorf("access log line 0 = %s, want %s", lines[0], want0)
	}
	if !strings.Contains(lines[2], `"status":"429"`) || !strings.Contains(lines[2], `"err":"Too Many Requests"`) {
		t.Errorf("access log line 2 = %s, want status 429 and the error message", lines[2])
	}
	if !strings.Contains(lines[5], `"route":"-","status":"404"`) {
		t.Errorf("access log line 5 = %s, want an unmatched 404", lines[5])
	}

	m := svc.Metrics(api.APIID)
	byRoute := map[string]apigw.RouteMetrics{}
	for _, r := range m {
		byRoute[r.RouteKey] = r
	}
	if r := byRoute["GET /"]; r.Count != 6 || r.Count4XX != 3 || r.Throttled != 3 || r.Count5XX != 0 {
		t.Errorf("metrics for GET / = %+v, want 6 requests, 3 4xx, 3 throttled", r)
	}
	if r := byRoute[""]; r.Count != 1 || r.Count4XX != 1 {
		t.Errorf("metrics for unmatched = %+v, want 1 request, 1 4xx", r)
	}
	if _, err := svc.UpdateStage(ctx, api.APIID, "$default", apigw.UpdateStageInput{AccessLogSettings: &apigw.AccessLogSettings{
		DestinationARN: "arn:aws:logs:us-east-1:123456789012:log-group:x", Format: "$context.status"}}); awsCode(err) != "BadRequestException" {
		t.Errorf("access log format without requestId = %v, want BadRequestException", err)
	}
}

func TestRequestLimits(t *testing.T) {
	svc := newService(t, openDB(t, t.TempDir()), returning(seedResult))
	api := seedAPI(t, svc)
	srv := serve(t, svc)
	url := srv.URL + "/_aws/execute-api/" + api.APIID
	big := strings.Repeat("x", 10241)
	if got := do(t, srv.Client(), "GET", url+"/", nil, "X-Big", big); got.status != 431 {
		t.Errorf("11 KB of headers = %v, want 431", got)
	}
	if _, err := svc.CreateRoute(context.Background(), api.APIID, apigw.CreateRouteInput{RouteKey: "POST /up", Target: mustTarget(t, svc, api.APIID)}); err != nil {
		t.Fatal(err)
	}
	body := strings.NewReader(strings.Repeat("y", 10<<20+1))
	if got := do(t, srv.Client(), "POST", url+"/up", body); got.status != 413 || got.body != `{"message":"Request Entity Too Large"}` {
		t.Errorf("10 MB + 1 body = %v, want 413", got)
	}
	ctx := context.Background()
	for i := range 9 {
		if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "s" + string(rune('a'+i))}); err != nil {
			t.Fatalf("stage %d: %v", i+2, err)
		}
	}
	if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "eleventh"}); awsCode(err) != "BadRequestException" {
		t.Errorf("11th stage = %v, want BadRequestException", err)
	}
	vars := map[string]string{}
	for i := range 101 {
		vars["v"+strings.Repeat("x", i)] = "1"
	}
	if _, err := svc.UpdateStage(ctx, api.APIID, "sa", apigw.UpdateStageInput{StageVariables: vars}); awsCode(err) != "BadRequestException" {
		t.Errorf("101 stage variables = %v, want BadRequestException", err)
	}
}

func mustTarget(t *testing.T, svc *apigw.Service, apiID string) string {
	t.Helper()
	integs, err := svc.ListIntegrations(context.Background(), apiID)
	if err != nil || len(integs) == 0 {
		t.Fatalf("ListIntegrations = %v, %v", integs, err)
	}
	return "integrations/" + integs[0].IntegrationID
}
