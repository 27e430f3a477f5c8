package apigw

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

var corsMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "*": true}

// validateCors applies CreateApi/UpdateApi's CORS checks (§7).
func validateCors(c *Cors) error {
	if c == nil {
		return nil
	}
	wildcard := false
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*":
			wildcard = true
		case o == "http://*" || o == "https://*":
			// §7 [VAL]: scheme wildcards are allowed.
		case strings.Contains(o, "*"):
			return badRequest("Invalid origin %s: a wildcard is allowed only as * or as the whole host of http://* and https://*", o)
		default:
			u, err := url.Parse(o)
			if err != nil || u.Scheme == "" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
				return badRequest("Invalid origin %s: an origin is scheme://host[:port]", o)
			}
		}
	}
	if wildcard && c.AllowCredentials != nil && *c.AllowCredentials {
		return badRequest("allow-credentials is not supported if 'allow-origin' is *")
	}
	for _, m := range c.AllowMethods {
		if !corsMethods[strings.ToUpper(m)] {
			return badRequest("Invalid method %s in AllowMethods", m)
		}
	}
	if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > 86400) {
		return badRequest("MaxAge must be between -1 and 86400")
	}
	return nil
}

// liveCors is a deployment's CORS configuration, compiled.
type liveCors struct {
	anyOrigin        bool
	httpAny, httpsAn bool
	origins          map[string]bool // lowercased
	methodsSet       bool
	anyMethod        bool
	methods          map[string]bool
	methodsHeader    string
	headersSet       bool
	anyHeader        bool
	headers          map[string]bool // lowercased
	headersHeader    string
	exposeHeader     string
	maxAge           string
	credentials      bool
}

func compileCors(c *Cors) *liveCors {
	if c == nil {
		return nil
	}
	lc := &liveCors{origins: map[string]bool{}, methods: map[string]bool{}, headers: map[string]bool{}}
	for _, o := range c.AllowOrigins {
		switch o {
		case "*":
			lc.anyOrigin = true
		case "http://*":
			lc.httpAny = true
		case "https://*":
			lc.httpsAn = true
		default:
			lc.origins[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
		}
	}
	lc.methodsSet = len(c.AllowMethods) > 0
	var ms []string
	for _, m := range c.AllowMethods {
		m = strings.ToUpper(m)
		if m == "*" {
			lc.anyMethod = true
		}
		lc.methods[m] = true
		ms = append(ms, m)
	}
	lc.methodsHeader = strings.Join(ms, ",")
	if lc.anyMethod {
		lc.methodsHeader = "*"
	}
	lc.headersSet = len(c.AllowHeaders) > 0
	var hs []string
	for _, h := range c.AllowHeaders {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "*" {
			lc.anyHeader = true
		}
		lc.headers[h] = true
		hs = append(hs, h)
	}
	lc.headersHeader = strings.Join(hs, ",")
	lc.exposeHeader = strings.Join(c.ExposeHeaders, ",")
	if c.MaxAge != nil {
		lc.maxAge = strconv.Itoa(*c.MaxAge)
	}
	lc.credentials = c.AllowCredentials != nil && *c.AllowCredentials
	return lc
}

// originAllowed matches scheme and host case-insensitively (§7 [UNV]
// test_origin_casing).
func (c *liveCors) originAllowed(origin string) bool {
	if origin == "" {
		return false
	}
	if c.anyOrigin {
		return true
	}
	lower := strings.ToLower(origin)
	switch {
	case c.httpAny && strings.HasPrefix(lower, "http://"):
		return true
	case c.httpsAn && strings.HasPrefix(lower, "https://"):
		return true
	}
	return c.origins[lower]
}

func (c *liveCors) allowOriginValue(origin string) string {
	if c.anyOrigin {
		return "*"
	}
	return origin
}

// isPreflight reports an OPTIONS request with Origin and
// Access-Control-Request-Method (§7); other OPTIONS requests are routed.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// preflight answers a CORS preflight before routing: 204 with the allow
// headers when origin, method and headers are allowed, else 204 with
// none (§7). With neither allowMethods nor allowHeaders configured a
// preflight never matches.
func (c *liveCors) preflight(h http.Header, r *http.Request) {
	origin := r.Header.Get("Origin")
	if !c.originAllowed(origin) || (!c.methodsSet && !c.headersSet) {
		return
	}
	method := strings.ToUpper(strings.TrimSpace(r.Header.Get("Access-Control-Request-Method")))
	if !c.methodAllowed(method) {
		return
	}
	for _, line := range r.Header.Values("Access-Control-Request-Headers") {
		for name := range strings.SplitSeq(line, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "" && !c.anyHeader && !c.headers[name] {
				return
			}
		}
	}
	h["Access-Control-Allow-Origin"] = []string{c.allowOriginValue(origin)}
	if c.methodsSet {
		h["Access-Control-Allow-Methods"] = []string{c.methodsHeader}
	}
	// AWS sends the header even when empty (§7 [VAL comment]).
	h["Access-Control-Allow-Headers"] = []string{c.headersHeader}
	if c.maxAge != "" {
		h["Access-Control-Max-Age"] = []string{c.maxAge}
	}
	if c.credentials {
		h["Access-Control-Allow-Credentials"] = []string{"true"}
	}
}

// methodAllowed: a configured method or *; without allowMethods the
// CORS-safelisted GET, HEAD and POST.
func (c *liveCors) methodAllowed(m string) bool {
	if !c.methodsSet {
		return m == "GET" || m == "HEAD" || m == "POST"
	}
	return c.anyMethod || c.methods[m]
}

// decorate replaces the integration's CORS headers with the gateway's on
// an ordinary response (§7: integration CORS headers are ignored when
// CORS is configured).
func (c *liveCors) decorate(h http.Header, r *http.Request) {
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			delete(h, k)
		}
	}
	origin := r.Header.Get("Origin")
	if !c.originAllowed(origin) {
		return
	}
	h["Access-Control-Allow-Origin"] = []string{c.allowOriginValue(origin)}
	if c.exposeHeader != "" {
		h["Access-Control-Expose-Headers"] = []string{c.exposeHeader}
	}
	if c.credentials {
		h["Access-Control-Allow-Credentials"] = []string{"true"}
	}
}
