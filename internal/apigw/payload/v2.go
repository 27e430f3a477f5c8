package payload

import "strings"

// EventV2 renders the payload format 2.0 event (shared/specs/http-api.md
// §3): empty collections and a missing body are left out, header names
// are lowercased with repeats comma-joined, and the Cookie header moves
// to cookies.
func EventV2(r *Request) []byte { return eventV2(r, nil) }

// AuthorizerEventV2 renders the payload format 2.0 event of a Lambda
// REQUEST authorizer (§8.3): the integration event with type, routeArn
// and the identity source values, and without body, isBase64Encoded and
// requestContext.authorizer. identity nil (an authorizer without identity
// sources) is sent as null.
func AuthorizerEventV2(r *Request, routeARN string, identity []string) []byte {
	return eventV2(r, &authorizerFields{arn: routeARN, identity: identity})
}

// authorizerFields are what an authorizer event adds to the integration
// event.
type authorizerFields struct {
	arn      string
	identity []string
}

func eventV2(r *Request, auth *authorizerFields) []byte {
	w := &jsonWriter{b: make([]byte, 0, 1024+len(r.Body)*4/3)}
	path := r.decodedPath()
	w.open('{')
	w.field("version", "2.0")
	if auth != nil {
		w.field("type", "REQUEST")
		w.field("routeArn", auth.arn)
		w.key("identitySource")
		if auth.identity == nil {
			w.null()
		} else {
			w.open('[')
			for _, v := range auth.identity {
				w.str(v)
			}
			w.close(']')
		}
	}
	w.field("routeKey", r.RouteKey)
	w.field("rawPath", path)
	w.field("rawQueryString", r.RawQuery)

	var cookies []string
	for _, line := range r.Header.Values("Cookie") {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				cookies = append(cookies, c)
			}
		}
	}
	if len(cookies) > 0 {
		w.key("cookies")
		w.open('[')
		for _, c := range cookies {
			w.str(c)
		}
		w.close(']')
	}

	w.key("headers")
	w.open('{')
	for _, h := range r.headers() {
		if h.lower == "cookie" {
			continue
		}
		w.key(h.lower)
		if len(h.values) == 1 {
			w.str(h.values[0])
		} else {
			w.str(strings.Join(h.values, ","))
		}
	}
	w.close('}')

	if q := query(r.RawQuery); len(q) > 0 {
		w.key("queryStringParameters")
		w.open('{')
		for _, p := range q {
			w.key(p.key)
			if len(p.values) == 1 {
				w.str(p.values[0])
			} else {
				w.str(strings.Join(p.values, ","))
			}
		}
		w.close('}')
	}
	if len(r.PathParameters) > 0 {
		w.key("pathParameters")
		writeParams(w, r.PathParameters)
	}
	if len(r.StageVariables) > 0 {
		w.key("stageVariables")
		writeStringMap(w, r.StageVariables)
	}

	w.key("requestContext")
	w.open('{')
	w.field("accountId", r.AccountID)
	w.field("apiId", r.APIID)
	if r.Authorizer != nil && auth == nil {
		w.key("authorizer")
		w.raw(r.Authorizer)
	}
	w.field("domainName", r.DomainName)
	w.field("domainPrefix", r.DomainPrefix)
	w.key("http")
	w.open('{')
	w.field("method", r.Method)
	w.field("path", path)
	w.field("protocol", "HTTP/1.1") // always, even for HTTP/2 clients (§3.2)
	w.field("sourceIp", r.SourceIP)
	w.field("userAgent", r.Header.Get("User-Agent"))
	w.close('}')
	w.field("requestId", r.RequestID)
	w.field("routeKey", r.RouteKey)
	w.field("stage", r.Stage)
	w.field("time", r.clf())
	w.key("timeEpoch")
	w.int(r.epochMillis())
	w.close('}')
	if auth != nil {
		w.close('}')
		return w.b
	}

	b64 := false
	if len(r.Body) > 0 {
		var body string
		body, b64 = r.body()
		w.field("body", body)
	}
	w.key("isBase64Encoded")
	w.boolean(b64)
	w.close('}')
	return w.b
}

// writeParams writes path parameters as an object; a later parameter of
// the same name cannot occur (route keys reject duplicates).
func writeParams(w *jsonWriter, ps []Param) {
	w.open('{')
	for _, p := range ps {
		w.field(p.Name, p.Value)
	}
	w.close('}')
}

func writeStringMap(w *jsonWriter, m map[string]string) {
	w.open('{')
	for _, k := range sortedKeys(m) {
		w.field(k, m[k])
	}
	w.close('}')
}
