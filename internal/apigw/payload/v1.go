package payload

import "strings"

// EventV1 renders the payload format 1.0 event (shared/specs/http-api.md
// §5.1): the REST proxy shape with version "1.0". Header names keep their
// spelling, the Cookie header stays, empty collections are null, and path
// is percent-encoded while requestContext.path is decoded.
//
// net/http canonicalizes header names ("user-agent" arrives as
// "User-Agent"), so a client's own lowercase spelling is not preserved;
// header names are case-insensitive in HTTP.
func EventV1(r *Request) []byte { return eventV1(r, nil) }

// AuthorizerEventV1 renders the payload format 1.0 event of a Lambda
// REQUEST authorizer (§8.3): the integration event with type, methodArn,
// and identitySource and authorizationToken both holding the identity
// values joined with ","; without body, isBase64Encoded and
// requestContext.authorizer.
func AuthorizerEventV1(r *Request, methodARN string, identity []string) []byte {
	return eventV1(r, &authorizerFields{arn: methodARN, identity: identity})
}

func eventV1(r *Request, auth *authorizerFields) []byte {
	w := &jsonWriter{b: make([]byte, 0, 2048+len(r.Body)*4/3)}
	escaped := r.EscapedPath
	if escaped == "" {
		escaped = "/"
	}
	w.open('{')
	w.field("version", "1.0")
	if auth != nil {
		joined := strings.Join(auth.identity, ",")
		w.field("type", "REQUEST")
		w.field("methodArn", auth.arn)
		w.field("identitySource", joined)
		w.field("authorizationToken", joined)
	}
	w.field("resource", r.RoutePath)
	w.field("path", escaped)
	w.field("httpMethod", r.Method)

	hs := r.headers()
	w.key("headers")
	w.open('{')
	for _, h := range hs {
		// [UNV] Like REST APIs: the last value of a repeated header.
		w.field(h.name, h.values[len(h.values)-1])
	}
	w.close('}')
	w.key("multiValueHeaders")
	w.open('{')
	for _, h := range hs {
		w.key(h.name)
		w.open('[')
		for _, v := range h.values {
			w.str(v)
		}
		w.close(']')
	}
	w.close('}')

	q := query(r.RawQuery)
	w.key("queryStringParameters")
	if len(q) == 0 {
		w.null()
	} else {
		w.open('{')
		for _, p := range q {
			w.field(p.key, p.values[len(p.values)-1]) // the last value of a repeated key (§5.1)
		}
		w.close('}')
	}
	w.key("multiValueQueryStringParameters")
	if len(q) == 0 {
		w.null()
	} else {
		w.open('{')
		for _, p := range q {
			w.key(p.key)
			w.open('[')
			for _, v := range p.values {
				w.str(v)
			}
			w.close(']')
		}
		w.close('}')
	}

	ua := r.Header.Get("User-Agent")
	w.key("requestContext")
	w.open('{')
	w.field("accountId", r.AccountID)
	w.field("apiId", r.APIID)
	w.field("domainName", r.DomainName)
	w.field("domainPrefix", r.DomainPrefix)
	w.field("extendedRequestId", r.RequestID)
	w.field("httpMethod", r.Method)
	writeIdentity(w, r.Identity, r.SourceIP, ua)
	w.field("path", r.decodedPath())
	w.field("protocol", "HTTP/1.1")
	w.field("requestId", r.RequestID)
	w.field("requestTime", r.clf())
	w.key("requestTimeEpoch")
	w.int(r.epochMillis())
	w.field("resourceId", r.RouteKey)
	w.field("resourcePath", r.RoutePath)
	w.field("stage", r.Stage)
	if auth == nil {
		w.key("authorizer")
		if r.Authorizer != nil {
			w.raw(r.Authorizer)
		} else {
			w.raw([]byte(`{"claims":null,"scopes":null}`))
		}
	}
	w.close('}')

	w.key("pathParameters")
	if len(r.PathParameters) == 0 {
		w.null()
	} else {
		writeParams(w, r.PathParameters)
	}
	w.key("stageVariables")
	if len(r.StageVariables) == 0 {
		w.null()
	} else {
		writeStringMap(w, r.StageVariables)
	}
	if auth != nil {
		w.close('}')
		return w.b
	}
	b64 := false
	w.key("body")
	if len(r.Body) == 0 {
		w.null()
	} else {
		var body string
		body, b64 = r.body()
		w.str(body)
	}
	w.key("isBase64Encoded")
	w.boolean(b64)
	w.close('}')
	return w.b
}

// writeIdentity writes 1.0's requestContext.identity: the caller fields
// of an AWS_IAM route when id is set (§8.4), null otherwise.
func writeIdentity(w *jsonWriter, id *Identity, sourceIP, userAgent string) {
	var v Identity
	if id != nil {
		v = *id
	}
	opt := func(name, value string) {
		w.key(name)
		if value == "" {
			w.null()
		} else {
			w.str(value)
		}
	}
	w.key("identity")
	w.open('{')
	opt("accessKey", v.AccessKey)
	opt("accountId", v.AccountID)
	opt("caller", v.Caller)
	for _, k := range [...]string{"cognitoAuthenticationProvider", "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId"} {
		w.key(k)
		w.null()
	}
	opt("principalOrgId", v.PrincipalOrgID)
	w.field("sourceIp", sourceIP)
	opt("user", v.User)
	w.field("userAgent", userAgent)
	opt("userArn", v.UserARN)
	w.close('}')
}

func sortedKeys(m map[string]string) []string { return sortedRawKeys(m) }
