package payload

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`q"b\s`, `"q\"b\\s"`},
		{"a\nb\tc\rd\x01", `"a\nb\tc\rd\u0001"`},
		{"<&>", `"<&>"`},
		{"caf\u00e9 \u2615", "\"caf\u00e9 \u2615\""},
		{"bad\xffbyte", `"bad\ufffdbyte"`},
	}
	for _, tt := range tests {
		got := string(appendString(nil, tt.in))
		if got != tt.want {
			t.Errorf("appendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("appendString(%q) = %s, not valid JSON: %v", tt.in, got, err)
		}
	}
}

func TestIsTextContent(t *testing.T) {
	tests := []struct {
		ct   string
		body string
		want bool
	}{
		{"text/plain", "hi", true},
		{"Text/HTML; charset=utf-8", "hi", true},
		{"application/json", "{}", true},
		{"application/json; charset=UTF-8", "{}", true},
		{"application/xml", "<a/>", true},
		{"application/javascript", "x", true},
		{"", "hi", false},
		{"application/x-www-form-urlencoded", "a=1", false},
		{"multipart/form-data; boundary=x", "--x", false},
		{"application/octet-stream", "\x01", false},
		{"image/png", "\x89PNG", false},
		{"image/svg+xml", "<svg/>", false},
		{"application/ld+json", "{}", false},
		{"application/vnd.api+json", "{}", false},
		{"text/plain", "bad\xff", false},
	}
	for _, tt := range tests {
		if got := IsTextContent(tt.ct, []byte(tt.body)); got != tt.want {
			t.Errorf("IsTextContent(%q, %q) = %v, want %v", tt.ct, tt.body, got, tt.want)
		}
	}
}

func TestQuery(t *testing.T) {
	tests := []struct {
		raw  string
		want []queryParam
	}{
		{"", nil},
		{"a=1", []queryParam{{"a", []string{"1"}}}},
		{"a=1&b=x%20y&a=2", []queryParam{{"a", []string{"1", "2"}}, {"b", []string{"x y"}}}},
		{"p1&&p2=", []queryParam{{"p1", []string{""}}, {"p2", []string{""}}}},
		{"q=Hello+World&bad=%zz", []queryParam{{"q", []string{"Hello World"}}, {"bad", []string{"%zz"}}}},
		{"tag=C%23%20Programming&tag=.NET%20Core", []queryParam{{"tag", []string{"C# Programming", ".NET Core"}}}},
	}
	for _, tt := range tests {
		got := query(tt.raw)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(queryParam{})); diff != "" {
			t.Errorf("query(%q) diff (-want +got):\n%s", tt.raw, diff)
		}
	}
	// Many distinct keys switch to the index map; order must survive.
	var b strings.Builder
	for i := range 20 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(string(rune('a'+i)) + "=1&a=x")
	}
	q := query(b.String())
	if len(q) != 20 || q[0].key != "a" || len(q[0].values) != 21 || q[19].key != "t" {
		t.Errorf("query(20 keys) = %d keys, first %q with %d values, want 20 keys, a with 21", len(q), q[0].key, len(q[0].values))
	}
}

func TestEventsAreValidJSON(t *testing.T) {
	r := &Request{
		Method: "POST", EscapedPath: "/dev/a%20b", RawQuery: "x=1&x=2",
		Header: http.Header{"Cookie": {"a=1; b=2"}, "Content-Type": {"application/json"}},
		Host:   "abc.execute-api.localhost", Body: []byte(`{"k":"v"}`),
		SourceIP: "127.0.0.1", RouteKey: "POST /a b", RoutePath: "/a b",
		StageVariables: map[string]string{"s": "v"}, Stage: "dev",
		Time: time.Unix(1744668616, 359e6),
	}
	for name, ev := range map[string][]byte{"v1": EventV1(r), "v2": EventV2(r)} {
		var v map[string]any
		if err := json.Unmarshal(ev, &v); err != nil {
			t.Errorf("Event%s() = %s, not JSON: %v", name, ev, err)
		}
	}
}

func TestResponseV2(t *testing.T) {
	type want struct {
		status int
		header http.Header
		body   string
		err    error
	}
	text := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	js := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name    string
		payload string
		want    want
	}{
		{"seed", `{"statusCode": 200, "body": "\"Hello form Awstut !\""}`, want{200, text, `"Hello form Awstut !"`, nil}},
		{"string", `"hello"`, want{200, js, "hello", nil}},
		{"empty-string", `""`, want{200, js, "", nil}},
		{"number", `42`, want{200, js, "42", nil}},
		{"array-kept-as-written", `[1, 2, 3]`, want{200, js, "[1, 2, 3]", nil}},
		{"null", `null`, want{200, js, "null", nil}},
		{"bool", `true`, want{200, js, "true", nil}},
		{"object-without-status", `{"name": "John Doe", "age": 30}`, want{200, js, `{"name": "John Doe", "age": 30}`, nil}},
		{"headers-only-object", `{"headers":{"a":"b"}}`, want{200, js, `{"headers":{"a":"b"}}`, nil}},
		{"invalid-json", `{"partial": `, want{200, js, `{"partial": `, nil}},
		{"error-message", `{"errorMessage":"boom","errorType":"Exception"}`, want{err: ErrFunctionError}},
		{"error-message-string", `"errorMessage"`, want{200, js, "errorMessage", nil}},
		{"status-string", `{"statusCode":"201"}`, want{201, text, "", nil}},
		{"status-text", `{"statusCode":"test"}`, want{err: ErrMalformed}},
		{"status-float", `{"statusCode":200.5}`, want{err: ErrMalformed}},
		{"status-zero", `{"statusCode":0}`, want{err: ErrMalformed}},
		{"status-too-big", `{"statusCode":600}`, want{err: ErrMalformed}},
		{"status-null", `{"statusCode":null}`, want{err: ErrMalformed}},
		{"extra-keys", `{"statusCode":200,"wrongValue":"x","multiValueHeaders":{"a":["b"]}}`, want{200, text, "", nil}},
		{"headers", `{"statusCode":200,"headers":{"content-type":"application/xml","header-bool":true,"n":1,"myheader":"test,shouldhavesecondvalue","nul":null},"body":"<a/>"}`,
			want{200, http.Header{"Content-Type": {"application/xml"}, "Header-Bool": {"true"}, "N": {"1"}, "Myheader": {"test,shouldhavesecondvalue"}}, "<a/>", nil}},
		{"cookies", `{"statusCode":200,"cookies":["a=1","b=2; Path=/"],"headers":{"set-cookie":"c=3"}}`,
			want{200, http.Header{"Set-Cookie": {"a=1", "b=2; Path=/", "c=3"}, "Content-Type": {"text/plain; charset=utf-8"}}, "", nil}},
		{"cookies-not-list", `{"statusCode":200,"cookies":{"a":"b"}}`, want{err: ErrMalformed}},
		{"headers-not-object", `{"statusCode":200,"headers":"x"}`, want{err: ErrMalformed}},
		{"body-not-string", `{"statusCode":200,"body":{"a":1}}`, want{err: ErrMalformed}},
		{"base64", `{"statusCode":404,"isBase64Encoded":true,"body":"AQIDBAU=","headers":{"Content-Type":"application/octet-stream"}}`,
			want{404, http.Header{"Content-Type": {"application/octet-stream"}}, "\x01\x02\x03\x04\x05", nil}},
		{"base64-false-kept", `{"statusCode":200,"isBase64Encoded":false,"body":"AQIDBAU="}`, want{200, text, "AQIDBAU=", nil}},
		{"base64-invalid", `{"statusCode":200,"isBase64Encoded":true,"body":"!!"}`, want{err: ErrMalformed}},
		{"gateway-owned-dropped", `{"statusCode":200,"headers":{"Content-Length":"999","Date":"x"},"body":"ok"}`, want{200, text, "ok", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResponseV2([]byte(tt.payload))
			if tt.want.err != nil {
				if !errors.Is(err, tt.want.err) {
					t.Fatalf("ResponseV2(%s) = %+v, %v, want error %v", tt.payload, got, err, tt.want.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResponseV2(%s) error %v", tt.payload, err)
			}
			if got.StatusCode != tt.want.status || string(got.Body) != tt.want.body || !cmp.Equal(got.Header, tt.want.header) {
				t.Errorf("ResponseV2(%s) = %d %v %q, want %d %v %q", tt.payload, got.StatusCode, got.Header, got.Body, tt.want.status, tt.want.header, tt.want.body)
			}
		})
	}
}

func TestResponseV1(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		status  int
		header  http.Header
		body    string
		wantErr bool
	}{
		{name: "empty-object", payload: `{}`, wantErr: true},
		{name: "string", payload: `"hello"`, wantErr: true},
		{name: "headers-no-status", payload: `{"headers":{"a":"b"}}`, wantErr: true},
		{name: "status-string", payload: `{"statusCode":"201","body":"x"}`, status: 201, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: "x"},
		{name: "status-text", payload: `{"statusCode":"test"}`, wantErr: true},
		{name: "combined-headers", payload: `{"statusCode":200,"headers":{"Combined-Header":"single-value"},"multiValueHeaders":{"Combined-Header":["multi-value1","multi-value2"]}}`,
			status: 200, header: http.Header{"Combined-Header": {"single-value", "multi-value1", "multi-value2"}, "Content-Type": {"text/plain; charset=utf-8"}}},
		{name: "multi-not-list", payload: `{"statusCode":200,"multiValueHeaders":{"a":"b"}}`, wantErr: true},
		{name: "base64", payload: `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`, status: 200, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: "hi"},
		{name: "cookies-ignored", payload: `{"statusCode":200,"cookies":"x"}`, status: 200, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}},
	}
	for _, tt := range tests {
		got, err := ResponseV1([]byte(tt.payload))
		if tt.wantErr {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("ResponseV1(%s) = %+v, %v, want ErrMalformed", tt.payload, got, err)
			}
			continue
		}
		if err != nil || got.StatusCode != tt.status || string(got.Body) != tt.body || !cmp.Equal(got.Header, tt.header) {
			t.Errorf("ResponseV1(%s) = %+v, %v, want %d %v %q", tt.payload, got, err, tt.status, tt.header, tt.body)
		}
	}
}

func TestAuthorizerEventsWithoutIdentitySources(t *testing.T) {
	r := &Request{Method: "GET", EscapedPath: "/a", RouteKey: "GET /a", RoutePath: "/a", Body: []byte("x"), Header: http.Header{}}
	for name, ev := range map[string][]byte{
		"v2": AuthorizerEventV2(r, "arn", nil),
		"v1": AuthorizerEventV1(r, "arn", nil),
	} {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(ev, &m); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", name, err, ev)
		}
		want := map[string]string{"v2": "null", "v1": `""`}[name]
		if got := string(m["identitySource"]); got != want {
			t.Errorf("%s identitySource = %s, want %s", name, got, want)
		}
		for _, k := range []string{"body", "isBase64Encoded"} {
			if _, ok := m[k]; ok {
				t.Errorf("%s has %s, want none (§8.3)", name, k)
			}
		}
	}
}
