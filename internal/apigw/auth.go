package apigw

import (
	"net/http"
	"strings"
	"time"
)

// The authorization step between route match and invoke (§8): JWT,
// Lambda REQUEST (CUSTOM) and AWS_IAM routes. A route without
// authorization costs one string comparison.

const (
	msgUnauthorized = "Unauthorized"
	// authorizerTimeout is the Lambda authorizer's response timeout
	// (§9.3).
	authorizerTimeout = 10 * time.Second
)

// liveAuthorizer is an authorizer compiled for the data plane.
type liveAuthorizer struct {
	Authorizer
	sources []identitySource
	// functionARN is a REQUEST authorizer's function, from authorizerUri;
	// "" when the URI has stage variables and is resolved per request.
	functionARN string
	ttl         time.Duration // 0: no caching
	simple      bool          // 2.0 with enableSimpleResponses
}

// identitySource is one parsed identitySource entry: $request.header.X,
// $request.querystring.X, $context.X or $stageVariables.X (§8.3).
type identitySource struct {
	kind string // "header", "querystring", "context", "stageVariables"
	name string
}

func (s *Service) compileAuthorizer(deploymentID string, a *Authorizer) *liveAuthorizer {
	la := &liveAuthorizer{Authorizer: *a}
	for _, src := range a.IdentitySource {
		is, ok := parseIdentitySource(src)
		if !ok {
			// [UNV] AWS validates these at CreateAuthorizer; an entry it
			// would refuse never resolves here, so requests get 401.
			s.log.Warn("apigw: unrecognised identity source", "deployment", deploymentID, "authorizer", a.AuthorizerID, "identitySource", src)
		}
		la.sources = append(la.sources, is)
	}
	if a.AuthorizerType == AuthorizerRequest {
		if !strings.Contains(a.AuthorizerURI, "${stageVariables.") {
			la.functionARN = functionFromURI(a.AuthorizerURI)
		}
		if a.AuthorizerResultTTLInSeconds != nil && *a.AuthorizerResultTTLInSeconds > 0 && len(la.sources) > 0 {
			// Caching needs an identity source to key on (§8.3).
			la.ttl = time.Duration(*a.AuthorizerResultTTLInSeconds) * time.Second
		}
		la.simple = a.AuthorizerPayloadFormatVersion == "2.0" && a.EnableSimpleResponses != nil && *a.EnableSimpleResponses
	}
	return la
}

func parseIdentitySource(src string) (identitySource, bool) {
	for _, prefix := range [...]string{"$request.header.", "$request.querystring.", "$context.", "$stageVariables."} {
		if name, ok := strings.CutPrefix(src, prefix); ok && name != "" {
			kind := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(prefix, "$"), "request."), ".")
			return identitySource{kind: kind, name: name}, true
		}
	}
	return identitySource{}, false
}

// identityValues resolves the authorizer's identity sources; ok is false
// when one is missing or empty (§8.3: 401 without invoking). Repeated
// headers and query parameters are joined with ",".
func (x *exchange) identityValues(sources []identitySource) ([]string, bool) {
	if len(sources) == 0 {
		return nil, true
	}
	out := make([]string, len(sources))
	var query []queryPair
	for i, src := range sources {
		var v string
		switch src.kind {
		case "header":
			v = strings.Join(x.r.Header.Values(src.name), ",")
		case "querystring":
			if query == nil {
				query = parseQueryPairs(x.r.URL.RawQuery)
			}
			var vs []string
			for _, q := range query {
				if q.key == src.name {
					vs = append(vs, q.value)
				}
			}
			v = strings.Join(vs, ",")
		case "context":
			v, _ = x.contextVar(src.name)
		case "stageVariables":
			v = x.stage.vars[src.name]
		}
		if v == "" {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// authorize runs the route's authorization. It sets x.auth for the
// event and mapping, or writes the 401/403/500 and reports false.
func (s *Service) authorize(x *exchange) bool {
	switch x.route.authType {
	case "":
		return true
	case AuthorizationIAM:
		return s.authorizeIAM(x)
	}
	a := x.route.authorizer
	if a == nil {
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "AUTHORIZER_CONFIGURATION_ERROR")
		return false
	}
	if x.route.authType == AuthorizationJWT {
		return s.authorizeJWT(x, a)
	}
	return s.authorizeLambda(x, a)
}

// unauthorized answers 401 {"message":"Unauthorized"} (§6), with the
// www-authenticate challenge when challenge is set (JWT routes).
func (s *Service) unauthorized(x *exchange, challenge string) {
	if challenge != "" {
		x.w.Header()["www-authenticate"] = []string{challenge} // lowercase, as AWS sends it
	}
	s.gatewayError(x, http.StatusUnauthorized, msgUnauthorized, "UNAUTHORIZED")
}

func (s *Service) forbidden(x *exchange, errorType string) {
	s.gatewayError(x, http.StatusForbidden, msgForbidden, errorType)
}
