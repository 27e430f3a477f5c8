package apigw_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

// discardWriter is a ResponseWriter that keeps only the status, so the
// benchmark measures the gateway rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }

// benchService is a Service on the real clock with the account throttle
// lifted, so that benchmarks measure serving rather than 429s.
func benchService(b *testing.B) *apigw.Service {
	b.Helper()
	svc, err := apigw.New(apigw.Config{
		DB: openDB(b, b.TempDir()), Region: testRegion, AccountID: testAccount, Invoker: returning(seedResult),
		AccountRateLimit: 1e12, AccountBurstLimit: 1 << 30,
	})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchmarkGatewayStub measures the gateway's own work per request —
// stage and route lookup, the 2.0 event, the invoke call, response
// mapping — with an Invoker that answers the seed's result at once. The
// issue's budget is 50 µs.
func BenchmarkGatewayStub(b *testing.B) {
	for _, routes := range []int{1, 300} {
		b.Run(fmt.Sprintf("routes=%d", routes), func(b *testing.B) {
			svc := benchService(b)
			api := seedAPI(b, svc)
			addRoutes(b, svc, api.APIID, routes-1)
			req := httptest.NewRequest("GET", "http://"+api.APIID+".execute-api.localhost:4566/", nil)
			req.Header.Set("User-Agent", "curl/8.5.0")
			req.Header.Set("Accept", "*/*")
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				svc.ServeAPI(w, req, api.APIID, "/")
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}

// BenchmarkGatewayHTTP drives the seed's API over loopback HTTP with
// keep-alive clients (the "8 keep-alive clients" shape), the
// Invoker stubbed, so it shows the HTTP stack plus the gateway.
func BenchmarkGatewayHTTP(b *testing.B) {
	svc := benchService(b)
	api := seedAPI(b, svc)
	srv := httptest.NewServer(edge(svc))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	host := api.APIID + ".execute-api.localhost"
	b.SetParallelism(4) // 4 × GOMAXPROCS goroutines, each a keep-alive client
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", srv.URL+"/", nil)
			req.Host = host
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

// addRoutes adds n more routes to the API's first integration.
func addRoutes(tb testing.TB, svc *apigw.Service, apiID string, n int) {
	tb.Helper()
	ctx := context.Background()
	integs, err := svc.ListIntegrations(ctx, apiID)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		if _, err := svc.CreateRoute(ctx, apiID, apigw.CreateRouteInput{
			RouteKey: fmt.Sprintf("GET /r%d/{id}", i), Target: "integrations/" + integs[0].IntegrationID,
		}); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkSeedLatency sends the seed's GET / over one keep-alive
// connection, one request at a time, and reports the p50 and p99
// latencies (the targets, with a real function, are 1 ms and
// 3 ms; here the function is a stub).
func BenchmarkSeedLatency(b *testing.B) {
	svc := benchService(b)
	api := seedAPI(b, svc)
	srv := httptest.NewServer(edge(svc))
	defer srv.Close()
	client := srv.Client()
	host := api.APIID + ".execute-api.localhost"
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.Host = host
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}
