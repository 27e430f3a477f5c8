package payload_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/payload"
)

// requestOf parses raw as net/http's server does and builds the Request
// the gateway would (internal/apigw baseRequest), so the fuzzer explores
// what a client can send rather than header maps net/http never makes.
func requestOf(raw []byte) (*payload.Request, bool) {
	hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, 1<<16))
	if err != nil {
		return nil, false
	}
	hr.Header.Del("Host")
	return &payload.Request{
		Method: hr.Method, EscapedPath: hr.URL.EscapedPath(), RawQuery: hr.URL.RawQuery,
		Header: hr.Header, Host: hr.Host, Body: body, DeclaredLength: hr.ContentLength,
		SourceIP: "127.0.0.1", ForwardedPort: "4566", ForwardedProto: "http", TraceID: "Root=1-0-0",
		RouteKey: "ANY /{proxy+}", RoutePath: "/{proxy+}",
		PathParameters: []payload.Param{{Name: "proxy", Value: strings.TrimPrefix(hr.URL.Path, "/")}},
		StageVariables: map[string]string{"v": hr.URL.RawQuery},
		AccountID:      "000000000000", APIID: "abc123defg", DomainName: "abc123defg.execute-api.localhost",
		DomainPrefix: "abc123defg", Stage: "$default", RequestID: "Zr3Ab", Time: time.Unix(1744668616, 0),
	}, true
}

// FuzzEvents: whatever a client sends, both payload formats render one
// valid JSON object without repeated keys, of a size proportional to the
// request, whose body decodes to exactly the bytes the client sent. The
// seed corpus is under testdata/fuzz/FuzzEvents.
func FuzzEvents(f *testing.F) {
	f.Add([]byte("GET /a%20b/c?x=1&x=2&y HTTP/1.1\r\nHost: h\r\nCookie: a=1; b=2\r\nX-Multi: 1\r\nX-Multi: 2\r\n\r\n"))
	f.Add([]byte("POST /p HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"k\":\"v\"}"))
	f.Add([]byte("PUT /%2F%zz HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n\xff\xfe\x00"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, ok := requestOf(raw)
		if !ok {
			return
		}
		for _, format := range []struct {
			name  string
			event func(*payload.Request) []byte
		}{{"EventV1", payload.EventV1}, {"EventV2", payload.EventV2}} {
			ev := format.event(r)
			if len(ev) > 8*len(raw)+4096 {
				t.Fatalf("%s(%q) is %d bytes for a %d-byte request", format.name, raw, len(ev), len(raw))
			}
			if err := checkObject(ev); err != nil {
				t.Fatalf("%s(%q) = %s: %v", format.name, raw, ev, err)
			}
			var got struct {
				Body            *string `json:"body"`
				IsBase64Encoded bool    `json:"isBase64Encoded"`
			}
			if err := json.Unmarshal(ev, &got); err != nil {
				t.Fatalf("%s(%q) = %s: %v", format.name, raw, ev, err)
			}
			var body []byte
			if got.Body != nil {
				body = []byte(*got.Body)
				if got.IsBase64Encoded {
					var err error
					if body, err = base64.StdEncoding.DecodeString(*got.Body); err != nil {
						t.Fatalf("%s(%q) body is not base64: %v", format.name, raw, err)
					}
				}
			}
			if !bytes.Equal(body, r.Body) {
				t.Fatalf("%s(%q) body = %q, want the %q sent", format.name, raw, body, r.Body)
			}
		}
	})
}

// checkObject reports whether ev is one JSON object, valid, in which no
// object repeats a key (a function's JSON parser would silently keep one).
func checkObject(ev []byte) error {
	if !json.Valid(ev) {
		return errors.New("not valid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(ev))
	type frame struct {
		object bool
		keys   map[string]bool
		expect bool // the next string token in an object is a key
	}
	var stack []*frame
	first := true
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if first && tok != json.Delim('{') {
			return errors.New("not an object")
		}
		first = false
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top != nil && top.object {
					top.expect = true
				}
				stack = append(stack, &frame{object: d == '{', keys: map[string]bool{}, expect: d == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top != nil && top.object {
			if top.expect {
				k := tok.(string)
				if top.keys[k] {
					return errors.New("repeated key " + k)
				}
				top.keys[k] = true
				top.expect = false
			} else {
				top.expect = true
			}
		}
	}
}

// FuzzResponses: whatever a function returns, mapping it to an HTTP
// response in either format ends in a response with a real status and a
// body no bigger than what the function returned, or in ErrMalformed or
// ErrFunctionError (the client's 500) — never a panic or another error.
// The seed corpus is under testdata/fuzz/FuzzResponses.
func FuzzResponses(f *testing.F) {
	f.Add([]byte(`{"statusCode": 200, "body": "\"Hello form Awstut !\""}`))
	f.Add([]byte(`{"statusCode":"201","headers":{"a":true,"b":null},"multiValueHeaders":{"c":["1",2]},"cookies":["x=1"],"body":"aGk=","isBase64Encoded":true}`))
	f.Add([]byte(`"text"`))
	f.Add([]byte(`{"errorMessage":"boom","errorType":"Exception"}`))
	f.Fuzz(func(t *testing.T, result []byte) {
		for _, format := range []struct {
			name    string
			respond func([]byte) (*payload.Response, error)
		}{{"ResponseV1", payload.ResponseV1}, {"ResponseV2", payload.ResponseV2}} {
			resp, err := format.respond(result)
			if err != nil {
				if !errors.Is(err, payload.ErrMalformed) && !errors.Is(err, payload.ErrFunctionError) {
					t.Fatalf("%s(%q) = %v, want ErrMalformed or ErrFunctionError", format.name, result, err)
				}
				continue
			}
			if resp.StatusCode < 100 || resp.StatusCode > 599 {
				t.Fatalf("%s(%q) status = %d", format.name, result, resp.StatusCode)
			}
			// Invalid UTF-8 in a JSON string decodes as U+FFFD: 3 bytes for 1.
			if len(resp.Body) > 3*len(result) {
				t.Fatalf("%s(%q) body is %d bytes from a %d-byte result", format.name, result, len(resp.Body), len(result))
			}
			if resp.Header.Get("Content-Type") == "" {
				t.Fatalf("%s(%q) has no Content-Type", format.name, result)
			}
		}
	})
}

func TestCheckObject(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":1}]}`, true},
		{`{"a":{"b":1},"b":2}`, true},
		{`{"a":1,"a":2}`, false},
		{`{"a":{"b":1,"b":2}}`, false},
		{`{"a":[1],"a":2}`, false},
		{`[1]`, false},
		{`{"a":`, false},
	}
	for _, tt := range tests {
		if err := checkObject([]byte(tt.in)); (err == nil) != tt.ok {
			t.Errorf("checkObject(%s) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}
