package platform

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// Who may use /_cloudlet/ (issue 8 §5). Function processes share the
// host's loopback and reach cloudlet at AWS_ENDPOINT_URL, so nothing there
// may answer just anyone who reaches the port: the AWS APIs, with the
// caller's IAM permissions, must stay the only way in. Three doors remain
// open — /_cloudlet/health; custom resources' response URLs, each
// authorized by its one-time token; and code download links, each by its
// signature (lambda/codelink.go) — and every other page, the console,
// its metrics and cloudlet's JSON records, asks for the console token.
//
// The console token is made at start, kept in memory only, and shown only
// in the console URL `cloudlet serve` and `up` print; it is never in a
// function's environment, a log line or a page. A browser presents it
// once, as ?token=, and gets it back as an HttpOnly, SameSite=Strict
// cookie (named for the port, so two cloudlets on one host keep theirs
// apart) with a redirect to the same URL without it, so the token does
// not stay in the address bar, the history or a Referer. Scripts and
// Prometheus send it as Authorization: Bearer.

// consoleTokenParam is the query parameter that presents the token.
const consoleTokenParam = "token"

// access holds the platform's secrets for /_cloudlet/.
type access struct {
	// token is the console token.
	token string
	// linkKey signs code download links (lambda.Config.CodeLinkKey).
	linkKey []byte
	// port names the cookie; the port is known once the edge binds.
	port func() int
	log  *slog.Logger
}

// newAccess makes the platform's secrets; token, when set, is the console
// token to use instead of a random one.
func newAccess(token string, port func() int, log *slog.Logger) (*access, error) {
	if token == "" {
		token = randomToken()
	} else if err := checkToken(token); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return &access{token: token, linkKey: key, port: port, log: log}, nil
}

// randomToken is 256 random bits, URL- and cookie-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkToken refuses a console token that is easy to guess, or that a URL
// or a cookie would have to escape.
func checkToken(t string) error {
	if len(t) < 16 || len(t) > 256 {
		return fmt.Errorf("console token: want 16 to 256 characters, got %d", len(t))
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)) {
			return fmt.Errorf("console token: only letters, digits and - . _ ~ may be used, not %q", c)
		}
	}
	return nil
}

func (a *access) cookieName() string { return "cloudlet-console-" + strconv.Itoa(a.port()) }

// is reports whether s is the console token, in constant time.
func (a *access) is(s string) bool {
	return s != "" && subtle.ConstantTimeCompare([]byte(s), []byte(a.token)) == 1
}

// guard serves next only to requests that carry the console token, and
// passes them on without it.
func (a *access) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if given, ok := q[consoleTokenParam]; ok {
			if len(given) != 1 || !a.is(given[0]) {
				a.refuse(w, r, "The token in this URL is not this cloudlet's console token. cloudlet makes a new one each time it starts (unless --console-token or CLOUDLET_CONSOLE_TOKEN fixes it): open the URL it printed this time.")
				return
			}
			http.SetCookie(w, &http.Cookie{Name: a.cookieName(), Value: a.token, Path: "/_cloudlet/",
				HttpOnly: true, SameSite: http.SameSiteStrictMode})
			if (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.Contains(r.Header.Get("Accept"), "text/html") {
				// A browser: show the same page at a URL without the token.
				q.Del(consoleTokenParam)
				to := r.URL.EscapedPath()
				if len(q) > 0 {
					to += "?" + q.Encode()
				}
				w.Header().Set("Referrer-Policy", "no-referrer")
				w.Header().Set("Cache-Control", "no-store")
				http.Redirect(w, r, to, http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, a.strip(r))
			return
		}
		if bearer, ok := bearerToken(r); ok && a.is(bearer) {
			next.ServeHTTP(w, a.strip(r))
			return
		}
		if c, err := r.Cookie(a.cookieName()); err == nil && a.is(c.Value) {
			next.ServeHTTP(w, a.strip(r))
			return
		}
		a.refuse(w, r, "")
	})
}

// bearerToken is the credential of an Authorization: Bearer header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(cred), true
}

// strip removes the token from what the pages see, so that no page can
// echo it: the query parameter, the Authorization header, the cookie.
func (a *access) strip(r *http.Request) *http.Request {
	r2 := r.Clone(r.Context())
	if _, ok := bearerToken(r2); ok {
		r2.Header.Del("Authorization")
	}
	if q := r2.URL.Query(); q.Has(consoleTokenParam) {
		q.Del(consoleTokenParam)
		r2.URL.RawQuery = q.Encode()
		r2.RequestURI = r2.URL.RequestURI()
	}
	if cookies := r2.Cookies(); len(cookies) > 0 {
		r2.Header.Del("Cookie")
		name := a.cookieName()
		for _, c := range cookies {
			if c.Name != name {
				r2.AddCookie(c)
			}
		}
	}
	return r2
}

// refuse answers 401 with how to get in: a page for browsers, text for
// scripts. reason, when set, says what was wrong with what was presented.
func (a *access) refuse(w http.ResponseWriter, r *http.Request, reason string) {
	a.log.Debug("refused a /_cloudlet/ request without the console token", "method", r.Method, "path", r.URL.Path)
	h := w.Header()
	h.Set("WWW-Authenticate", `Bearer realm="cloudlet console"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		msg := reason
		if msg == "" {
			msg = "This page needs cloudlet's console token: open the console URL cloudlet printed when it started (.../_cloudlet/?token=...)."
		}
		fmt.Fprintf(w, "401 Unauthorized: %s Scripts send the token as the header \"Authorization: Bearer <token>\".\n", msg)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_ = lockedPage.Execute(w, reason)
}

// lockedPage is the 401 page. It stands alone: the console's layout and
// assets are behind the same door.
var lockedPage = template.Must(template.New("locked").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cloudlet console: token needed</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#222}code{background:#f3f3f3;padding:0 .2em}</style>
</head><body>
<h1>401 Unauthorized</h1>
{{if .}}<p>{{.}}</p>{{end}}
<p>cloudlet's console is for whoever started cloudlet. Open the console URL
cloudlet printed when it started; it ends in <code>/_cloudlet/?token=…</code>.
Your browser then keeps the token, for this cloudlet only, until you close it.</p>
<p>Scripts and Prometheus send the token as the header
<code>Authorization: Bearer &lt;token&gt;</code>. To keep one token across
restarts, start cloudlet with <code>--console-token</code> or
<code>CLOUDLET_CONSOLE_TOKEN</code>.</p>
</body></html>
`))
