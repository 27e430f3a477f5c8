package apigw

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	msgHeadersTooLarge = "Request Header Fields Too Large"
)

// exchange is one request in flight through the data plane.
type exchange struct {
	svc       *Service
	apiID     string
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	now       time.Time
	api       *liveAPI
	stage     *liveStage
	route     *liveRoute
	params    []route.Param
	// escapedPath is the path as sent, stage prefix included; stagePath
	// is the same without the stage prefix ($request.path).
	escapedPath, stagePath string
	body                   []byte
	bodyRead               bool   // body was read before authorization (AWS_IAM)
	traceID                string // made once, for the authorizer and integration events

	// What the authorizer established; nil when the route has none or it
	// refused.
	auth        *authResult
	authError   string // $context.authorizer.error
	authLatency time.Duration

	// What happened, for access logs and metrics.
	status             int
	responseLength     int
	integrationStatus  int
	integrationLatency time.Duration
	integrationError   string
	errorMessage       string
	errorType          string
}

// outcome is an integration's response before the gateway's own changes
// (response mapping, CORS).
type outcome struct {
	status int
	header http.Header
	body   []byte
	stream io.ReadCloser      // an HTTP_PROXY body sent as it arrives; nil otherwise
	cancel context.CancelFunc // ends the integration's context after stream is copied
}

// ServeAPI answers one execute-api request for apiID. path is the request
// path with any /_aws/execute-api/{apiId} prefix removed, preferably
// still percent-encoded (r.URL.EscapedPath()); a decoded path
// (r.URL.Path) is accepted too, and then the request's own escaping is
// recovered so that an encoded slash stays inside its segment. The stage
// is taken from the path (§1.1, §1.2). Every answer carries
// apigw-requestid and date, errors included.
func (s *Service) ServeAPI(w http.ResponseWriter, r *http.Request, apiID, path string) {
	x := &exchange{svc: s, w: w, r: r, requestID: s.rid(), now: s.now(), escapedPath: escapedPath(r, path), apiID: apiID}
	h := w.Header()
	h["apigw-requestid"] = []string{x.requestID}
	h["Date"] = []string{x.now.UTC().Format(http.TimeFormat)}
	s.serve(x)
	x.record()
	if x.stage != nil && x.stage.accessLog != nil && s.cfg.AccessLogs != nil {
		al := x.stage.accessLog
		s.cfg.AccessLogs.AppendAccessLog(al.group, al.stream, x.now, al.line(x))
	}
}

func (s *Service) serve(x *exchange) {
	r := x.r
	x.api = (*s.live.Load())[x.apiID]
	if x.api == nil {
		s.gatewayError(x, http.StatusNotFound, msgNotFound, "RESOURCE_NOT_FOUND")
		return
	}
	if x.api.disabled {
		// §1.1 [UNV]: the default endpoint is switched off.
		s.gatewayError(x, http.StatusForbidden, msgForbidden, "ACCESS_DENIED")
		return
	}
	if requestSize(r) > maxRequestLineAndHeaders {
		// §9.3 quota; status and body [UNV] (§6).
		s.gatewayError(x, http.StatusRequestHeaderFieldsTooLarge, msgHeadersTooLarge, "REQUEST_TOO_LARGE")
		return
	}
	p := route.Split(x.escapedPath)
	x.stage = x.api.resolveStage(&p)
	if x.stage == nil || x.stage.dep == nil {
		x.stage = nil // no counters for a stage that does not serve
		s.gatewayError(x, http.StatusNotFound, msgNotFound, "RESOURCE_NOT_FOUND")
		return
	}
	x.stagePath = x.escapedPath
	if x.stage.name != DefaultStage || stageSegment(x.escapedPath) == DefaultStage {
		x.stagePath = stripFirstSegment(x.escapedPath)
	}
	dep := x.stage.dep
	if dep.cors != nil && isPreflight(r) {
		// §7: answered before routing and authorizers.
		dep.cors.preflight(x.w.Header(), r)
		x.status = http.StatusNoContent
		x.w.Header()["Content-Length"] = []string{"0"}
		x.w.WriteHeader(http.StatusNoContent)
		return
	}
	m, ok := dep.table.Match(r.Method, p)
	if !ok {
		s.gatewayError(x, http.StatusNotFound, msgNotFound, "RESOURCE_NOT_FOUND")
		return
	}
	x.route, x.params = dep.routes[m.Index], m.Params
	if !s.allow(x) {
		s.gatewayError(x, http.StatusTooManyRequests, msgTooManyRequests, "THROTTLED")
		return
	}
	if !s.authorize(x) {
		return
	}
	if !x.bodyRead {
		var ok bool
		if x.body, ok = s.readBody(x); !ok {
			return
		}
	}
	var out *outcome
	switch x.route.integ.IntegrationType {
	case IntegrationHTTPProxy:
		out = s.invokeHTTP(x)
	default:
		out = s.invokeLambda(x)
	}
	if out != nil {
		s.respond(x, out)
	}
}

// escapedPath returns path in its percent-encoded form as the client sent
// it, when the request's URL denotes the same path.
func escapedPath(r *http.Request, path string) string {
	if r.URL == nil {
		return path
	}
	esc := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(esc, "/_aws/execute-api/"); ok {
		_, sub, _ := strings.Cut(rest, "/")
		esc = "/" + sub
	}
	if esc == path {
		return path
	}
	if d, err := url.PathUnescape(esc); err == nil && d == path {
		return esc
	}
	return path
}

// requestSize is the request line plus header names and values, the
// quantity of the 10240-byte quota (§9.3).
func requestSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + len(r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return n
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

// stageSegment is the decoded first segment of an escaped path.
func stageSegment(escaped string) string {
	p := strings.TrimLeft(escaped, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		p = p[:i]
	}
	if d, err := url.PathUnescape(p); err == nil {
		return d
	}
	return p
}

// stripFirstSegment removes the first non-empty segment of an escaped
// path: "/dev/pets" → "/pets", "/dev" → "/".
func stripFirstSegment(escaped string) string {
	p := strings.TrimLeft(escaped, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[i:]
	}
	return "/"
}

// readBody reads the request body up to the 10 MB payload quota (§9.3);
// a bigger one is answered with 413.
func (s *Service) readBody(x *exchange) ([]byte, bool) {
	if x.r.Body == nil || x.r.Body == http.NoBody {
		return nil, true
	}
	if x.r.ContentLength > maxRequestBody {
		s.gatewayError(x, http.StatusRequestEntityTooLarge, msgTooLarge, "REQUEST_TOO_LARGE")
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(x.r.Body, maxRequestBody+1))
	if err != nil {
		s.log.Debug("apigw: read request body", "requestId", x.requestID, "err", err)
		s.gatewayError(x, http.StatusBadRequest, "Bad Request", "BAD_REQUEST_BODY")
		return nil, false
	}
	if len(body) > maxRequestBody {
		s.gatewayError(x, http.StatusRequestEntityTooLarge, msgTooLarge, "REQUEST_TOO_LARGE")
		return nil, false
	}
	return body, true
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

// respond applies the response mapping (§9.2) and CORS (§7) to an
// integration's response and sends it.
func (s *Service) respond(x *exchange, out *outcome) {
	if out.cancel != nil {
		defer out.cancel()
	}
	if out.stream != nil {
		defer out.stream.Close()
	}
	status := out.status
	integ := x.route.integ
	if ops := integ.responseOps[out.status]; len(ops) > 0 {
		src := &mapSources{x: x, header: out.header.Clone(), body: out.body, response: true}
		status = applyResponseMapping(ops, src, status, out.header)
	}
	h := x.w.Header()
	for k, vs := range out.header {
		h[k] = vs
	}
	if cors := x.stage.dep.cors; cors != nil {
		cors.decorate(h, x.r)
	}
	x.status = status
	if out.stream == nil {
		x.responseLength = len(out.body)
		h["Content-Length"] = []string{strconv.Itoa(len(out.body))}
		x.w.WriteHeader(status)
		if len(out.body) > 0 && x.r.Method != http.MethodHead {
			_, _ = x.w.Write(out.body)
		}
		return
	}
	x.w.WriteHeader(status)
	if x.r.Method != http.MethodHead {
		n, err := io.Copy(x.w, out.stream)
		x.responseLength = int(n)
		if err != nil {
			s.log.Debug("apigw: copy integration response", "requestId", x.requestID, "err", err)
		}
	}
}

// gatewayError writes one of the gateway's own answers (§6); errorType
// is $context.error.responseType.
func (s *Service) gatewayError(x *exchange, status int, message, errorType string) {
	body := make([]byte, 0, 16+len(message))
	body = append(body, `{"message":"`...)
	body = append(body, message...)
	body = append(body, `"}`...)
	h := x.w.Header()
	if x.stage != nil && x.stage.dep != nil && x.stage.dep.cors != nil {
		x.stage.dep.cors.decorate(h, x.r)
	}
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	x.status, x.responseLength, x.errorMessage, x.errorType = status, len(body), message, errorType
	x.w.WriteHeader(status)
	if x.r.Method != http.MethodHead {
		_, _ = x.w.Write(body)
	}
}
