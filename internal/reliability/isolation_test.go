package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

// creds is a SigV4 key pair, with a session token for role credentials.
type creds struct{ key, secret, token string }

// callAs sends one request signed with c.
func callAs(t *testing.T, c creds, base, service, method, path string, header http.Header, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	sign(req, service, body, c.key, c.secret, c.token)
	return do(t, http.DefaultClient, req)
}

// syncBuffer is a bytes.Buffer safe for the platform's concurrent logging.
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

// sight is what a function of testdata/isolation.yaml reports.
type sight struct {
	Env   map[string]string `json:"env"`
	Tmp   string            `json:"tmp"`
	Cwd   string            `json:"cwd"`
	Files []string          `json:"files"`
	// Read lists the folder the event asked to read, "" when it could not.
	Read string `json:"read"`
}

func look(t *testing.T, c creds, base, function, payload string) sight {
	t.Helper()
	r := callAs(t, c, base, "lambda", http.MethodPost, "/2015-03-31/functions/"+function+"/invocations", nil, []byte(payload))
	var s sight
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" || json.Unmarshal([]byte(r.body), &s) != nil {
		t.Fatalf("Invoke(%s) = %d %s", function, r.status, r.body)
	}
	return s
}

// platformEnv are the variables a function's environment may hold besides
// its own: AWS's (spec lambda §3.1) and the runtime's search paths.
var platformEnv = []string{
	"AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_XRAY_CONTEXT_MISSING", "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT", "LANG", "LC_CTYPE", "LD_LIBRARY_PATH", "PATH",
	"PYTHONPATH", "TMPDIR", "TZ", "_HANDLER", "_X_AMZN_TRACE_ID",
}

// Issue 8 §5: a function's process gets only its own environment — no
// variable of the host's, none of cloudlet's keys — and a temp folder of
// its own; its role's credentials read nothing of cloudlet's state that
// the role is not allowed to; and secrets — a NoEcho parameter, the root
// key, the role's session keys — appear in no log, event or console page.
func TestIsolationAndSecrets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real function processes")
	}
	mark := newMark(t)
	root := creds{key: "AKIARELIABILITYROOT1", secret: "root-secret-" + mark}
	noEcho := "no-echo-" + mark
	t.Setenv("RELIABILITY_HOST_ONLY", "host-"+mark)
	t.Setenv("CLOUDLET_SECRET_ACCESS_KEY", root.secret)
	var log syncBuffer
	data := t.TempDir()
	p := startPlatform(t, platform.Config{DataDir: data, RootAccessKey: root.key, RootSecretKey: root.secret,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := context.Background()
	if err := p.S3.CreateBucket(ctx, "private", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := p.S3.PutObject(ctx, "private", "data", strings.NewReader("private data"), s3.ObjectMeta{}); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("testdata/isolation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st := deploy(t, p, "iso", string(body), map[string]string{"Runtime": pythonRuntime(t), "Mark": mark, "DbPassword": noEcho})
	one, two := output(t, st, "One"), output(t, st, "Two")

	a := look(t, root, p.URL(), one, `{"write": "one-was-here"}`)
	b := look(t, root, p.URL(), two, `{}`)
	role := creds{key: a.Env["AWS_ACCESS_KEY_ID"], secret: a.Env["AWS_SECRET_ACCESS_KEY"], token: a.Env["AWS_SESSION_TOKEN"]}

	t.Run("Environment", func(t *testing.T) {
		for name, value := range a.Env {
			if !slices.Contains(platformEnv, name) && name != "MARK" && name != "OWN" && name != "DB_PASSWORD" && name != "CONN" {
				t.Errorf("function environment has %s=%q, which is neither AWS's nor the function's", name, value)
			}
			if value == root.secret || value == root.key || strings.Contains(value, mark) && name != "MARK" && name != "DB_PASSWORD" && name != "CONN" {
				t.Errorf("function environment has %s=%q: cloudlet's own key or a host value", name, value)
			}
		}
		if a.Env["OWN"] != "one" || b.Env["OWN"] != "two" {
			t.Errorf("OWN = %q and %q, want each function's own", a.Env["OWN"], b.Env["OWN"])
		}
		if !strings.HasPrefix(role.key, "ASIA") || role.secret == "" || role.token == "" {
			t.Errorf("credentials = %q/%q/%q, want the role's temporary ones", role.key, role.secret, role.token)
		}
	})

	// Isolated (namespaces, where the host allows), each environment has
	// AWS's layout: its own /tmp, the code at /var/task, the data
	// directory out of sight. Otherwise each gets a TMPDIR of its own.
	isolated := a.Env["LAMBDA_TASK_ROOT"] == "/var/task"
	t.Logf("functions run isolated: %v", isolated)
	t.Run("TempDir", func(t *testing.T) {
		switch {
		case isolated && (a.Tmp != "/tmp" || b.Tmp != "/tmp"):
			t.Errorf("isolated temp folders = %q and %q, want /tmp", a.Tmp, b.Tmp)
		case !isolated && (a.Tmp == b.Tmp || a.Env["TMPDIR"] != a.Tmp):
			t.Errorf("temp folders = %q and %q (TMPDIR %q), want one of each function's own", a.Tmp, b.Tmp, a.Env["TMPDIR"])
		}
		if !slices.Contains(a.Files, "one-was-here") || slices.Contains(b.Files, "one-was-here") {
			t.Errorf("temp folder listings = %v and %v: one's file must be in one's folder only", a.Files, b.Files)
		}
	})

	t.Run("DataDir", func(t *testing.T) {
		if !isolated {
			t.Skip("functions run without isolation on this host: the data directory is readable on disk, as documented")
		}
		got := look(t, root, p.URL(), one, fmt.Sprintf(`{"read": %q}`, data))
		if got.Read != "" {
			t.Errorf("an isolated function listed the data directory %s: %s", data, got.Read)
		}
	})

	t.Run("RoleCredentials", func(t *testing.T) {
		// The role may write logs (AWSLambdaBasicExecutionRole) and nothing else.
		json11 := func(target string) http.Header {
			return http.Header{"X-Amz-Target": {target}, "Content-Type": {"application/x-amz-json-1.1"}}
		}
		form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		tests := []struct {
			name, service, method, path string
			header                      http.Header
			body                        string
			status                      int
			code                        string
		}{
			{"S3GetObject", "s3", "GET", "/private/data", nil, "", 403, "<Code>AccessDenied</Code>"},
			{"S3ListBuckets", "s3", "GET", "/", nil, "", 403, "<Code>AccessDenied</Code>"},
			{"LambdaGetFunction", "lambda", "GET", "/2015-03-31/functions/" + two, nil, "", 403, "AccessDeniedException"},
			{"LambdaInvokeOther", "lambda", "POST", "/2015-03-31/functions/" + two + "/invocations", nil, "{}", 403, "AccessDeniedException"},
			{"SSMGetParameter", "ssm", "POST", "/", json11("AmazonSSM.GetParameter"), fmt.Sprintf(`{"Name":%q}`, output(t, st, "Setting")), 400, "AccessDeniedException"},
			{"LogsReadOther", "logs", "POST", "/", json11("Logs_20140328.FilterLogEvents"), `{"logGroupName":"/aws/lambda/` + two + `"}`, 400, "AccessDeniedException"},
			{"CloudFormationDescribe", "cloudformation", "POST", "/", form, "Action=DescribeStacks&Version=2010-05-15", 403, "<Code>AccessDenied</Code>"},
			{"IAMListRoles", "iam", "POST", "/", form, "Action=ListRoles&Version=2010-05-08", 403, "<Code>AccessDenied</Code>"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := callAs(t, role, p.URL(), tt.service, tt.method, tt.path, tt.header, []byte(tt.body))
				if r.status != tt.status || !strings.Contains(r.body+r.header.Get("X-Amzn-ErrorType"), tt.code) {
					t.Errorf("%s with the role's credentials = %d %s, want %d %s", tt.name, r.status, r.body, tt.status, tt.code)
				}
			})
		}
		// What the role allows still works: the function's log group has
		// its lines (once the sink has flushed them).
		var r response
		if !eventually(30*time.Second, func() bool {
			r = callAs(t, root, p.URL(), "logs", "POST", "/", json11("Logs_20140328.FilterLogEvents"), []byte(`{"logGroupName":"/aws/lambda/`+one+`"}`))
			return r.status == 200 && strings.Contains(r.body, "looked around")
		}) {
			t.Errorf("FilterLogEvents(/aws/lambda/%s) = %d %.300s, want the function's output", one, r.status, r.body)
		}
	})

	t.Run("Secrets", func(t *testing.T) {
		secrets := map[string]string{"the NoEcho parameter": noEcho, "the root secret key": root.secret,
			"the role's secret key": role.secret, "the role's session token": role.token, "the console token": p.ConsoleToken()}
		leaks := func(where, text string) {
			t.Helper()
			for what, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("%s shows %s", where, what)
				}
			}
		}
		form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		for _, action := range []string{"DescribeStacks", "DescribeStackEvents", "DescribeStackResources", "GetTemplateSummary"} {
			r := callAs(t, root, p.URL(), "cloudformation", "POST", "/", form, []byte("Action="+action+"&StackName=iso&Version=2010-05-15"))
			if r.status != 200 {
				t.Errorf("%s = %d %s", action, r.status, r.body)
			}
			leaks("CloudFormation "+action, r.body)
		}
		var r response
		eventually(30*time.Second, func() bool {
			r = callAs(t, root, p.URL(), "logs", "POST", "/", http.Header{"X-Amz-Target": {"Logs_20140328.FilterLogEvents"},
				"Content-Type": {"application/x-amz-json-1.1"}}, []byte(`{"logGroupName":"/aws/lambda/`+one+`"}`))
			return strings.Contains(r.body, "REPORT RequestId")
		})
		leaks("the function's log group", r.body)
		if strings.Contains(fmt.Sprint(a.Env), p.ConsoleToken()) {
			t.Errorf("the function's environment shows the console token")
		}
		for _, page := range consolePages(t, p.URL(), p.ConsoleToken(), st.ID, one) {
			leaks("console page "+page.path, page.body)
		}
		leaks("cloudlet's own log", log.String())
	})
}

type page struct{ path, body string }

// consolePages fetches every console page that shows something of the
// stack or the function, with the console token.
func consolePages(t *testing.T, base, token, stackID, function string) []page {
	t.Helper()
	paths := []string{"/_cloudlet/", "/_cloudlet/stacks", "/_cloudlet/stacks/" + url.PathEscape(stackID),
		"/_cloudlet/functions", "/_cloudlet/functions/" + function, "/_cloudlet/logs",
		"/_cloudlet/logs/group?name=" + url.QueryEscape("/aws/lambda/"+function), "/_cloudlet/iam/roles", "/_cloudlet/iam/denials",
		"/_cloudlet/metrics"}
	var out []page
	for _, p := range paths {
		req, err := http.NewRequest(http.MethodGet, base+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("console GET %s = %d", p, resp.StatusCode)
		}
		out = append(out, page{p, string(b)})
	}
	return out
}
