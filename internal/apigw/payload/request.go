package payload

import (
	"encoding/base64"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Request is everything the gateway knows about one request when it
// builds the integration event. The gateway fills it; nothing here reads
// the network.
type Request struct {
	Method string
	// EscapedPath is the path as the client sent it, still
	// percent-encoded, with any /{stage} prefix kept ("/dev/a%20b").
	EscapedPath string
	// RawQuery is the query string as sent, without '?'; "" when none.
	RawQuery string
	// Header is the request's header as net/http parsed it: canonical
	// names, Host removed. It is only read.
	Header http.Header
	Host   string
	// Body is the request body; nil or empty when there is none.
	Body []byte
	// DeclaredLength is the Content-Length the client sent, for events
	// built before the body is read (authorizer events, which carry no
	// body): content-length shows it when Body is empty. 0 or -1: none.
	DeclaredLength int64

	// SourceIP is the TCP peer's address.
	SourceIP string
	// ForwardedPort and ForwardedProto become x-forwarded-port and
	// x-forwarded-proto.
	ForwardedPort, ForwardedProto string
	// TraceID is sent as x-amzn-trace-id when the client sent none.
	TraceID string

	// RouteKey is the matched route key ("GET /pets/{id}", "$default").
	RouteKey string
	// RoutePath is the matched route's path ("/pets/{id}"), or "$default".
	RoutePath string
	// PathParameters are the matched path variables, decoded.
	PathParameters []Param
	// StageVariables are the stage's variables; nil or empty when none.
	StageVariables map[string]string

	AccountID, APIID, DomainName, DomainPrefix, Stage string
	// RequestID is the gateway's request ID (also sent back in
	// apigw-requestid).
	RequestID string
	// Time is when the gateway received the request.
	Time time.Time
	// Authorizer is the JSON object to send as requestContext.authorizer
	// (2.0) or requestContext.authorizer (1.0); nil when the route has no
	// authorizer.
	Authorizer []byte
	// Identity is the caller of an AWS_IAM route, for 1.0's
	// requestContext.identity; nil leaves its caller fields null.
	Identity *Identity
}

// Identity is a SigV4 caller as 1.0's requestContext.identity shows it
// (shared/specs/http-api.md §8.4). Empty fields are null.
type Identity struct {
	AccessKey, AccountID, Caller, User, UserARN, PrincipalOrgID string
}

// Param is one path parameter.
type Param struct {
	Name, Value string
}

// hopByHop headers describe one connection and are not forwarded (RFC
// 9110 §7.6.1). [UNV] shared/specs/http-api.md does not list them.
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

// header is one request header as the integration sees it.
type header struct {
	name   string // canonical (net/http) spelling
	lower  string
	values []string
}

// headers returns the request headers plus the ones the gateway adds
// (§3.2): host, content-length, x-amzn-trace-id, x-forwarded-for,
// x-forwarded-port and x-forwarded-proto, sorted by lowercased name.
func (r *Request) headers() []header {
	hs := make([]header, 0, len(r.Header)+6)
	for name, vs := range r.Header {
		switch name {
		case "Host", "Content-Length", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Forwarded-For", "X-Amzn-Trace-Id":
			continue
		}
		if hopByHop[name] || len(vs) == 0 {
			continue
		}
		hs = append(hs, header{name: name, lower: strings.ToLower(name), values: vs})
	}
	add := func(name, lower string, vs ...string) {
		hs = append(hs, header{name: name, lower: lower, values: vs})
	}
	if r.Host != "" {
		add("Host", "host", r.Host)
	}
	n := int64(len(r.Body))
	if n == 0 && r.DeclaredLength > 0 {
		n = r.DeclaredLength
	}
	add("Content-Length", "content-length", strconv.FormatInt(n, 10))
	if tid := r.Header.Values("X-Amzn-Trace-Id"); len(tid) > 0 {
		add("X-Amzn-Trace-Id", "x-amzn-trace-id", tid...)
	} else if r.TraceID != "" {
		add("X-Amzn-Trace-Id", "x-amzn-trace-id", r.TraceID)
	}
	// [UNV] A client's X-Forwarded-For is kept and the peer appended, as
	// proxies do.
	xff := r.SourceIP
	if prev := r.Header.Values("X-Forwarded-For"); len(prev) > 0 {
		xff = strings.Join(prev, ", ") + ", " + r.SourceIP
	}
	add("X-Forwarded-For", "x-forwarded-for", xff)
	if r.ForwardedPort != "" {
		add("X-Forwarded-Port", "x-forwarded-port", r.ForwardedPort)
	}
	if r.ForwardedProto != "" {
		add("X-Forwarded-Proto", "x-forwarded-proto", r.ForwardedProto)
	}
	slices.SortFunc(hs, func(a, b header) int { return strings.Compare(a.lower, b.lower) })
	return hs
}

// queryParam is one decoded key with all its values, in order.
type queryParam struct {
	key    string
	values []string
}

// query parses the raw query: pairs split on '&', keys in order of first
// appearance, values in order. Keys and values are form-decoded ('+' is a
// space); a malformed escape keeps the text as sent. A key without '='
// has the value "" (§3.2 [UNV]).
func query(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	var out []queryParam
	var index map[string]int // built lazily; most queries are short
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		i := -1
		if index != nil {
			if j, ok := index[k]; ok {
				i = j
			}
		} else {
			for j := range out {
				if out[j].key == k {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			out[i].values = append(out[i].values, v)
			continue
		}
		out = append(out, queryParam{key: k, values: []string{v}})
		if index != nil {
			index[k] = len(out) - 1
		} else if len(out) > 8 {
			index = make(map[string]int, 16)
			for j := range out {
				index[out[j].key] = j
			}
		}
	}
	return out
}

func unescapeQuery(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// decodedPath is the request path percent-decoded, slashes kept as sent:
// 2.0's rawPath and 1.0's requestContext.path (§3.2).
func (r *Request) decodedPath() string {
	p := r.EscapedPath
	if p == "" {
		p = "/"
	}
	if strings.IndexByte(p, '%') < 0 {
		return p
	}
	if d, err := url.PathUnescape(p); err == nil {
		return d
	}
	return p
}

// body returns the event's body text and whether it is base64. HTTP APIs
// have no binary media types: the request's Content-Type decides (§3.3).
func (r *Request) body() (string, bool) {
	if IsTextContent(r.Header.Get("Content-Type"), r.Body) {
		return string(r.Body), false
	}
	return base64.StdEncoding.EncodeToString(r.Body), true
}

// IsTextContent reports whether a body of this content type goes to the
// integration as text rather than base64 (shared/specs/http-api.md §3.3):
// text/*, application/json, application/xml and application/javascript,
// and only when the bytes are valid UTF-8. Structured-syntax suffixes
// (+json, +xml) and everything else, including no content type, are
// base64 — the spec's suggested default where AWS is unverified (§13.4).
func IsTextContent(contentType string, body []byte) bool {
	mt := contentType
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", mt == "application/xml", mt == "application/javascript":
		return utf8.Valid(body)
	}
	return false
}

// clfTime is the access-log time form of requestContext.time.
const clfTime = "02/Jan/2006:15:04:05 -0700"

func (r *Request) clf() string { return r.Time.UTC().Format(clfTime) }

func (r *Request) epochMillis() int64 { return r.Time.UnixMilli() }

func sortedRawKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
