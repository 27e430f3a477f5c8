package sandbox_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/google/go-cmp/cmp"
)

// AWS: init failures reach every invocation as the runtime's /init/error
// body, and init runs again each time (shared/specs/lambda.md §4.2).
func TestInitErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler string
		files   map[string]string
		want    string // exact payload; {id} is the request id
		prefix  string // or a payload prefix, when it holds a stack trace
	}{
		{
			name:    "MalformedHandlerName",
			handler: "index",
			files:   map[string]string{"index.py": "def handler(e, c): return 1\n"},
			want:    `{"errorMessage": "Bad handler 'index': not enough values to unpack (expected 2, got 1)", "errorType": "Runtime.MalformedHandlerName", "requestId": "", "stackTrace": []}`,
		},
		{
			name:    "BuiltInModuleConflict",
			handler: "sys.handler",
			files:   map[string]string{"index.py": ""},
			want:    `{"errorMessage": "Cannot use built-in module sys as a handler module", "errorType": "Runtime.BuiltInModuleConflict", "requestId": "", "stackTrace": []}`,
		},
		{
			name:    "ImportModuleError",
			handler: "missing.handler",
			files:   map[string]string{"index.py": ""},
			want:    `{"errorMessage": "Unable to import module 'missing': No module named 'missing'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}`,
		},
		{
			name:    "ImportModuleErrorOfADependency",
			handler: "index.handler",
			files:   map[string]string{"index.py": "import notthere\n"},
			want:    `{"errorMessage": "Unable to import module 'index': No module named 'notthere'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}`,
		},
		{
			name:    "UserCodeSyntaxError",
			handler: "bad.handler",
			files:   map[string]string{"bad.py": "x = = 1\n"},
			want:    `{"errorMessage": "Syntax error in module 'bad': invalid syntax (bad.py, line 1)", "errorType": "Runtime.UserCodeSyntaxError", "requestId": "", "stackTrace": ["  File \"{code}/bad.py\" Line 1\n    x = = 1"]}`,
		},
		{
			name:    "HandlerNotFound",
			handler: "index.nope",
			files:   map[string]string{"index.py": "def handler(e, c): return 1\n"},
			want:    `{"errorMessage": "Handler 'nope' missing on module 'index'", "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}`,
		},
		{
			name:    "NestedModulePath",
			handler: "pkg/sub/app.nope",
			files:   map[string]string{"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/app.py": ""},
			want:    `{"errorMessage": "Handler 'nope' missing on module 'pkg.sub.app'", "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}`,
		},
		{
			name:    "ExceptionAtImport",
			handler: "index.handler",
			files:   map[string]string{"index.py": "raise Exception('boom')\n"},
			prefix:  `{"errorMessage": "boom", "errorType": "Exception", "requestId": "", "stackTrace": [`,
		},
		{
			name:    "ExitAtImport",
			handler: "index.handler",
			files:   map[string]string{"index.py": "import sys\nsys.exit(0)\n"},
			want:    `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {id} Error: Runtime exited without providing a reason"}`,
		},
		{
			name:    "ExitWithErrorAtImport",
			handler: "index.handler",
			files:   map[string]string{"index.py": "import os\nos._exit(2)\n"},
			want:    `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {id} Error: Runtime exited with error: exit status 2"}`,
		},
	}
	for _, rt := range pythonRuntimes(t) {
		for _, tt := range tests {
			t.Run(rt+"/"+tt.name, func(t *testing.T) {
				code := writeCode(t, tt.files)
				p := newPool(t, sandbox.PoolConfig{Function: function(rt, tt.handler, code)})
				for i := range 2 {
					id := requestID()
					resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id})
					if err != nil {
						t.Fatal(err)
					}
					got := string(resp.Payload)
					want := strings.NewReplacer("{id}", id, "{code}", taskRoot(t, code)).Replace(tt.want)
					if tt.prefix != "" && !strings.HasPrefix(got, tt.prefix) || tt.prefix == "" && got != want {
						t.Errorf("Invoke #%d = %s, want %s%s", i+1, got, want, tt.prefix)
					}
					if resp.FunctionError != "Unhandled" || !resp.Cold {
						t.Errorf("Invoke #%d: FunctionError = %q, Cold = %v; want Unhandled, cold", i+1, resp.FunctionError, resp.Cold)
					}
				}
				if st := p.Stats(); st.Inits != 2 {
					t.Errorf("Stats().Inits = %d, want 2 (init retried on each invoke)", st.Inits)
				}
			})
		}
	}
}

const errorCode = `import datetime, decimal

def fails(event, context):
    raise Exception("Handler fails")

def marshal(event, context):
    return {"when": datetime.datetime(2020, 1, 1)}

def raw(event, context):
    return b"\x00raw"

def text(event, context):
    return {"s": "caf\u00e9", "d": decimal.Decimal("1.5"), "i": decimal.Decimal("7"), "n": None}

def echo(event, context):
    return event
`

// AWS: handler exceptions and unserialisable results become function
// errors with these exact payloads; the environment stays warm (§4.4, §4.5).
func TestHandlerResults(t *testing.T) {
	for _, rt := range pythonRuntimes(t) {
		t.Run(rt, func(t *testing.T) {
			code := writeCode(t, map[string]string{"app.py": errorCode})
			ascii := rt < "python3.12" && len(rt) == len("python3.12") || len(rt) < len("python3.12")
			tests := []struct {
				handler, payload string
				want, ct, fnErr  string
			}{
				{"fails", `{}`, `{"errorMessage": "Handler fails", "errorType": "Exception", "requestId": "{id}", "stackTrace": ["  File \"{code}/app.py\", line 4, in fails\n    raise Exception(\"Handler fails\")\n"]}`, "application/json", "Unhandled"},
				{"marshal", `{}`, `{"errorMessage": "Unable to marshal response: Object of type datetime is not JSON serializable", "errorType": "Runtime.MarshalError", "requestId": "{id}", "stackTrace": []}`, "application/json", "Unhandled"},
				{"raw", `{}`, "\x00raw", "application/unknown", ""},
				{"text", `{}`, map[bool]string{true: `{"s": "caf\u00e9", "d": 1.5, "i": 7, "n": null}`, false: `{"s": "café", "d": 1.5, "i": 7, "n": null}`}[ascii], "application/json", ""},
				{"echo", ``, `{}`, "application/json", ""},
				{"echo", `[1, "x"]`, `[1, "x"]`, "application/json", ""},
			}
			for _, tt := range tests {
				p := newPool(t, sandbox.PoolConfig{Function: function(rt, "app."+tt.handler, code)})
				for i := range 2 {
					id := requestID()
					resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, Payload: []byte(tt.payload)})
					if err != nil {
						t.Fatal(err)
					}
					want := strings.NewReplacer("{id}", id, "{code}", taskRoot(t, code)).Replace(tt.want)
					if string(resp.Payload) != want || resp.ContentType != tt.ct || resp.FunctionError != tt.fnErr {
						t.Errorf("Invoke(%s) = %q %s %q, want %q %s %q", tt.handler, resp.Payload, resp.ContentType, resp.FunctionError, want, tt.ct, tt.fnErr)
					}
					if resp.Cold != (i == 0) {
						t.Errorf("Invoke(%s) #%d: Cold = %v, want %v", tt.handler, i+1, resp.Cold, i == 0)
					}
				}
			}
		})
	}
}

const crashCode = `import os, sys, signal, tempfile, time

state = {"n": 0}

def handler(event, context):
    state["n"] += 1
    if event.get("tmp"):
        with open(os.path.join(tempfile.gettempdir(), "kept"), "a") as f:
            f.write("x")
    if os.path.exists(os.path.join(tempfile.gettempdir(), "kept")) and event.get("check"):
        return {"n": state["n"], "kept": True}
    how = event.get("how")
    if how == "exit0":
        sys.exit()
    if how == "exit3":
        os._exit(3)
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "sleep":
        time.sleep(30)
    return {"n": state["n"]}
`

// AWS: a crash or a timeout resets the environment: module state is lost,
// /tmp is kept, the next invocation initialises again (§2.5, §7.1, §7.3).
func TestCrashAndTimeoutRecovery(t *testing.T) {
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": crashCode})
	f := function(rt, "app.handler", code)
	f.Timeout = 1e9 // 1 s
	p := newPool(t, sandbox.PoolConfig{Function: f})
	tests := []struct {
		event string
		want  string
	}{
		{`{"how": "exit0"}`, `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {id} Error: Runtime exited without providing a reason"}`},
		{`{"how": "exit3"}`, `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {id} Error: Runtime exited with error: exit status 3"}`},
		{`{"how": "kill"}`, `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {id} Error: Runtime exited with error: signal: killed"}`},
		{`{"how": "sleep"}`, `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: {id} Error: Task timed out after 1.00 seconds"}`},
	}
	for _, tt := range tests {
		// Warm up, then fail, then recover with fresh module state.
		invoke(t, p, `{"tmp": true}`)
		id := requestID()
		resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, Payload: []byte(tt.event)})
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ReplaceAll(tt.want, "{id}", id)
		if string(resp.Payload) != want || resp.FunctionError != "Unhandled" {
			t.Errorf("Invoke(%s) = %s (%q), want %s (Unhandled)", tt.event, resp.Payload, resp.FunctionError, want)
		}
		resp = invoke(t, p, `{"check": true}`)
		var got map[string]any
		_ = json.Unmarshal(resp.Payload, &got)
		if diff := cmp.Diff(map[string]any{"n": 1.0, "kept": true}, got); diff != "" || !resp.Cold {
			t.Errorf("Invoke after %s = %s (cold %v), want module state reset, TMPDIR kept, cold:\n%s", tt.event, resp.Payload, resp.Cold, diff)
		}
	}
	if st := p.Stats(); st.Created != 1 {
		t.Errorf("Stats().Created = %d, want 1 (resets keep the environment)", st.Created)
	}
}

// A caller that goes away is treated like a timeout for the environment.
func TestCallerCancel(t *testing.T) {
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": crashCode})
	f := function(rt, "app.handler", code)
	f.Timeout = 60e9
	p := newPool(t, sandbox.PoolConfig{Function: f})
	invoke(t, p, `{}`)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := p.Invoke(ctx, sandbox.Request{RequestID: requestID(), Payload: []byte(`{"how": "sleep"}`)})
		done <- err
	}()
	waitFor(t, func() bool { return p.Stats().Busy == 1 })
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Invoke with cancelled ctx: err = %v, want context.Canceled", err)
	}
	if resp := invoke(t, p, `{}`); string(resp.Payload) != `{"n": 1}` || !resp.Cold {
		t.Errorf("Invoke after cancel = %s (cold %v), want {\"n\": 1} cold", resp.Payload, resp.Cold)
	}
}

// AWS: a result over 6,291,556 bytes is Function.ResponseSizeTooLarge and
// the environment stays usable; 6 MiB of string fits (§1.3, §7.4).
func TestResponseSizeLimit(t *testing.T) {
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": `
def handler(event, context):
    return "x" * event["n"]
`})
	p := newPool(t, sandbox.PoolConfig{Function: function(rt, "app.handler", code)})
	resp := invoke(t, p, `{"n": 6291456}`)
	if len(resp.Payload) != 6291458 || resp.FunctionError != "" {
		t.Errorf("Invoke(6 MiB) = %d bytes (%q), want 6291458 bytes, no error", len(resp.Payload), resp.FunctionError)
	}
	resp = invoke(t, p, `{"n": 6291555}`)
	want := `{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`
	if string(resp.Payload) != want || resp.FunctionError != "Unhandled" {
		t.Errorf("Invoke(too large) = %.200s (%q), want %s", resp.Payload, resp.FunctionError, want)
	}
	resp = invoke(t, p, `{"n": 3}`)
	if string(resp.Payload) != `"xxx"` || resp.Cold {
		t.Errorf("Invoke after too large = %s (cold %v), want \"xxx\" warm", resp.Payload, resp.Cold)
	}
}
