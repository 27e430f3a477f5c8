package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/apigw/route"
	"github.com/cloudlet-dev/cloudlet/internal/edge"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// The gateway's figures: the HTTP API data plane with the function
// replaced by a stub, so that what is left is the gateway's own work.

const (
	stubRegion  = "us-east-1"
	stubAccount = "000000000000"
	// seedResult is what the seed's handler returns, as Lambda passes it
	// to the gateway.
	seedResult = `{"statusCode": 200, "body": "\"Hello form Awstut !\""}`
)

// stubInvoker answers every invocation with the seed's result at once.
type stubInvoker struct{}

func (stubInvoker) InvokeForAPI(context.Context, apigw.Invocation) (*apigw.InvokeResult, error) {
	return &apigw.InvokeResult{Payload: []byte(seedResult)}, nil
}

var _ apigw.Invoker = stubInvoker{}

// stubGateway is an API Gateway service with the seed's API, its store in
// dir. The account throttle (10,000 requests/s) is lifted: the stub
// answers faster than that, and the figures are about serving, not 429s.
func stubGateway(ctx context.Context, dir string, extraRoutes int) (*apigw.Service, *apigw.API, func(), error) {
	db, err := store.Open(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	svc, err := apigw.New(apigw.Config{DB: db, Region: stubRegion, AccountID: stubAccount, Invoker: stubInvoker{},
		AccountRateLimit: 1e12, AccountBurstLimit: 1 << 30})
	if err != nil {
		_ = db.Close()
		return nil, nil, nil, err
	}
	closeDB := func() { _ = db.Close() }
	api, err := seedAPI(ctx, svc, extraRoutes)
	if err != nil {
		closeDB()
		return nil, nil, nil, err
	}
	return svc, api, closeDB, nil
}

// seedAPI creates fa-005-apigateway.yaml's API as the CloudFormation
// provider does, plus extra routes GET /r{i}/{id} on the same integration.
func seedAPI(ctx context.Context, svc *apigw.Service, extraRoutes int) (*apigw.API, error) {
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "fa-005-HttpApi", Description: "HttpApi.", ProtocolType: "HTTP"})
	if err != nil {
		return nil, fmt.Errorf("create API: %w", err)
	}
	if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "$default", AutoDeploy: true}); err != nil {
		return nil, fmt.Errorf("create stage: %w", err)
	}
	ig, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{
		ConnectionType: "INTERNET", CredentialsARN: "arn:aws:iam::" + stubAccount + ":role/fa-005-ApiGatewayRole",
		IntegrationMethod: "POST", IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0",
		IntegrationURI: "arn:aws:lambda:" + stubRegion + ":" + stubAccount + ":function:fa-005-function",
	})
	if err != nil {
		return nil, fmt.Errorf("create integration: %w", err)
	}
	keys := []string{"GET /"}
	for i := range extraRoutes {
		keys = append(keys, fmt.Sprintf("GET /r%d/{id}", i))
	}
	for _, k := range keys {
		if _, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: k, Target: "integrations/" + ig.IntegrationID}); err != nil {
			return nil, fmt.Errorf("create route %s: %w", k, err)
		}
	}
	return api, nil
}

// serveStub is the stub role: the seed's API with a stub function behind
// cloudlet's own edge listener. It prints "ADDR APIID".
func serveStub(ctx context.Context, ready interface{ Write([]byte) (int, error) }) error {
	dir, err := os.MkdirTemp("", "cloudlet-bench-stub-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	svc, api, closeDB, err := stubGateway(ctx, dir, 0)
	if err != nil {
		return err
	}
	defer closeDB()
	e := edge.New(edge.Config{Host: "127.0.0.1", API: svc.ServeAPI})
	if err := e.Listen(); err != nil {
		return err
	}
	e.Serve()
	fmt.Fprintf(ready, "%s %s\n", e.Addr(), api.APIID)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return e.Shutdown(sctx)
}

// discardWriter keeps only the status, so that the handler loop measures
// the gateway rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }

// handlerMicros calls the gateway's handler for GET / n times in a row
// and returns the microseconds per request.
func handlerMicros(svc *apigw.Service, apiID string, n int) (float64, error) {
	req := httptest.NewRequest(http.MethodGet, "http://"+apiID+".execute-api.localhost:4566/", nil)
	req.Header.Set("User-Agent", "cloudlet-bench")
	req.Header.Set("Accept", "*/*")
	w := &discardWriter{h: http.Header{}}
	start := time.Now()
	for range n {
		clear(w.h)
		w.status = 0
		svc.ServeAPI(w, req, apiID, "/")
		if w.status != http.StatusOK {
			return 0, fmt.Errorf("gateway answered %d", w.status)
		}
	}
	return micros(time.Since(start)) / float64(n), nil
}

// routeTable compiles n routes shaped like a real API — per resource a
// list route and an item route — and returns it with the path of the
// last item route, the one a lookup must walk furthest for.
func routeTable(n int) (*route.Table, string, error) {
	keys := make([]route.Key, 0, n)
	last := ""
	for i := 0; len(keys) < n; i++ {
		raw := []string{fmt.Sprintf("GET /v1/res%d", i), fmt.Sprintf("GET /v1/res%d/{id}/items", i)}
		for _, r := range raw {
			if len(keys) == n {
				break
			}
			k, err := route.ParseKey(r)
			if err != nil {
				return nil, "", err
			}
			keys = append(keys, k)
			last = strings.Replace(k.Path, "{id}", "42", 1)
		}
	}
	return route.Compile(keys, route.Options{}), last, nil
}

// matchNanos matches path against tab n times and returns ns per match.
func matchNanos(tab *route.Table, path string, n int) (float64, error) {
	start := time.Now()
	for range n {
		if _, ok := tab.Match(http.MethodGet, route.Split(path)); !ok {
			return 0, errors.New("no match for " + path)
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n), nil
}
