package apigw_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// goldenAPIID replaces the random API ID in golden output.
const goldenAPIID = "a1b2c3d4e5"

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run go test -update and review the diff)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// goldenGateway builds one API per payload format with the same routes,
// auto-deployed to $default and to a "dev" stage with stage variables.
func goldenGateway(t *testing.T, inv apigw.Invoker) (*apigw.Service, map[string]string) {
	t.Helper()
	ctx := context.Background()
	svc := newService(t, openDB(t, t.TempDir()), inv)
	ids := map[string]string{}
	for _, version := range []string{"1.0", "2.0"} {
		api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "golden-" + version, ProtocolType: "HTTP"})
		if err != nil {
			t.Fatal(err)
		}
		ig, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{
			IntegrationType: "AWS_PROXY", PayloadFormatVersion: version,
			IntegrationURI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + seedFn + "/invocations",
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"GET /pets/{id}", "POST /forms", "ANY /files/{path+}", "PUT /items/{id}", "$default"} {
			if _, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: key, Target: "integrations/" + ig.IntegrationID}); err != nil {
				t.Fatal(err)
			}
		}
		for _, st := range []apigw.CreateStageInput{
			{StageName: "$default", AutoDeploy: true},
			{StageName: "dev", AutoDeploy: true, StageVariables: map[string]string{"env": "dev", "table": "pets-dev"}},
		} {
			if _, err := svc.CreateStage(ctx, api.APIID, st); err != nil {
				t.Fatal(err)
			}
		}
		ids[version] = api.APIID
	}
	return svc, ids
}

var traceIDPattern = regexp.MustCompile(`Root=1-[0-9a-f]{8}-[0-9a-f]{24}`)

// TestEventGolden sends a table of requests over real HTTP and compares
// the exact events of payload formats 1.0 and 2.0 with testdata/events.
func TestEventGolden(t *testing.T) {
	inv := returning(`{"statusCode":200}`)
	svc, ids := goldenGateway(t, inv)
	srv := serve(t, svc)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	binary := string([]byte{0x01, 0x02, 0x03, 0x04, 0x05, 0xff})

	tests := []struct {
		name   string
		method string
		path   string // after the host; the test adds nothing else
		body   string
		header []string
	}{
		{name: "default-route-root", method: "GET", path: "/", header: []string{"User-Agent", "curl/8.5.0", "Accept", "*/*"}},
		{name: "path-space-unicode", method: "GET", path: "/pets/Summer%20Sale%20%E2%98%95"},
		{name: "path-encoded-slash", method: "GET", path: "/pets/foo%2Fbar"},
		{name: "query-repeated", method: "GET", path: "/pets/1?tag=important&tag=urgent&q=Hello%20World&empty&plus=a+b&c=C%23"},
		{name: "cookies", method: "GET", path: "/pets/2", header: []string{"Cookie", "session=abc123; theme=dark", "Cookie", "lang=en"}},
		{name: "repeated-headers", method: "GET", path: "/pets/3", header: []string{"X-Multi", "a", "X-Multi", "b", "X-Forwarded-For", "203.0.113.7"}},
		{name: "json-body", method: "POST", path: "/forms", body: `{"name": "John Doe", "age": 30}`, header: []string{"Content-Type", "application/json"}},
		{name: "form-body", method: "POST", path: "/forms", body: "name=John+Doe&age=30", header: []string{"Content-Type", "application/x-www-form-urlencoded"}},
		{name: "binary-body", method: "PUT", path: "/items/7", body: binary, header: []string{"Content-Type", "application/octet-stream"}},
		{name: "text-body-invalid-utf8", method: "PUT", path: "/items/8", body: "bad\xffbytes", header: []string{"Content-Type", "text/plain"}},
		{name: "body-without-content-type", method: "POST", path: "/forms", body: "plain"},
		{name: "named-stage", method: "GET", path: "/dev/pets/42"},
		{name: "named-stage-greedy", method: "DELETE", path: "/dev/files/a/b/c.txt"},
		{name: "default-stage-prefix", method: "GET", path: "/$default/pets/5"},
		{name: "repeated-slashes", method: "GET", path: "//pets//6"},
		{name: "method-not-routed-goes-default", method: "PATCH", path: "/pets/9", header: []string{"X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678"}},
	}
	for _, tt := range tests {
		for version, id := range ids {
			t.Run(tt.name+"/"+version, func(t *testing.T) {
				var body *strings.Reader
				if tt.body != "" {
					body = strings.NewReader(tt.body)
				}
				hdr := append([]string{"Host", id + ".execute-api.localhost:4566"}, tt.header...)
				if !slices.Contains(tt.header, "User-Agent") {
					hdr = append(hdr, "User-Agent", "golden-test")
				}
				var res result
				if body != nil {
					res = do(t, srv.Client(), tt.method, srv.URL+tt.path, body, hdr...)
				} else {
					res = do(t, srv.Client(), tt.method, srv.URL+tt.path, nil, hdr...)
				}
				if res.status != 200 {
					t.Fatalf("%s %s = %v, want 200", tt.method, tt.path, res)
				}
				ev := inv.last(t).Payload
				if !json.Valid(ev) {
					t.Fatalf("event is not JSON: %s", ev)
				}
				text := strings.ReplaceAll(string(ev), id, goldenAPIID)
				text = strings.ReplaceAll(text, `"`+port+`"`, `"4566"`)
				text = traceIDPattern.ReplaceAllStringFunc(text, func(s string) string {
					if s == "Root=1-67891233-abcdef012345678912345678" {
						return s
					}
					return "Root=1-00000000-000000000000000000000000"
				})
				var out bytes.Buffer
				if err := json.Indent(&out, []byte(text), "", "  "); err != nil {
					t.Fatal(err)
				}
				out.WriteByte('\n')
				golden(t, filepath.Join("events", tt.name+".v"+version[:1]+".json"), out.Bytes())
			})
		}
	}
}

// TestResponseGolden maps a table of function results to the exact HTTP
// responses of payload formats 2.0 and 1.0 (testdata/responses.v*.golden).
func TestResponseGolden(t *testing.T) {
	results := []struct{ name, payload string }{
		{"seed", seedResult},
		{"string", `"hello world"`},
		{"number", `42`},
		{"null", `null`},
		{"array", `[1, 2, 3]`},
		{"object-without-status", `{"name": "John Doe", "age": 30}`},
		{"object-with-headers-no-status", `{"headers": {"x": "y"}, "body": "b"}`},
		{"status-number", `{"statusCode": 201, "body": "created"}`},
		{"status-string", `{"statusCode": "202", "body": "accepted"}`},
		{"status-invalid-string", `{"statusCode": "test"}`},
		{"status-float", `{"statusCode": 200.5}`},
		{"status-zero", `{"statusCode": 0}`},
		{"content-type-given", `{"statusCode": 200, "headers": {"Content-Type": "application/xml"}, "body": "<a/>"}`},
		{"headers-mixed", `{"statusCode": 200, "headers": {"x-bool": true, "x-num": 7, "x-list": "a,b"}, "multiValueHeaders": {"x-multi": ["1", "2"]}, "body": "ok"}`},
		{"cookies", `{"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "headers": {"Set-Cookie": "c=3"}, "body": "ok"}`},
		{"cookies-not-list", `{"statusCode": 200, "cookies": {"a": "b"}}`},
		{"base64", `{"statusCode": 200, "isBase64Encoded": true, "headers": {"content-type": "image/png"}, "body": "iVBORw0KGgo="}`},
		{"base64-flag-false", `{"statusCode": 200, "isBase64Encoded": false, "body": "iVBORw0KGgo="}`},
		{"base64-invalid", `{"statusCode": 200, "isBase64Encoded": true, "body": "%%%"}`},
		{"error-message-object", `{"errorMessage": "boom", "errorType": "ValueError"}`},
		{"invalid-json", `{"statusCode": 200,`},
		{"empty-body-404", `{"statusCode": 404}`},
	}
	for _, version := range []string{"2.0", "1.0"} {
		var out bytes.Buffer
		for _, r := range results {
			inv := returning(r.payload)
			svc, ids := goldenGateway(t, inv)
			id := ids[version]
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "http://"+id+".execute-api.localhost/pets/1", nil)
			svc.ServeAPI(rec, req, id, "/pets/1")
			resp := rec.Result()
			fmt.Fprintf(&out, "=== %s\n%s\n--- response\n%d %s\n", r.name, r.payload, resp.StatusCode, http.StatusText(resp.StatusCode))
			keys := make([]string, 0, len(resp.Header))
			for k := range resp.Header {
				keys = append(keys, k)
			}
			slices.SortFunc(keys, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
			for _, k := range keys {
				for _, v := range resp.Header[k] {
					fmt.Fprintf(&out, "%s: %s\n", strings.ToLower(k), v)
				}
			}
			fmt.Fprintf(&out, "\n%s\n\n", printable(rec.Body.Bytes()))
		}
		golden(t, "responses.v"+version[:1]+".golden", out.Bytes())
	}
}

// printable shows a body as text, or Go-quoted when it has bytes a
// reviewer could not see.
func printable(b []byte) string {
	if !utf8.Valid(b) || strings.ContainsFunc(string(b), func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(string(b))
	}
	return string(b)
}
