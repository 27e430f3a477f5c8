package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

// startServer runs a real cloudlet on a free loopback port with one
// Python function, "echo", whose role may write logs.
func startServer(t *testing.T) *platform.Platform {
	t.Helper()
	rt := ""
	rts := sandbox.NewRuntimes(nil)
	for m := 14; m >= 8 && rt == ""; m-- {
		if _, warning, err := rts.Python("python3." + strconv.Itoa(m)); err == nil && warning == "" {
			rt = "python3." + strconv.Itoa(m)
		}
	}
	if rt == "" {
		t.Skip("no python3.8..python3.14 interpreter found on PATH or under pyenv")
	}
	p, err := platform.New(platform.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = p.Shutdown(ctx)
	})
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := p.IAM.CreateRole(ctx, iam.CreateRoleInput{RoleName: "echo-role", AssumeRolePolicyDocument: trust})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.IAM.AttachRolePolicy(ctx, "echo-role", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("app.py")
	_, _ = w.Write([]byte(`def handler(event, context):
    print("echoing", event)
    if "fail" in event:
        raise RuntimeError("asked to fail")
    return event
`))
	_ = zw.Close()
	if _, err := p.Lambda.CreateFunction(ctx, lambda.CreateFunctionInput{FunctionName: "echo", Runtime: rt, Handler: "app.handler",
		Role: role.ARN, Code: lambda.Code{ZipFile: buf.Bytes()}}); err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs the CLI in-process and returns its output and error.
func run(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(`{"from":"stdin"}`))
	err = root.ExecuteContext(ctx)
	return out.String(), errb.String(), err
}

func TestInvokeCommand(t *testing.T) {
	p := startServer(t)
	payloadFile := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(payloadFile, []byte(`{"from":"file"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantOut    string
		wantErrOut string // a substring
		wantExit   int    // 0 ok, 1 function error or refusal
	}{
		{"payload", []string{"--payload", `{"a":1}`}, "{\"a\": 1}\n", "", 0},
		{"file", []string{"--payload", "@" + payloadFile}, "{\"from\": \"file\"}\n", "", 0},
		{"stdin", []string{"--payload", "@-"}, "{\"from\": \"stdin\"}\n", "", 0},
		{"log-tail", []string{"--payload", `{"b":2}`, "--log"}, "{\"b\": 2}\n", "echoing {'b': 2}", 0},
		{"function-error", []string{"--payload", `{"fail":true}`}, `"errorMessage": "asked to fail"`, "", 1},
		{"event", []string{"--invocation-type", "Event"}, "202 Accepted", "", 0},
		{"qualifier-missing", []string{"--qualifier", "7"}, "", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"invoke", "echo", "--endpoint", p.URL()}, tt.args...)
			out, errOut, err := run(context.Background(), args...)
			var ee exitError
			switch {
			case tt.wantExit == 0 && err != nil:
				t.Fatalf("cloudlet %v: %v", args, err)
			case tt.wantExit == 1 && (!errors.As(err, &ee) || ee.code != 1):
				t.Fatalf("cloudlet %v = %v, want exit status 1", args, err)
			case tt.wantExit == 2:
				if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:7") {
					t.Fatalf("cloudlet %v = %v, want the API's not-found error", args, err)
				}
				return
			}
			if !strings.Contains(out, tt.wantOut) || (tt.wantOut != "" && tt.wantExit == 0 && tt.name != "event" && out != tt.wantOut) {
				t.Errorf("cloudlet %v printed %q, want %q", args, out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErrOut) {
				t.Errorf("cloudlet %v printed on stderr %q, want it to contain %q", args, errOut, tt.wantErrOut)
			}
		})
	}
	// Keys other than the server's are refused.
	_, _, err := run(context.Background(), "invoke", "echo", "--endpoint", p.URL(), "--secret-key", "wrong")
	if err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("invoke with a wrong secret key = %v, want a signature error", err)
	}
}

func TestLogsCommand(t *testing.T) {
	p := startServer(t)
	if _, _, err := run(context.Background(), "invoke", "echo", "--endpoint", p.URL(), "--payload", `{"n":"first"}`); err != nil {
		t.Fatal(err)
	}
	// The lines reach CloudWatch Logs in batches: ask until they are there.
	deadline := time.Now().Add(time.Minute)
	for {
		out, _, err := run(context.Background(), "logs", "echo", "--endpoint", p.URL(), "--since", "1h")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, "echoing {'n': 'first'}") {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if !strings.Contains(lines[0], " INIT_START ") || !strings.Contains(out, " START RequestId: ") || !strings.Contains(out, "\tDuration: ") {
				t.Errorf("logs printed %q, want INIT_START, START … REPORT lines", out)
			}
			if f := strings.Fields(lines[0]); len(f) < 3 || !strings.HasPrefix(f[1], time.Now().UTC().Format("2006/01/02")+"/[$LATEST]") {
				t.Errorf("logs line %q, want TIME STREAM MESSAGE", lines[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("logs never printed the invocation's line; last output:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, _, err := run(context.Background(), "logs", "echo", "--endpoint", p.URL(), "--since", "2000-01-01T00:00:00Z"); err != nil || !strings.Contains(out, "first") {
		t.Errorf("logs --since an RFC 3339 time = %q, %v", out, err)
	}

	// --follow prints what comes next, each line once, until interrupted.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		root := newRoot()
		root.SetArgs([]string{"logs", "echo", "--endpoint", p.URL(), "--follow", "--since", "1s"})
		root.SetOut(pr)
		root.SetErr(pr)
		done <- root.ExecuteContext(ctx)
	}()
	for i := range 3 {
		if _, _, err := run(context.Background(), "invoke", "echo", "--endpoint", p.URL(), "--payload", `{"n":"follow-`+strconv.Itoa(i)+`"}`); err != nil {
			t.Fatal(err)
		}
	}
	deadline = time.Now().Add(time.Minute)
	for !strings.Contains(pr.String(), "follow-2") {
		if time.Now().After(deadline) {
			t.Fatalf("logs --follow never printed the last invocation; it printed:\n%s", pr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("logs --follow ended with %v, want nil when interrupted", err)
	}
	for i := range 3 {
		if n := strings.Count(pr.String(), "echoing {'n': 'follow-"+strconv.Itoa(i)+"'}"); n != 1 {
			t.Errorf("logs --follow printed follow-%d %d times, want once", i, n)
		}
	}
	if _, _, err := run(context.Background(), "logs", "nope", "--endpoint", p.URL()); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("logs of a missing function = %v", err)
	}
	if _, _, err := run(context.Background(), "logs", "echo", "--endpoint", p.URL(), "--since", "yesterday"); err == nil || !strings.Contains(err.Error(), "--since") {
		t.Errorf("logs --since yesterday = %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
