package cliapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/cliapi"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// server runs the handler on loopback in front of a real Lambda service
// whose download links point at it.
func server(t *testing.T) (*lambda.Service, *httptest.Server) {
	t.Helper()
	return serverAt(t, time.Now)
}

// serverAt is server with the Lambda service on the clock now.
func serverAt(t *testing.T, now func() time.Time) (*lambda.Service, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	s, err := lambda.New(lambda.Config{DB: db, DataDir: dir, Region: "us-east-1", AccountID: "000000000000", EndpointURL: srv.URL, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/_cloudlet/api/", cliapi.New(cliapi.Config{Functions: s}))
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		db.Close()
	})
	return s, srv
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestDownloadLinks(t *testing.T) {
	ctx := context.Background()
	s, _ := server(t)
	pkg := zipOf(t, "app.py", "def handler(e, c):\n    return 1\n")
	if _, err := s.CreateFunction(ctx, lambda.CreateFunctionInput{FunctionName: "fn", Runtime: "python3.12", Handler: "app.handler",
		Role: "arn:aws:iam::000000000000:role/r", Code: lambda.Code{ZipFile: pkg}}); err != nil {
		t.Fatal(err)
	}
	fn, err := s.GetFunction(ctx, "fn", "")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, fn.Code.Location)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" || !bytes.Equal(body, pkg) {
		t.Errorf("GET %s = %d %s, %d bytes, want 200 application/zip with the package", fn.Code.Location, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	layer, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "lib", Content: lambda.Code{ZipFile: pkg}})
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, layer.Content.Location); resp.StatusCode != 200 || !bytes.Equal(body, pkg) {
		t.Errorf("GET %s = %d, %d bytes, want the layer's archive", layer.Content.Location, resp.StatusCode, len(body))
	}
	// A link outlives its function: it then finds nothing, as Lambda says.
	if _, err := s.CreateFunction(ctx, lambda.CreateFunctionInput{FunctionName: "nope", Runtime: "python3.12", Handler: "app.handler",
		Role: "arn:aws:iam::000000000000:role/r", Code: lambda.Code{ZipFile: pkg}}); err != nil {
		t.Fatal(err)
	}
	gone, err := s.GetFunction(ctx, "nope", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFunction(ctx, "nope"); err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, gone.Code.Location)
	want := `{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"}` + "\n"
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" || string(body) != want {
		t.Errorf("GET the code of a deleted function = %d %s %s, want 404 %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body, want)
	}
}

// TestDownloadLinksRefused: a link that is not one the service made, or
// has lapsed, gets S3's 403 <Error> document and no code.
func TestDownloadLinksRefused(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, srv := serverAt(t, clock)
	src := "def handler(e, c):\n    return 1\n"
	if _, err := s.CreateFunction(ctx, lambda.CreateFunctionInput{FunctionName: "fn", Runtime: "python3.12", Handler: "index.handler",
		Role: "arn:aws:iam::000000000000:role/r", Code: lambda.Code{InlineSource: &src}}); err != nil {
		t.Fatal(err)
	}
	fn, err := s.GetFunction(ctx, "fn", "")
	if err != nil {
		t.Fatal(err)
	}
	layer, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "lib", Content: lambda.Code{ZipFile: zipOf(t, "lib.py", "")}})
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(fn.Code.Location, "X-Amz-Expires=600", "X-Amz-Expires=6000", 1)
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	tests := []struct {
		name, link string
		after      time.Duration
		want       string
	}{
		{"unsigned", srv.URL + "/_cloudlet/api/functions/fn/code", 0,
			head + "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>ID</RequestId><HostId>ID</HostId></Error>"},
		{"unsigned-layer", srv.URL + "/_cloudlet/api/layers/lib/1", 0,
			head + "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>ID</RequestId><HostId>ID</HostId></Error>"},
		{"tampered", tampered, 0,
			head + "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><RequestId>ID</RequestId><HostId>ID</HostId></Error>"},
		{"expired", fn.Code.Location, lambda.CodeLinkTTL + time.Minute,
			head + "<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>600</X-Amz-Expires><Expires>2024-05-01T12:10:00Z</Expires><ServerTime>2024-05-01T12:11:00Z</ServerTime><RequestId>ID</RequestId><HostId>ID</HostId></Error>"},
		{"expired-layer", layer.Content.Location, time.Hour,
			head + "<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>600</X-Amz-Expires><Expires>2024-05-01T12:10:00Z</Expires><ServerTime>2024-05-01T13:00:00Z</ServerTime><RequestId>ID</RequestId><HostId>ID</HostId></Error>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			now = t0.Add(tt.after)
			mu.Unlock()
			resp, body := get(t, tt.link)
			id := resp.Header.Get("X-Amz-Request-Id")
			got := strings.ReplaceAll(string(body), id, "ID")
			if resp.StatusCode != 403 || resp.Header.Get("Content-Type") != "application/xml" || id == "" || got != tt.want {
				t.Errorf("GET %s = %d %s %s, want 403 application/xml %s", tt.link, resp.StatusCode, resp.Header.Get("Content-Type"), got, tt.want)
			}
		})
	}
}

func TestInvocationsAndMetrics(t *testing.T) {
	ctx := context.Background()
	s, srv := server(t)
	src := "def handler(e, c):\n    return 1\n"
	if _, err := s.CreateFunction(ctx, lambda.CreateFunctionInput{FunctionName: "fn", Runtime: "python3.12", Handler: "index.handler",
		Role: "arn:aws:iam::000000000000:role/r", Code: lambda.Code{InlineSource: &src}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutFunctionConcurrency(ctx, "fn", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn"}); err == nil {
		t.Fatal("Invoke with reserved concurrency 0 succeeded")
	}
	resp, body := get(t, srv.URL+"/_cloudlet/api/functions/fn/invocations")
	var invs struct{ Invocations []lambda.InvocationRecord }
	if err := json.Unmarshal(body, &invs); err != nil || resp.StatusCode != 200 || len(invs.Invocations) != 1 || invs.Invocations[0].Status != lambda.StatusThrottled {
		t.Errorf("GET invocations = %d %s, want one throttled record", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/_cloudlet/api/metrics")
	var m lambda.Metrics
	if err := json.Unmarshal(body, &m); err != nil || resp.StatusCode != 200 || m.Throttles != 1 || m.UnreservedConcurrentExecutions != 1000 {
		t.Errorf("GET metrics = %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv.URL+"/_cloudlet/api/functions/nope/invocations"); resp.StatusCode != 404 {
		t.Errorf("GET invocations of a missing function = %d, want 404", resp.StatusCode)
	}
	resp, body = get(t, srv.URL+"/_cloudlet/api/functions/fn/destinations")
	if resp.StatusCode != 200 || string(body) != `{"Records":[]}`+"\n" {
		t.Errorf("GET destinations = %d %s", resp.StatusCode, body)
	}
}

// zipOf is an archive holding one file.
func zipOf(t *testing.T, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(body))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
