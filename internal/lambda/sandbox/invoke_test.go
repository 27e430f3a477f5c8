package sandbox_test

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/google/go-cmp/cmp"
)

const counterCode = `
count = 0

def handler(event, context):
    global count
    count += 1
    return count
`

// AWS: module state survives between invocations on one environment
// (shared/specs/lambda.md §2.2).
func TestWarmReuse(t *testing.T) {
	code := writeCode(t, map[string]string{"app.py": counterCode})
	p := newPool(t, sandbox.PoolConfig{Function: function(newestPython(t), "app.handler", code)})
	for i, want := range []string{"1", "2", "3"} {
		resp := invoke(t, p, `{}`)
		if string(resp.Payload) != want || resp.Cold != (i == 0) {
			t.Errorf("Invoke #%d = %s (cold %v), want %s (cold %v)", i+1, resp.Payload, resp.Cold, want, i == 0)
		}
	}
	st := p.Stats()
	if st.Created != 1 || st.Inits != 1 || st.Idle != 1 || st.Busy != 0 {
		t.Errorf("Stats() = %+v, want one environment, one init, idle", st)
	}
}

const logCode = `
import logging
print("init line")

def handler(event, context):
    print("hello", event["n"])
    logging.getLogger().warning("warned")
    print("no newline", end="")
    return None
`

var (
	reInitStart = regexp.MustCompile(`^INIT_START Runtime Version: python:3\.\d+\.cloudlet\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\n$`)
	reReport    = regexp.MustCompile(`^REPORT RequestId: (\S+)\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: [1-9]\d* MB\t(Init Duration: \d+\.\d\d ms\t)?\n$`)
	reWarning   = regexp.MustCompile(`^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t(\S+)\twarned\n$`)
	reStream    = regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`)
)

// AWS: INIT_START (cold), START, output, END, REPORT, tab separated with a
// trailing tab (shared/specs/lambda.md §6.1).
func TestLogLines(t *testing.T) {
	sink := &memSink{}
	code := writeCode(t, map[string]string{"app.py": logCode})
	p := newPool(t, sandbox.PoolConfig{Function: function(newestPython(t), "app.handler", code), Logs: sink})
	var ids []string
	for i := range 2 {
		id := requestID()
		ids = append(ids, id)
		resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, Payload: []byte(`{"n":` + itoa(i) + `}`), WantLogTail: true})
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Payload) != "null" {
			t.Errorf("Invoke = %s, want null", resp.Payload)
		}
		tail := string(resp.LogTail)
		if !strings.HasPrefix(tail, map[bool]string{true: "INIT_START", false: "START"}[i == 0]) || !strings.HasSuffix(tail, "\t\n") {
			t.Errorf("LogTail #%d = %q, want START…REPORT of this invocation", i, tail)
		}
	}
	if len(sink.streams) != 1 {
		t.Fatalf("streams = %d, want 1", len(sink.streams))
	}
	for stream, events := range sink.streams {
		if !reStream.MatchString(stream) {
			t.Errorf("stream name %q, want YYYY/MM/DD/[$LATEST]<32 hex>", stream)
		}
		if g := sink.groups[stream]; g != "/aws/lambda/fn" {
			t.Errorf("group = %q, want /aws/lambda/fn", g)
		}
		var got []string
		for _, e := range events {
			m := e.Message
			switch {
			case reInitStart.MatchString(m):
				m = "INIT_START"
			case reReport.MatchString(m):
				sub := reReport.FindStringSubmatch(m)
				m = "REPORT " + sub[1]
				if sub[2] != "" {
					m += " init"
				}
			case reWarning.MatchString(m):
				m = "WARNING " + reWarning.FindStringSubmatch(m)[1]
			}
			got = append(got, m)
		}
		want := []string{
			"INIT_START", "init line\n",
			"START RequestId: " + ids[0] + " Version: $LATEST\n", "hello 0\n", "WARNING " + ids[0], "no newline",
			"END RequestId: " + ids[0] + "\n", "REPORT " + ids[0] + " init",
			"START RequestId: " + ids[1] + " Version: $LATEST\n", "hello 1\n", "WARNING " + ids[1], "no newline",
			"END RequestId: " + ids[1] + "\n", "REPORT " + ids[1],
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("log events mismatch (-want +got):\n%s", diff)
		}
	}
}

const envCode = `
import os, json

def handler(event, context):
    return {"env": dict(os.environ), "cwd": os.getcwd(), "ctx": {
        "aws_request_id": context.aws_request_id,
        "invoked_function_arn": context.invoked_function_arn,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining_positive": context.get_remaining_time_in_millis() > 0,
        "identity": context.identity.cognito_identity_id,
        "client_custom": context.client_context.custom if context.client_context else None,
    }}
`

// AWS: the environment holds exactly the variables of §3.1, nothing of the
// host's, and reserved names cannot be overridden (§3.2).
func TestEnvironmentVariables(t *testing.T) {
	t.Setenv("HOME_LEAK_CANARY", "leaked")
	rt := newestPython(t)
	code := writeCode(t, map[string]string{"app.py": envCode})
	f := function(rt, "app.handler", code)
	f.MemoryMB = 256
	f.Env = map[string]string{"MY_VAR": "mine", "AWS_REGION": "eu-west-1", "_HANDLER": "x.y", "TZ": "Europe/Paris"}
	f.ExtraEnv = map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}
	f.Credentials = map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "TOKEN"}
	p := newPool(t, sandbox.PoolConfig{Function: f})
	id := requestID()
	resp, err := p.Invoke(t.Context(), sandbox.Request{
		RequestID: id, Payload: []byte(`{}`), InvokedARN: f.ARN + ":live",
		ClientContext: []byte(`{"custom":{"k":"v"}}`), TraceID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
	})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Env map[string]string
		Cwd string
		Ctx map[string]any
	}
	if err := json.Unmarshal(resp.Payload, &got); err != nil {
		t.Fatalf("Invoke = %s: %v", resp.Payload, err)
	}
	env := got.Env
	stream := env["AWS_LAMBDA_LOG_STREAM_NAME"]
	if !reStream.MatchString(stream) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q, want YYYY/MM/DD/[$LATEST]<32 hex>", stream)
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q, want 127.0.0.1:<port>", env["AWS_LAMBDA_RUNTIME_API"])
	}
	// AWS sets no TMPDIR: /tmp is the environment's own (§3.1). Without
	// isolation, TMPDIR points at a per-environment directory instead.
	if _, ok := env["TMPDIR"]; ok == isolated(t) {
		t.Errorf("TMPDIR = %q (set %v), want it set only when not isolated", env["TMPDIR"], ok)
	}
	if !strings.Contains(env["PATH"], "/usr/bin") {
		t.Errorf("PATH = %q, want host system directories", env["PATH"])
	}
	runtimeDir := env["LAMBDA_RUNTIME_DIR"]
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "fn",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/fn",
		"AWS_LAMBDA_LOG_STREAM_NAME":      stream,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_RUNTIME_API":          env["AWS_LAMBDA_RUNTIME_API"],
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_" + rt,
		"_HANDLER":                        "app.handler",
		"LAMBDA_TASK_ROOT":                taskRoot(t, code),
		"LAMBDA_RUNTIME_DIR":              runtimeDir,
		"AWS_ACCESS_KEY_ID":               "AKID",
		"AWS_SECRET_ACCESS_KEY":           "SECRET",
		"AWS_SESSION_TOKEN":               "TOKEN",
		"TZ":                              "Europe/Paris",
		"LANG":                            "en_US.UTF-8",
		"LC_CTYPE":                        "C.UTF-8",
		"PATH":                            env["PATH"],
		"LD_LIBRARY_PATH":                 env["LD_LIBRARY_PATH"],
		"PYTHONPATH":                      runtimeDir,
		"AWS_XRAY_CONTEXT_MISSING":        "LOG_ERROR",
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:4566",
		"MY_VAR":                          "mine",
		"_X_AMZN_TRACE_ID":                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
	}
	if v, ok := env["TMPDIR"]; ok {
		want["TMPDIR"] = v
	}
	if diff := cmp.Diff(want, env); diff != "" {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("environment mismatch (-want +got):\n%s\nkeys: %v", diff, keys)
	}
	if isolated(t) && runtimeDir != "/var/runtime" {
		t.Errorf("LAMBDA_RUNTIME_DIR = %q, want /var/runtime", runtimeDir)
	}
	if got.Cwd != taskRoot(t, code) {
		t.Errorf("cwd = %q, want %q", got.Cwd, taskRoot(t, code))
	}
	wantCtx := map[string]any{
		"aws_request_id":       id,
		"invoked_function_arn": f.ARN + ":live",
		"function_name":        "fn",
		"function_version":     "$LATEST",
		"memory_limit_in_mb":   "256",
		"log_group_name":       "/aws/lambda/fn",
		"log_stream_name":      stream,
		"remaining_positive":   true,
		"identity":             nil,
		"client_custom":        map[string]any{"k": "v"},
	}
	if diff := cmp.Diff(wantCtx, got.Ctx); diff != "" {
		t.Errorf("context mismatch (-want +got):\n%s", diff)
	}
}

// AWS: the root logger has the runtime's handler before user code runs, so
// logging.basicConfig() does nothing; newlines in a record become "\r"
// (shared/specs/lambda.md §4.6).
func TestPythonLoggingFormat(t *testing.T) {
	for _, rt := range pythonRuntimes(t) {
		t.Run(rt, func(t *testing.T) {
			code := writeCode(t, map[string]string{"app.py": `import logging
logging.basicConfig(level=logging.INFO, format="plain %(message)s")
logger = logging.getLogger()
logger.setLevel(logging.INFO)
logger.info("at init")

def handler(event, context):
    logger.info("multi\nline")
    return 1
`})
			p := newPool(t, sandbox.PoolConfig{Function: function(rt, "app.handler", code)})
			id := requestID()
			resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, WantLogTail: true})
			if err != nil {
				t.Fatal(err)
			}
			ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
			want := regexp.MustCompile(`(?s)^INIT_START [^\n]*\n` +
				`\[INFO\]\t` + ts + "\t\tat init\n" +
				"START RequestId: " + id + " Version: \\$LATEST\n" +
				`\[INFO\]\t` + ts + "\t" + id + "\tmulti\rline\n" +
				"END RequestId: " + id + "\nREPORT RequestId: " + id + "\t[^\n]*\t\n$")
			if !want.Match(resp.LogTail) {
				t.Errorf("LogTail = %q, want match of %s", resp.LogTail, want)
			}
		})
	}
}

// AWS: in a custom log group, stream names carry the function's name
// (shared/specs/lambda.md §6.3).
func TestCustomLogGroupStream(t *testing.T) {
	sink := &memSink{}
	code := writeCode(t, map[string]string{"app.py": counterCode})
	f := function(newestPython(t), "app.handler", code)
	f.LogGroup = "/custom/group"
	p := newPool(t, sandbox.PoolConfig{Function: f, Logs: sink})
	invoke(t, p, `{}`)
	re := regexp.MustCompile(`^\d{4}/\d\d/\d\d/fn\[\$LATEST\]\[[0-9a-f]{32}\]$`)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	for stream := range sink.streams {
		if !re.MatchString(stream) || sink.groups[stream] != "/custom/group" {
			t.Errorf("stream %q in group %q, want YYYY/MM/DD/fn[$LATEST][<32 hex>] in /custom/group", stream, sink.groups[stream])
		}
	}
	if len(sink.streams) != 1 {
		t.Errorf("streams = %d, want 1", len(sink.streams))
	}
}
