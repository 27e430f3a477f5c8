package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runUp runs `cloudlet up` in-process with args and returns a channel of
// its stdout lines and a function that interrupts it and returns its error.
func runUp(t *testing.T, args ...string) (<-chan string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	root := newRoot()
	root.SetArgs(append([]string{"up", "--port", "0"}, args...))
	root.SetOut(pw)
	root.SetErr(pw)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); pw.Close() }()
	t.Cleanup(cancel)
	return lines, func() error { cancel(); return <-done }
}

// waitFor reads lines until one matches re and returns the match.
func waitFor(t *testing.T, lines <-chan string, re *regexp.Regexp) []string {
	t.Helper()
	timeout := time.After(2 * time.Minute)
	var seen []string
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("up ended without printing %v; it printed:\n%s", re, strings.Join(seen, "\n"))
			}
			seen = append(seen, l)
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %v; up printed:\n%s", re, strings.Join(seen, "\n"))
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var consoleURL = regexp.MustCompile(`^Console: (http://127\.0\.0\.1:\d+)/_cloudlet/\?token=([A-Za-z0-9._~-]+)$`)

var pathURL = regexp.MustCompile(`^\s+(http://127\.0\.0\.1:\d+/_aws/execute-api/[a-z0-9]+/)$`)

func TestUpEmbeddedExample(t *testing.T) {
	work := t.TempDir()
	t.Chdir(work) // no ./template.yaml here: up deploys the embedded example
	lines, stop := runUp(t, "--data-dir", filepath.Join(work, "data"))
	// The console URL carries a token of 256 random bits; the console
	// answers with it only.
	console := waitFor(t, lines, consoleURL)
	if len(console[2]) != 43 {
		t.Errorf("console token %q, want 43 characters (256 random bits)", console[2])
	}
	if status, _ := get(t, console[0][len("Console: "):]); status != 200 {
		t.Errorf("GET the printed console URL = %d, want 200", status)
	}
	if status, _ := get(t, console[1]+"/_cloudlet/"); status != 401 {
		t.Errorf("GET the console without its token = %d, want 401", status)
	}
	base := waitFor(t, lines, pathURL)[1]
	waitFor(t, lines, regexp.MustCompile(`^Function logs follow`))

	status, body := get(t, base)
	if status != 200 || !strings.Contains(body, `"message": "Hello, cloudlet!"`) {
		t.Errorf("GET / = %d %q, want 200 with the greeting", status, body)
	}
	status, body = get(t, base+"hello/tests")
	if status != 200 || !strings.Contains(body, `"Hello, tests!"`) || !strings.Contains(body, `"route": "GET /hello/{name}"`) {
		t.Errorf("GET /hello/tests = %d %q", status, body)
	}
	if status, body = get(t, base+"nope"); status != 404 || body != `{"message":"Not Found"}` {
		t.Errorf("GET /nope = %d %q, want 404 Not Found", status, body)
	}
	// up echoes the function's own output, prefixed with its name.
	waitFor(t, lines, regexp.MustCompile(`^\[cloudlet-example-function\] GET /hello/tests \(call 2 of this environment\)`))
	if err := stop(); err != nil {
		t.Fatalf("up after interrupt = %v, want nil", err)
	}

	// Running up again on the same data dir finds the stack up to date.
	// CLOUDLET_CONSOLE_TOKEN fixes the console token.
	t.Setenv("CLOUDLET_CONSOLE_TOKEN", "fixed-by-the-environment")
	lines, stop = runUp(t, "--data-dir", filepath.Join(work, "data"))
	if got := waitFor(t, lines, consoleURL)[2]; got != "fixed-by-the-environment" {
		t.Errorf("console token = %q, want the one CLOUDLET_CONSOLE_TOKEN names", got)
	}
	waitFor(t, lines, regexp.MustCompile(`^Stack cloudlet-example is up to date`))
	base = waitFor(t, lines, pathURL)[1]
	if status, _ := get(t, base); status != 200 {
		t.Errorf("after a second up, GET / = %d, want 200", status)
	}
	if err := stop(); err != nil {
		t.Fatalf("second up = %v", err)
	}
}

func TestUpReportsTemplateErrors(t *testing.T) {
	work := t.TempDir()
	tmpl := filepath.Join(work, "broken.yaml")
	os.WriteFile(tmpl, []byte("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Missing.Arn\n"), 0o644)
	lines, stop := runUp(t, "--data-dir", filepath.Join(work, "data"), tmpl)
	m := waitFor(t, lines, regexp.MustCompile(`broken\.yaml:(\d+):\d+.*Fn.*Missing`))
	if m[1] != "5" {
		t.Errorf("error names line %s, want 5", m[1])
	}
	if err := stop(); err == nil {
		t.Errorf("up with a broken template succeeded")
	}
}
