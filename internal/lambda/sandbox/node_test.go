package sandbox_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

// nodeRuntime is the nodejsNN.x runtime matching the host's node, if any.
func nodeRuntime(t testing.TB) string {
	t.Helper()
	for major := 24; major >= 18; major -= 2 {
		rt := "nodejs" + itoa(major) + ".x"
		if _, warning, err := runtimes.Node(rt); err == nil && warning == "" {
			return rt
		}
	}
	t.Skip("no node (18, 20, 22 or 24) found on PATH")
	return ""
}

func TestNodeHandlers(t *testing.T) {
	rt := nodeRuntime(t)
	tests := []struct {
		name, handler string
		files         map[string]string
		payload       string
		want          []string // payloads of two invocations
		prefix        bool     // want[i] is a prefix
		fnErr         string
	}{
		{
			name:    "AsyncCommonJS",
			handler: "index.handler",
			files: map[string]string{"index.js": `let n = 0;
exports.handler = async (event, context) => ({ n: ++n, mem: context.memoryLimitInMB, id: typeof context.awsRequestId, left: context.getRemainingTimeInMillis() > 0 });`},
			want: []string{`{"n":1,"mem":"128","id":"string","left":true}`, `{"n":2,"mem":"128","id":"string","left":true}`},
		},
		{
			name:    "Callback",
			handler: "index.handler",
			files: map[string]string{"index.js": `exports.handler = (event, context, callback) => {
  let late = 0;
  setTimeout(() => { late = 1; }, 20);
  callback(null, { event });
};`},
			payload: `{"a":[1,"x"]}`,
			want:    []string{`{"event":{"a":[1,"x"]}}`, `{"event":{"a":[1,"x"]}}`},
		},
		{
			name:    "CallbackNoWait",
			handler: "index.handler",
			files: map[string]string{"index.js": `exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 60000);
  callback(null, "done");
};`},
			want: []string{`"done"`, `"done"`},
		},
		{
			name:    "ReturnsUndefined",
			handler: "index.handler",
			files:   map[string]string{"index.js": `exports.handler = async () => {};`},
			want:    []string{`null`, `null`},
		},
		{
			name:    "ESModule",
			handler: "app.handler",
			files:   map[string]string{"app.mjs": `export const handler = async (event) => ({ esm: true });`},
			want:    []string{`{"esm":true}`, `{"esm":true}`},
		},
		{
			name:    "ESModuleByPackageType",
			handler: "src/app.handler",
			files: map[string]string{
				"package.json": `{"type": "module"}`,
				"src/app.js":   `import { x } from "./dep.js"; export const handler = async () => x;`,
				"src/dep.js":   `export const x = 42;`,
			},
			want: []string{`42`, `42`},
		},
		{
			name:    "NestedExport",
			handler: "index.api.v1",
			files:   map[string]string{"index.js": `exports.api = { v1: async () => "nested" };`},
			want:    []string{`"nested"`, `"nested"`},
		},
		{
			name:    "Throws",
			handler: "index.handler",
			files:   map[string]string{"index.js": `exports.handler = async () => { throw new Error("boom"); };`},
			want:    []string{`{"errorType":"Error","errorMessage":"boom","trace":["Error: boom","    at `, `{"errorType":"Error","errorMessage":"boom","trace":["Error: boom","    at `},
			prefix:  true,
			fnErr:   "Unhandled",
		},
		{
			name:    "HandlerNotFound",
			handler: "index.nope",
			files:   map[string]string{"index.js": `exports.handler = async () => 1;`},
			want:    []string{`{"errorType":"Runtime.HandlerNotFound","errorMessage":"index.nope is undefined or not exported","trace":[`, `{"errorType":"Runtime.HandlerNotFound"`},
			prefix:  true,
			fnErr:   "Unhandled",
		},
		{
			name:    "NotAFunction",
			handler: "index.value",
			files:   map[string]string{"index.js": `exports.value = 3;`},
			want:    []string{`{"errorType":"Runtime.HandlerNotFound","errorMessage":"index.value is not a function","trace":[`, `{"errorType":"Runtime.HandlerNotFound"`},
			prefix:  true,
			fnErr:   "Unhandled",
		},
		{
			name:    "ImportModuleError",
			handler: "missing.handler",
			files:   map[string]string{"index.js": ``},
			want:    []string{`{"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'missing'`, `{"errorType":"Runtime.ImportModuleError"`},
			prefix:  true,
			fnErr:   "Unhandled",
		},
		{
			name:    "UserCodeSyntaxError",
			handler: "index.handler",
			files:   map[string]string{"index.js": `exports.handler = async () => {;`},
			want:    []string{`{"errorType":"Runtime.UserCodeSyntaxError","errorMessage":"SyntaxError: `, `{"errorType":"Runtime.UserCodeSyntaxError"`},
			prefix:  true,
			fnErr:   "Unhandled",
		},
		{
			name:    "MalformedHandlerName",
			handler: "index",
			files:   map[string]string{"index.js": ``},
			want:    []string{`{"errorType":"Runtime.MalformedHandlerName","errorMessage":"Bad handler","trace":[`, `{"errorType":"Runtime.MalformedHandlerName"`},
			prefix:  true,
			fnErr:   "Unhandled",
		},
		{
			name:    "ExitMidInvoke",
			handler: "index.handler",
			files:   map[string]string{"index.js": `exports.handler = async () => { process.exit(7); };`},
			want:    []string{`{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {id} Error: Runtime exited with error: exit status 7"}`, `{"errorType":"Runtime.ExitError"`},
			prefix:  true,
			fnErr:   "Unhandled",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := writeCode(t, tt.files)
			p := newPool(t, sandbox.PoolConfig{Function: function(rt, tt.handler, code)})
			for i, want := range tt.want {
				id := requestID()
				resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, Payload: []byte(tt.payload)})
				if err != nil {
					t.Fatal(err)
				}
				want = strings.ReplaceAll(want, "{id}", id)
				got := string(resp.Payload)
				if tt.prefix && !strings.HasPrefix(got, want) || !tt.prefix && got != want || resp.FunctionError != tt.fnErr {
					t.Errorf("Invoke #%d = %s (%q), want %s (%q)", i+1, got, resp.FunctionError, want, tt.fnErr)
				}
			}
		})
	}
}

// AWS: console.log lines are "<time>\t<request id>\tINFO\t<message>", with
// newlines inside a message turned into "\r" (shared/specs/lambda.md §5.1).
func TestNodeConsoleFormat(t *testing.T) {
	rt := nodeRuntime(t)
	code := writeCode(t, map[string]string{"index.js": `console.log("at init");
exports.handler = async () => { console.log("a\nb", 1); console.error("bad"); return 1; };`})
	p := newPool(t, sandbox.PoolConfig{Function: function(rt, "index.handler", code)})
	id := requestID()
	resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, WantLogTail: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
	want := regexp.MustCompile(`(?s)^INIT_START Runtime Version: nodejs:\d+\.cloudlet\t[^\n]*\n` +
		ts + "\tundefined\tINFO\tat init\n" +
		"START RequestId: " + id + " Version: \\$LATEST\n" +
		ts + "\t" + id + "\tINFO\ta\rb 1\n" +
		ts + "\t" + id + "\tERROR\tbad\n" +
		"END RequestId: " + id + "\nREPORT RequestId: " + id + "\t[^\n]*\t\n$")
	if !want.Match(resp.LogTail) {
		t.Errorf("LogTail = %q, want match of %s", resp.LogTail, want)
	}
}
