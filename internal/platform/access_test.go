package platform_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/testkit"
)

// lockedBuffer collects the platform's log from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// noRedirect shows redirects to the test instead of following them.
var noRedirect = &http.Client{Timeout: time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestConsoleToken: /_cloudlet/ answers only health, custom resources'
// responses and presigned code links without the console token; every
// other page asks for it (401 saying how to get in), and takes it as
// ?token= (a cookie and a redirect for browsers), the cookie, or
// Authorization: Bearer.
func TestConsoleToken(t *testing.T) {
	var log lockedBuffer
	p := testkit.StartPlatform(t, platform.Config{Version: "test",
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	token := p.ConsoleToken()
	if len(token) < 40 {
		t.Fatalf("ConsoleToken() = %q, want 256 random bits", token)
	}
	if got, want := p.ConsoleURL(), p.URL()+"/_cloudlet/?token="+token; got != want {
		t.Errorf("ConsoleURL() = %s, want %s", got, want)
	}
	cookie := "cloudlet-console-" + strconv.Itoa(p.Port())
	const html = "text/html,application/xhtml+xml"
	tests := []struct {
		name, method, path string
		header             http.Header
		status             int
		// body is a part of the answer; location the redirect's target.
		body, location string
	}{
		{"health", "GET", "/_cloudlet/health", nil, 200, `"status":"ok"`, ""},
		{"custom-resource-response", "PUT", "/_cloudlet/cfn-response/nobody-waits", nil, 404, "no custom resource request is waiting", ""},
		{"code-link-unsigned", "GET", "/_cloudlet/api/functions/fn/code", nil, 403, "<Code>AccessDenied</Code>", ""},
		{"layer-link-unsigned", "GET", "/_cloudlet/api/layers/lib/1", nil, 403, "<Code>AccessDenied</Code>", ""},
		{"console", "GET", "/_cloudlet/", nil, 401, "open the console URL cloudlet printed", ""},
		{"console-browser", "GET", "/_cloudlet/stacks", http.Header{"Accept": {html}}, 401, "<code>/_cloudlet/?token=…</code>", ""},
		{"no-slash", "GET", "/_cloudlet", nil, 307, "", "/_cloudlet/"},
		{"metrics", "GET", "/_cloudlet/metrics", nil, 401, "Authorization: Bearer", ""},
		{"static", "GET", "/_cloudlet/static/console.css", nil, 401, "", ""},
		{"records", "GET", "/_cloudlet/api/functions/fn/invocations", nil, 401, "", ""},
		{"api-metrics", "GET", "/_cloudlet/api/metrics", nil, 401, "", ""},
		{"code-link-post", "POST", "/_cloudlet/api/functions/fn/code", nil, 401, "", ""},
		{"invoke", "POST", "/_cloudlet/functions/fn/invoke", nil, 401, "", ""},
		{"delete-stack", "POST", "/_cloudlet/stacks/s/delete", nil, 401, "", ""},
		{"health-post", "POST", "/_cloudlet/health", nil, 401, "", ""},
		{"bearer", "GET", "/_cloudlet/metrics", http.Header{"Authorization": {"Bearer " + token}}, 200, "cloudlet_", ""},
		{"bearer-records", "GET", "/_cloudlet/api/metrics", http.Header{"Authorization": {"bearer " + token}}, 200, "UnreservedConcurrentExecutions", ""},
		{"bearer-wrong", "GET", "/_cloudlet/metrics", http.Header{"Authorization": {"Bearer " + token[1:]}}, 401, "", ""},
		{"basic", "GET", "/_cloudlet/metrics", http.Header{"Authorization": {"Basic " + token}}, 401, "", ""},
		{"cookie", "GET", "/_cloudlet/stacks", http.Header{"Cookie": {cookie + "=" + token}}, 200, "Stacks", ""},
		{"cookie-wrong", "GET", "/_cloudlet/stacks", http.Header{"Cookie": {cookie + "=nope"}}, 401, "", ""},
		{"cookie-other-port", "GET", "/_cloudlet/stacks", http.Header{"Cookie": {"cloudlet-console-1=" + token}}, 401, "", ""},
		{"query-browser", "GET", "/_cloudlet/stacks?token=" + token, http.Header{"Accept": {html}}, 303, "", "/_cloudlet/stacks"},
		{"query-browser-keeps-others", "GET", "/_cloudlet/logs?prefix=%2Faws&token=" + token, http.Header{"Accept": {html}}, 303, "", "/_cloudlet/logs?prefix=%2Faws"},
		{"query-script", "GET", "/_cloudlet/api/metrics?token=" + token, nil, 200, "UnreservedConcurrentExecutions", ""},
		{"query-wrong", "GET", "/_cloudlet/?token=" + token[:20], http.Header{"Accept": {html}}, 401, "not this cloudlet&#39;s console token", ""},
		{"query-twice", "GET", "/_cloudlet/?token=" + token + "&token=" + token, nil, 401, "not this cloudlet's console token", ""},
		{"query-empty", "GET", "/_cloudlet/?token=", nil, 401, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, p.URL()+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.body) || resp.Header.Get("Location") != tt.location {
				t.Errorf("%s %s = %d %q (Location %q), want %d with %q (Location %q)", tt.method, tt.path, resp.StatusCode, b, resp.Header.Get("Location"), tt.status, tt.body, tt.location)
			}
			if resp.StatusCode == 401 && resp.Header.Get("WWW-Authenticate") != `Bearer realm="cloudlet console"` {
				t.Errorf("%s %s: WWW-Authenticate = %q, want the Bearer challenge", tt.method, tt.path, resp.Header.Get("WWW-Authenticate"))
			}
			if resp.StatusCode == 303 {
				var set *http.Cookie
				for _, c := range resp.Cookies() {
					if c.Name == cookie {
						set = c
					}
				}
				if set == nil || set.Value != token || !set.HttpOnly || set.SameSite != http.SameSiteStrictMode || set.Path != "/_cloudlet/" {
					t.Errorf("%s %s sets cookie %+v, want %s=<token>, HttpOnly, SameSite=Strict, Path=/_cloudlet/", tt.method, tt.path, set, cookie)
				}
			}
			if strings.Contains(string(b), token) {
				t.Errorf("%s %s answers the token", tt.method, tt.path)
			}
		})
	}

	// A browser opening the printed URL lands on the console, at a URL
	// without the token, and stays in.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: time.Minute}
	for _, u := range []string{p.ConsoleURL(), p.URL() + "/_cloudlet/functions"} {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Accept", html)
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.Contains(resp.Request.URL.String(), token) || strings.Contains(string(b), token) {
			t.Errorf("browser GET %s = %d at %s, want 200 at a URL without the token, and no token on the page", u, resp.StatusCode, resp.Request.URL)
		}
	}
	if strings.Contains(log.String(), token) {
		t.Errorf("cloudlet's log shows the console token:\n%s", log.String())
	}
}

// TestConsoleTokenFixed: a token the user chose is used as it is; one
// easy to guess, or one a URL or cookie would mangle, is refused.
func TestConsoleTokenFixed(t *testing.T) {
	const mine = "my-own.console_token~1"
	p := testkit.StartPlatform(t, platform.Config{ConsoleToken: mine})
	if p.ConsoleToken() != mine {
		t.Errorf("ConsoleToken() = %q, want %q", p.ConsoleToken(), mine)
	}
	for _, tc := range []struct{ token, want string }{
		{"short", "console token: want 16 to 256 characters, got 5"},
		{strings.Repeat("x", 257), "console token: want 16 to 256 characters, got 257"},
		{"with space in the middle", "console token: only letters, digits and - . _ ~ may be used, not ' '"},
		{"semicolon;is-not-for-cookies", "console token: only letters, digits and - . _ ~ may be used, not ';'"},
	} {
		_, err := platform.New(platform.Config{DataDir: t.TempDir(), ConsoleToken: tc.token})
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(ConsoleToken %q) = %v, want %s", tc.token, err, tc.want)
		}
	}
}
