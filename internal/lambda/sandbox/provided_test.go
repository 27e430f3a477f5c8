package sandbox_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

var goApp struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// buildGoApp builds testdata/goapp once per test binary.
func buildGoApp(t testing.TB) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found on PATH: needed to build the provided.al2023 test function")
	}
	goApp.once.Do(func() {
		dir, err := os.MkdirTemp("", "cloudlet-goapp-")
		if err != nil {
			goApp.err = err
			return
		}
		goApp.path = filepath.Join(dir, "bootstrap")
		cmd := exec.Command(goTool, "build", "-o", goApp.path, "./testdata/goapp")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		goApp.out, goApp.err = cmd.CombinedOutput()
	})
	if goApp.err != nil {
		t.Fatalf("go build ./testdata/goapp: %v\n%s", goApp.err, goApp.out)
	}
	return goApp.path
}

// codeWithBootstrap copies the built Go app into a fresh code directory.
func codeWithBootstrap(t testing.TB, mode os.FileMode) string {
	t.Helper()
	b, err := os.ReadFile(buildGoApp(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), b, mode); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestProvidedRuntime(t *testing.T) {
	code := codeWithBootstrap(t, 0o755)
	f := function("provided.al2023", "ignored.handler", code)
	p := newPool(t, sandbox.PoolConfig{Function: f})
	tests := []struct {
		event, want, fnErr string
		prefix, cold       bool
	}{
		{event: `{}`, want: `{"fn":"fn","id":"{id}","n":1}`, cold: true},
		{event: `{}`, want: `{"fn":"fn","id":"{id}","n":2}`},
		// aws-lambda-go: errors carry no stack and no header (§5.2).
		{event: `{"how":"error"}`, want: `{"errorMessage":"boom","errorType":"errorString"}`, fnErr: "Unhandled"},
		{event: `{}`, want: `{"fn":"fn","id":"{id}","n":4}`},
		// A panic is reported, then the process exits: the environment resets.
		{event: `{"how":"panic"}`, want: `{"errorMessage":"oh no","errorType":"string","stackTrace":[`, fnErr: "Unhandled", prefix: true},
		{event: `{}`, want: `{"fn":"fn","id":"{id}","n":1}`, cold: true},
	}
	for i, tt := range tests {
		id := requestID()
		resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, Payload: []byte(tt.event)})
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ReplaceAll(tt.want, "{id}", id)
		got := string(resp.Payload)
		if tt.prefix && !strings.HasPrefix(got, want) || !tt.prefix && got != want || resp.FunctionError != tt.fnErr || resp.Cold != tt.cold {
			t.Errorf("Invoke #%d(%s) = %s (%q, cold %v), want %s (%q, cold %v)", i+1, tt.event, got, resp.FunctionError, resp.Cold, want, tt.fnErr, tt.cold)
		}
	}

	// AWS: no AWS_EXECUTION_ENV for provided runtimes; _HANDLER is still set (§3.1).
	resp := invoke(t, p, `{"how":"env"}`)
	var env map[string]string
	if err := json.Unmarshal(resp.Payload, &env); err != nil {
		t.Fatalf("Invoke(env) = %s: %v", resp.Payload, err)
	}
	if _, ok := env["AWS_EXECUTION_ENV"]; ok || env["_HANDLER"] != "ignored.handler" || env["LAMBDA_TASK_ROOT"] != taskRoot(t, code) {
		t.Errorf("provided environment: AWS_EXECUTION_ENV %q, _HANDLER %q, LAMBDA_TASK_ROOT %q; want absent, ignored.handler, %s",
			env["AWS_EXECUTION_ENV"], env["_HANDLER"], env["LAMBDA_TASK_ROOT"], taskRoot(t, code))
	}
}

// AWS: a provided function without a usable bootstrap fails every
// invocation with Runtime.InvalidEntrypoint (§5.2). Isolated, the
// messages are AWS's to the letter: they name /var/task and /opt.
func TestProvidedInvalidEntrypoint(t *testing.T) {
	empty := t.TempDir()
	notExec := codeWithBootstrap(t, 0o644)
	searched := "[" + empty + "/bootstrap]"
	if isolated(t) {
		searched = "[/var/task/bootstrap /opt/bootstrap]"
	}
	tests := []struct {
		name, code, want string
	}{
		{"Missing", empty, `{"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: {id} Error: Couldn't find valid bootstrap(s): ` + searched + `"}`},
		{"NotExecutable", notExec, `{"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: {id} Error: fork/exec ` + taskRoot(t, notExec) + `/bootstrap: permission denied"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, sandbox.PoolConfig{Function: function("provided.al2", "x", tt.code)})
			id := requestID()
			resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id})
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tt.want, "{id}", id)
			if string(resp.Payload) != want || resp.FunctionError != "Unhandled" {
				t.Errorf("Invoke = %s (%q), want %s (Unhandled)", resp.Payload, resp.FunctionError, want)
			}
		})
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if goApp.path != "" {
		os.RemoveAll(filepath.Dir(goApp.path))
	}
	os.Exit(code)
}
