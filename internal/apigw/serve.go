package apigw

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/payload"
	"github.com/cloudlet-dev/cloudlet/internal/apigw/route"
)

// Gateway answers (shared/specs/http-api.md §6). Bodies are compact JSON.
const (
	msgNotFound        = "Not Found"
	msgForbidden       = "Forbidden"
	msgInternal        = "Internal Server Error"
	msgUnavailable     = "Service Unavailable"
	msgTooManyRequests = "Too Many Requests"
	msgTooLarge        = "Request Entity Too Large"
)

// exchange is one request in flight through the data plane.
type exchange struct {
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	now       time.Time
	api       *liveAPI
	stage     *liveStage
	route     *liveRoute
	params    []route.Param
	// escapedPath is the path as sent, stage prefix included.
	escapedPath string
}

// ServeAPI answers one execute-api request for apiID. path is the request
// path as sent (still percent-encoded, r.URL.EscapedPath()) with any
// /_aws/execute-api/{apiId} prefix removed; the stage is taken from it
// (§1.1, §1.2). Every answer carries apigw-requestid and date, errors
// included.
func (s *Service) ServeAPI(w http.ResponseWriter, r *http.Request, apiID, path string) {
	x := &exchange{w: w, r: r, requestID: s.rid(), now: s.now(), escapedPath: path}
	h := w.Header()
	h["apigw-requestid"] = []string{x.requestID}
	h["Date"] = []string{x.now.UTC().Format(http.TimeFormat)}

	x.api = (*s.live.Load())[apiID]
	if x.api == nil {
		s.gatewayError(x, http.StatusNotFound, msgNotFound)
		return
	}
	if x.api.disabled {
		// §1.1 [UNV]: the default endpoint is switched off.
		s.gatewayError(x, http.StatusForbidden, msgForbidden)
		return
	}
	p := route.Split(path)
	x.stage = x.api.resolveStage(&p)
	if x.stage == nil || x.stage.dep == nil {
		s.gatewayError(x, http.StatusNotFound, msgNotFound)
		return
	}
	m, ok := x.stage.dep.table.Match(r.Method, p)
	if !ok {
		s.gatewayError(x, http.StatusNotFound, msgNotFound)
		return
	}
	x.route, x.params = x.stage.dep.routes[m.Index], m.Params
	authz, ok := s.authorize(x)
	if !ok {
		return
	}
	s.invokeLambda(x, authz)
}

// resolveStage picks the stage from the first path segment, stripping
// it, or falls back to $default with the whole path (§1.2). A first
// segment of "$default" names the $default stage (§1.1).
func (la *liveAPI) resolveStage(p *route.Path) *liveStage {
	if len(p.Segments) > 0 {
		if st := la.stages[p.Segments[0]]; st != nil {
			p.Segments = p.Segments[1:]
			if len(p.Segments) == 0 {
				p.Trailing = false
			}
			return st
		}
	}
	return la.stages[DefaultStage]
}

// authorize is the step between route match and invoke where JWT, Lambda
// REQUEST and IAM authorizers run. They are not enforced yet: a route
// with an authorizer is served as if it had none, and no authorizer
// context reaches the event. When they are, this returns the
// requestContext.authorizer JSON, or writes the 401/403/500 and reports
// false.
func (s *Service) authorize(x *exchange) ([]byte, bool) {
	if x.route.authorizer != nil {
		s.log.Debug("apigw: authorizer not enforced", "requestId", x.requestID, "authorizer", x.route.authorizer.AuthorizerID)
	}
	return nil, true
}

// invokeLambda serves an AWS_PROXY integration: build the event, invoke,
// map the result.
func (s *Service) invokeLambda(x *exchange, authz []byte) {
	integ := x.route.integ
	body, ok := s.readBody(x)
	if !ok {
		return
	}
	req := s.eventRequest(x, body, authz)
	var event []byte
	if integ.PayloadFormatVersion == "1.0" {
		event = payload.EventV1(req)
	} else {
		event = payload.EventV2(req)
	}
	fn := integ.functionARN
	if fn == "" {
		fn = functionFromURI(substituteStageVariables(integ.IntegrationURI, x.stage.vars))
	}
	if s.cfg.Invoker == nil {
		s.log.Warn("apigw: no Invoker configured", "requestId", x.requestID)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal)
		return
	}
	ctx, cancel := context.WithTimeout(x.r.Context(), integ.timeout)
	res, err := s.cfg.Invoker.InvokeForAPI(ctx, Invocation{
		FunctionARN:    fn,
		Payload:        event,
		CredentialsARN: integ.CredentialsARN,
		SourceARN:      x.sourceARN(),
	})
	deadline := errors.Is(ctx.Err(), context.DeadlineExceeded)
	cancel()
	switch {
	case err != nil && x.r.Context().Err() != nil:
		s.log.Debug("apigw: client went away during invoke", "requestId", x.requestID, "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal)
		return
	case err != nil && (deadline || errors.Is(err, context.DeadlineExceeded)):
		// §6: the integration timed out.
		s.log.Warn("apigw: integration timeout", "requestId", x.requestID, "function", fn, "timeout", integ.timeout)
		s.gatewayError(x, http.StatusServiceUnavailable, msgUnavailable)
		return
	case err != nil:
		s.log.Warn("apigw: invoke failed", "requestId", x.requestID, "function", fn, "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal)
		return
	case res == nil:
		s.gatewayError(x, http.StatusInternalServerError, msgInternal)
		return
	case res.FunctionError != "":
		s.log.Info("apigw: function error", "requestId", x.requestID, "function", fn, "functionError", res.FunctionError)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal)
		return
	}
	var resp *payload.Response
	if integ.PayloadFormatVersion == "1.0" {
		resp, err = payload.ResponseV1(res.Payload)
	} else {
		resp, err = payload.ResponseV2(res.Payload)
	}
	if err != nil {
		s.log.Info("apigw: invalid integration response", "requestId", x.requestID, "function", fn, "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal)
		return
	}
	s.writeResponse(x, resp)
}

// readBody reads the request body up to the 10 MB payload quota (§9.3);
// a bigger one is answered with 413.
func (s *Service) readBody(x *exchange) ([]byte, bool) {
	if x.r.Body == nil || x.r.Body == http.NoBody {
		return nil, true
	}
	if x.r.ContentLength > maxRequestBody {
		s.gatewayError(x, http.StatusRequestEntityTooLarge, msgTooLarge)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(x.r.Body, maxRequestBody+1))
	if err != nil {
		s.log.Debug("apigw: read request body", "requestId", x.requestID, "err", err)
		s.gatewayError(x, http.StatusBadRequest, "Bad Request")
		return nil, false
	}
	if len(body) > maxRequestBody {
		s.gatewayError(x, http.StatusRequestEntityTooLarge, msgTooLarge)
		return nil, false
	}
	return body, true
}

// eventRequest gathers what the payload package needs.
func (s *Service) eventRequest(x *exchange, body []byte, authz []byte) *payload.Request {
	r := x.r
	domain, prefix := x.domain()
	req := &payload.Request{
		Method:         r.Method,
		EscapedPath:    x.escapedPath,
		RawQuery:       r.URL.RawQuery,
		Header:         r.Header,
		Host:           r.Host,
		Body:           body,
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
		Authorizer:     authz,
	}
	if r.TLS != nil {
		req.ForwardedProto = "https"
	}
	if r.Header.Get("X-Amzn-Trace-Id") == "" {
		req.TraceID = newTraceID(x.now.Unix())
	}
	if len(x.params) > 0 {
		req.PathParameters = make([]payload.Param, len(x.params))
		for i, p := range x.params {
			req.PathParameters[i] = payload.Param{Name: p.Name, Value: p.Value}
		}
	}
	return req
}

// domain returns requestContext.domainName and domainPrefix: the Host
// header when it is the execute-api form for this API (port kept, so that
// URLs a function builds from it work locally), else
// {apiId}.execute-api.localhost.
func (x *exchange) domain() (string, string) {
	host := x.r.Host
	name := host
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i:], "]") {
		name = name[:i]
	}
	if len(name) > len(x.api.id) && strings.EqualFold(name[:len(x.api.id)], x.api.id) &&
		strings.HasPrefix(strings.ToLower(name[len(x.api.id):]), ".execute-api.") {
		return host, host[:len(x.api.id)]
	}
	return x.api.id + ".execute-api.localhost", x.api.id
}

// sourceARN is the execute-api ARN the function's resource policy is
// checked against (§10).
func (x *exchange) sourceARN() string {
	if x.route.isDefault {
		return x.api.arnPrefix + x.stage.name + "/" + x.route.arnSuffix
	}
	return x.api.arnPrefix + x.stage.name + "/" + x.r.Method + "/" + x.route.arnSuffix
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forwardedPort is the port the client connected to.
func forwardedPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		return port
	}
	if r.TLS != nil {
		return "443"
	}
	return "80"
}

// writeResponse sends an integration's response.
func (s *Service) writeResponse(x *exchange, resp *payload.Response) {
	h := x.w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	h["Content-Length"] = []string{strconv.Itoa(len(resp.Body))}
	x.w.WriteHeader(resp.StatusCode)
	if len(resp.Body) > 0 && x.r.Method != http.MethodHead {
		_, _ = x.w.Write(resp.Body)
	}
}

// gatewayError writes one of the gateway's own answers (§6).
func (s *Service) gatewayError(x *exchange, status int, message string) {
	body := make([]byte, 0, 16+len(message))
	body = append(body, `{"message":"`...)
	body = append(body, message...)
	body = append(body, `"}`...)
	h := x.w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	x.w.WriteHeader(status)
	if x.r.Method != http.MethodHead {
		_, _ = x.w.Write(body)
	}
}
