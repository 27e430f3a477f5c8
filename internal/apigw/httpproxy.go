package apigw

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HTTP_PROXY integrations pass the request through to a URL and the
// response back (shared/specs/http-api.md §10).

// newHTTPClient is the client for HTTP_PROXY integrations. It follows no
// redirects (the client gets the backend's 3xx) and takes no proxy from
// the environment: backends are usually local.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			ForceAttemptHTTP2:   true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// hopHeaders are not forwarded in either direction (RFC 9110 §7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func removeHopHeaders(h http.Header) {
	for _, f := range h.Values("Connection") {
		for name := range strings.SplitSeq(f, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

// backendURL fills the integration URI: stage variables, {param}
// placeholders from path parameters, the request path for the $default
// route, and the client's query after the URI's own (§10).
func (x *exchange) backendURL(integ *liveIntegration, mapped *requestEdits) (*url.URL, error) {
	uri := integ.IntegrationURI
	if strings.Contains(uri, "${stageVariables.") {
		uri = substituteStageVariables(uri, x.stage.vars)
	}
	for _, p := range x.params {
		v := escapePathValue(p.Value)
		uri = strings.ReplaceAll(uri, "{"+p.Name+"+}", v)
		uri = strings.ReplaceAll(uri, "{"+p.Name+"}", v)
	}
	base, baseQuery, _ := strings.Cut(uri, "?")
	if x.route.isDefault {
		base = strings.TrimSuffix(base, "/") + x.stagePath
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("integration URI " + uri + " is not an http(s) URL")
	}
	if mapped.path != "" {
		p, err := url.Parse(mapped.path)
		if err != nil {
			return nil, err
		}
		u.Path, u.RawPath = p.Path, p.RawPath
	}
	switch {
	case mapped.query != nil:
		u.RawQuery = encodeQuery(append(parseQueryPairs(baseQuery), *mapped.query...))
	case baseQuery != "" && x.r.URL.RawQuery != "":
		u.RawQuery = baseQuery + "&" + x.r.URL.RawQuery
	default:
		u.RawQuery = baseQuery + x.r.URL.RawQuery
	}
	return u, nil
}

// escapePathValue escapes a path parameter segment by segment, keeping
// the slashes of a greedy value.
func escapePathValue(v string) string {
	parts := strings.Split(v, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// requestEdits are the request mapping's results; nil fields mean
// unchanged.
type requestEdits struct {
	header http.Header
	query  *[]queryPair
	path   string
}

// mapRequest applies the integration's requestParameters (§9.1) to a
// copy of the request's header and query.
func (x *exchange) mapRequest(integ *liveIntegration, header http.Header) *requestEdits {
	ed := &requestEdits{header: header}
	if len(integ.requestOps) == 0 {
		return ed
	}
	orig := parseQueryPairs(x.r.URL.RawQuery)
	q := append([]queryPair(nil), orig...)
	src := &mapSources{x: x, header: x.r.Header, query: orig, body: x.body}
	applyRequestMapping(integ.requestOps, src, header, &q, &ed.path)
	for _, op := range integ.requestOps {
		if op.dest == "querystring" {
			ed.query = &q
			break
		}
	}
	return ed
}

// invokeHTTP proxies the request to an HTTP_PROXY integration.
func (s *Service) invokeHTTP(x *exchange) *outcome {
	integ := x.route.integ
	header := x.r.Header.Clone()
	removeHopHeaders(header)
	header.Del("Host")
	proto := "http"
	if x.r.TLS != nil {
		proto = "https"
	}
	ip := sourceIP(x.r)
	if prev := header.Values("X-Forwarded-For"); len(prev) > 0 {
		header.Set("X-Forwarded-For", strings.Join(prev, ", ")+", "+ip)
	} else {
		header.Set("X-Forwarded-For", ip)
	}
	header.Set("X-Forwarded-Port", forwardedPort(x.r))
	header.Set("X-Forwarded-Proto", proto)
	if header.Get("X-Amzn-Trace-Id") == "" {
		header.Set("X-Amzn-Trace-Id", newTraceID(x.now.Unix()))
	}
	by := ""
	if a, ok := x.r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if h, _, err := net.SplitHostPort(a.String()); err == nil {
			by = h
		}
	}
	header.Set("Forwarded", "by="+by+";for="+ip+";host="+x.r.Host+";proto="+proto)
	ed := x.mapRequest(integ, header)

	u, err := x.backendURL(integ, ed)
	if err != nil {
		x.integrationError = err.Error()
		s.log.Info("apigw: HTTP_PROXY integration URI", "requestId", x.requestID, "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	}
	method := integ.IntegrationMethod
	if method == "" || method == "ANY" {
		method = x.r.Method
	}
	ctx, cancel := context.WithTimeout(x.r.Context(), integ.timeout)
	var body io.Reader
	if len(x.body) > 0 {
		body = strings.NewReader(string(x.body))
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		cancel()
		x.integrationError = err.Error()
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	}
	req.Header = ed.header
	req.ContentLength = int64(len(x.body))
	start := s.now()
	resp, err := s.http.Do(req)
	x.integrationLatency = s.now().Sub(start)
	if err != nil {
		deadline := errors.Is(ctx.Err(), context.DeadlineExceeded)
		cancel()
		x.integrationError = err.Error()
		if deadline {
			s.log.Warn("apigw: HTTP_PROXY timeout", "requestId", x.requestID, "url", u.Redacted(), "timeout", integ.timeout)
			s.gatewayError(x, http.StatusServiceUnavailable, msgUnavailable, "INTEGRATION_TIMEOUT")
			return nil
		}
		// [UNV] AWS's answer for an unreachable backend is not recorded.
		s.log.Info("apigw: HTTP_PROXY failed", "requestId", x.requestID, "url", u.Redacted(), "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	}
	x.integrationStatus = resp.StatusCode
	removeHopHeaders(resp.Header)
	resp.Header.Del("Content-Length")
	out := &outcome{status: resp.StatusCode, header: resp.Header, stream: resp.Body, cancel: cancel}
	if integ.responseNeedsBody(resp.StatusCode) {
		out.body, err = io.ReadAll(io.LimitReader(resp.Body, maxRequestBody))
		resp.Body.Close()
		out.stream = nil
		if err != nil {
			cancel()
			x.integrationError = err.Error()
			s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
			return nil
		}
	}
	return out
}
