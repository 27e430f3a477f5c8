package console_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/testkit"
)

func seedDir(t testing.TB) string { return testkit.SeedDir(t) }

// start runs a real platform on a free loopback port with its data in a
// temporary folder. The test clients present its console token.
func start(t testing.TB) *platform.Platform {
	t.Helper()
	p := testkit.StartPlatform(t, platform.Config{Version: "test"})
	host := strings.TrimPrefix(p.URL(), "http://")
	tokens.Store(host, p.ConsoleToken())
	t.Cleanup(func() { tokens.Delete(host) })
	return p
}

// tokens maps the host:port of each platform start made to its console
// token.
var tokens sync.Map

// withToken sends a request to a platform start made with its console
// token, as a script would (Authorization: Bearer); the platform's own
// tests cover the cookie and ?token= ways in.
type withToken struct{}

func (withToken) RoundTrip(r *http.Request) (*http.Response, error) {
	if tok, ok := tokens.Load(r.URL.Host); ok && r.Header.Get("Authorization") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+tok.(string))
	}
	return http.DefaultTransport.RoundTrip(r)
}

// deploySeed deploys the seed tutorial unmodified and returns its root
// stack.
func deploySeed(t testing.TB, p *platform.Platform) *stack.Stack {
	t.Helper()
	return deploy(t, p, filepath.Join(seedDir(t), "fa-005.yaml"), "fa-005", nil)
}

func deploy(t testing.TB, p *platform.Platform, path, name string, params map[string]string) *stack.Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := p.Deploy(ctx, platform.DeployInput{TemplatePath: path, StackName: name, Parameters: params})
	if err != nil {
		t.Fatalf("Deploy(%s) = %v", name, err)
	}
	if res.Stack.Status != stack.CreateComplete {
		t.Fatalf("stack %s status = %s (%s), want CREATE_COMPLETE", name, res.Stack.Status, res.Stack.StatusReason)
	}
	return res.Stack
}

// client does not follow redirects, so tests see them.
var client = &http.Client{
	Transport:     withToken{},
	Timeout:       time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t testing.TB, u string) response {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return read(t, resp)
}

func post(t testing.TB, u string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	return read(t, resp)
}

func read(t testing.TB, resp *http.Response) response {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func newFormRequest(u string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

func mustDescribe(t testing.TB, p *platform.Platform, name string) *stack.Stack {
	t.Helper()
	st, err := p.Stacks.Describe(context.Background(), name)
	if err != nil {
		t.Fatalf("Describe(%s) = %v", name, err)
	}
	return st
}
