package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/payload"
)

// lambdaDecision is a Lambda REQUEST authorizer's answer, as cached: a
// simple response's verdict, or an IAM policy evaluated against each
// request's route ARN (so a cached policy that names one route denies
// the others, as with REST APIs).
type lambdaDecision struct {
	simple      bool
	authorized  bool        // simple responses
	policy      *authPolicy // IAM-policy responses; nil denies
	principalID string
	context     map[string]json.RawMessage
}

func (d *lambdaDecision) allows(routeARN string) bool {
	if d.simple {
		return d.authorized
	}
	return d.policy.allows("execute-api:Invoke", routeARN)
}

// authorizeLambda applies a Lambda REQUEST authorizer (§8.3): a missing
// identity source is 401 without invoking; a deny is 403; an error, an
// invalid answer or a refused invoke is 500.
func (s *Service) authorizeLambda(x *exchange, a *liveAuthorizer) bool {
	identity, ok := x.identityValues(a.sources)
	if !ok {
		x.authError = "an identity source is missing or empty"
		s.unauthorized(x, "")
		return false
	}
	arn := x.routeARN()
	var key authCacheKey
	var d *lambdaDecision
	if a.ttl > 0 {
		key = authCacheKey{apiID: x.api.id, stage: x.stage.name, deployment: x.stage.dep.id,
			authorizerID: a.AuthorizerID, identity: strings.Join(identity, "\x00")}
		d = s.authCache.get(key, x.now)
	}
	if d == nil {
		start := s.now()
		var err error
		d, err = s.invokeAuthorizer(x, a, identity, arn)
		x.authLatency = s.now().Sub(start)
		if err != nil {
			x.authError = err.Error()
			s.log.Warn("apigw: authorizer failed", "requestId", x.requestID, "authorizer", a.AuthorizerID, "err", err)
			s.gatewayError(x, http.StatusInternalServerError, msgInternal, "AUTHORIZER_FAILURE")
			return false
		}
		if a.ttl > 0 {
			// Allow and Deny are both cached (§8.3 [EMU]).
			s.authCache.put(key, d, x.now.Add(a.ttl), x.now)
		}
	}
	if !d.allows(arn) {
		x.authError = "the authorizer denied the request"
		s.forbidden(x, "ACCESS_DENIED")
		return false
	}
	x.auth = &authResult{kind: AuthorizationCustom, lambdaCtx: d.context, principalID: d.principalID, hasPrincipal: !d.simple}
	return true
}

// routeARN is the routeArn (2.0) or methodArn (1.0) of the authorizer
// event: arn:aws:execute-api:{region}:{acct}:{apiId}/{stage}/{METHOD}/{path}
// with the request's path, stage prefix removed; {stage}/$default for
// the $default route, as AWS's 1.0 example shows. [UNV] whether the path
// is the request's or the route's; the request's is what REST APIs send
// and what authorizer policies are written against.
func (x *exchange) routeARN() string {
	if x.route.isDefault {
		return x.api.arnPrefix + x.stage.name + "/" + x.route.arnSuffix
	}
	return x.requestARN()
}

// requestARN is arn:aws:execute-api:{region}:{acct}:{apiId}/{stage}/{METHOD}/{path},
// the resource of execute-api:Invoke (§8.4).
func (x *exchange) requestARN() string {
	p := x.stagePath
	if d, err := url.PathUnescape(p); err == nil {
		p = d
	}
	return x.api.arnPrefix + x.stage.name + "/" + x.r.Method + "/" + strings.TrimPrefix(p, "/")
}

// invokeAuthorizer sends the authorizer event and reads the answer. The
// function is invoked with SourceArn .../authorizers/{authorizerId}, or
// through authorizerCredentialsArn (§8.3), within 10 s.
func (s *Service) invokeAuthorizer(x *exchange, a *liveAuthorizer, identity []string, arn string) (*lambdaDecision, error) {
	if s.cfg.Invoker == nil {
		return nil, errors.New("no Invoker configured")
	}
	req := s.baseRequest(x)
	req.DeclaredLength = x.r.ContentLength
	var event []byte
	v1 := a.AuthorizerPayloadFormatVersion == "1.0"
	if v1 {
		event = payload.AuthorizerEventV1(req, arn, identity)
	} else {
		event = payload.AuthorizerEventV2(req, arn, identity)
	}
	fn := a.functionARN
	if fn == "" {
		fn = functionFromURI(substituteStageVariables(a.AuthorizerURI, x.stage.vars))
	}
	ctx, cancel := context.WithTimeout(x.r.Context(), authorizerTimeout)
	defer cancel()
	res, err := s.cfg.Invoker.InvokeForAPI(ctx, Invocation{
		FunctionARN:    fn,
		Payload:        event,
		CredentialsARN: a.AuthorizerCredentialsARN,
		SourceARN:      x.api.arnPrefix + "authorizers/" + a.AuthorizerID,
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("invoke authorizer function %s: %w", fn, err)
	case res == nil:
		return nil, fmt.Errorf("invoke authorizer function %s: no result", fn)
	case res.FunctionError != "":
		return nil, fmt.Errorf("authorizer function %s: %s error: %s", fn, res.FunctionError, truncate(res.Payload, 256))
	}
	d, err := parseAuthorizerResponse(res.Payload, a.simple)
	if err != nil {
		return nil, fmt.Errorf("authorizer function %s: invalid response: %w", fn, err)
	}
	return d, nil
}

// parseAuthorizerResponse reads a simple response {"isAuthorized": bool,
// "context": {...}} or an IAM-policy response {"principalId",
// "policyDocument", "context"} (§8.3). An answer without a policy
// document — a simple response where a policy was expected — denies
// (§8.3 [EMU]: "payload format 1.0 does not support simple responses").
func parseAuthorizerResponse(b []byte, simple bool) (*lambdaDecision, error) {
	var resp struct {
		IsAuthorized   json.RawMessage `json:"isAuthorized"`
		PrincipalID    json.RawMessage `json:"principalId"`
		PolicyDocument json.RawMessage `json:"policyDocument"`
		Context        json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	d := &lambdaDecision{simple: simple}
	if len(resp.Context) > 0 && string(resp.Context) != "null" {
		if err := json.Unmarshal(resp.Context, &d.context); err != nil {
			return nil, errors.New("context is not an object")
		}
		if _, ok := d.context["claims"]; ok {
			// "claims" is reserved (§8.3) [UNV: AWS's reaction].
			return nil, errors.New("context uses the reserved key claims")
		}
	}
	if simple {
		switch string(resp.IsAuthorized) {
		case "true":
			d.authorized = true
		case "false":
		default:
			// It must be a real boolean (§8.3 [EMU]).
			return nil, fmt.Errorf("isAuthorized is %s, want a boolean", orMissing(resp.IsAuthorized))
		}
		return d, nil
	}
	if len(resp.PrincipalID) > 0 && string(resp.PrincipalID) != "null" {
		d.principalID = rawString(resp.PrincipalID)
	}
	if len(resp.PolicyDocument) == 0 || string(resp.PolicyDocument) == "null" {
		return d, nil // no policy: denied
	}
	p, err := parsePolicy(resp.PolicyDocument)
	if err != nil {
		return nil, fmt.Errorf("policyDocument: %w", err)
	}
	d.policy = p
	return d, nil
}

func orMissing(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "missing"
	}
	return string(raw)
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// baseRequest is the request as an event describes it before the
// integration's request mapping: no body, no authorizer.
func (s *Service) baseRequest(x *exchange) *payload.Request {
	r := x.r
	domain, prefix := x.domain()
	req := &payload.Request{
		Method:         r.Method,
		EscapedPath:    x.escapedPath,
		RawQuery:       r.URL.RawQuery,
		Header:         r.Header,
		Host:           r.Host,
		SourceIP:       sourceIP(r),
		ForwardedPort:  forwardedPort(r),
		ForwardedProto: "http",
		RouteKey:       x.route.key,
		RoutePath:      x.route.path,
		StageVariables: x.stage.vars,
		AccountID:      s.cfg.AccountID,
		APIID:          x.api.id,
		DomainName:     domain,
		DomainPrefix:   prefix,
		Stage:          x.stage.name,
		RequestID:      x.requestID,
		Time:           x.now,
	}
	if r.TLS != nil {
		req.ForwardedProto = "https"
	}
	if req.Header.Get("X-Amzn-Trace-Id") == "" {
		if x.traceID == "" {
			x.traceID = newTraceID(x.now.Unix())
		}
		req.TraceID = x.traceID
	}
	if len(x.params) > 0 {
		req.PathParameters = make([]payload.Param, len(x.params))
		for i, p := range x.params {
			req.PathParameters[i] = payload.Param{Name: p.Name, Value: p.Value}
		}
	}
	return req
}
