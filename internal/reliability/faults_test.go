package reliability_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

// deployFaults deploys testdata/faults.yaml on p and returns the API's ID
// and the physical name of each function by logical ID. mark tags every
// function's processes (MARK=mark-<logical id, lowercased>).
func deployFaults(t *testing.T, p *platform.Platform, mark string) (string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	boot, err := os.ReadFile("testdata/bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write(boot)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := p.S3.CreateBucket(ctx, "code", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := p.S3.PutObject(ctx, "code", "bootstrap.zip", &buf, s3.ObjectMeta{}); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("testdata/faults.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st := deploy(t, p, "faults", string(body), map[string]string{"Runtime": pythonRuntime(t), "Mark": mark,
		"CodeBucket": "code", "CodeKey": "bootstrap.zip"})
	res, err := p.Stacks.Resources(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, r := range res {
		if r.Type == "AWS::Lambda::Function" {
			names[r.LogicalID] = r.PhysicalID
		}
	}
	return output(t, st, "ApiId"), names
}

// newMark is a fresh value for a test's MARK variables.
func newMark(t *testing.T) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "rel-" + hex.EncodeToString(b)
}

// invocation is what the Lambda Invoke API answered.
type invocation struct {
	status        int
	functionError string
	payload       string
	errorType     string
	errorMessage  string
}

func invoke(t *testing.T, base, function string) invocation {
	t.Helper()
	r := awsCall(t, base, "lambda", http.MethodPost, "/2015-03-31/functions/"+function+"/invocations", nil, []byte(`{}`))
	inv := invocation{status: r.status, functionError: r.header.Get("X-Amz-Function-Error"), payload: r.body}
	var e struct{ ErrorType, ErrorMessage string }
	if json.Unmarshal([]byte(r.body), &e) == nil {
		inv.errorType, inv.errorMessage = e.ErrorType, e.ErrorMessage
	}
	return inv
}

// Issue 8 §2: a function that crashes, exits in init, hangs, forks and
// leaves children, floods stdout, outgrows its memory, returns an
// oversized or non-JSON response, or closes the Runtime API connection
// mid-request: the caller gets AWS's answer (through the HTTP API and
// through Invoke), the platform stays up, no process of a reset
// environment is left, and the next request succeeds.
func TestFunctionFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real function processes for every fault")
	}
	p := startPlatform(t, platform.Config{})
	mark := newMark(t)
	t.Cleanup(func() {
		// After shutdown not one process of any of these functions is left.
		_ = p.Shutdown(context.Background())
		if left := processesWith("MARK=" + mark + "-"); len(left) > 0 {
			killAll(left)
			t.Errorf("after Shutdown processes %v of the test's functions are still running", left)
		}
	})
	apiID, names := deployFaults(t, p, mark)
	const internalError = `{"message":"Internal Server Error"}`
	tests := []struct {
		name, route string
		// status and body through the HTTP API
		status int
		body   string
		// the Invoke API's function error, errorType and a part of the
		// errorMessage (or the whole payload, when no error)
		functionError, errorType, message string
		// warm: the environment survives the fault (AWS keeps it), so its
		// runtime process stays; otherwise every process is gone.
		warm bool
	}{
		{"Crash", "/crash", 500, internalError, "Unhandled", "Runtime.ExitError", "Error: Runtime exited with error: signal: segmentation fault", false},
		{"InitExit", "/initexit", 500, internalError, "Unhandled", "Runtime.ExitError", "Error: Runtime exited with error: exit status 3", false},
		{"Hang", "/hang", 500, internalError, "Unhandled", "Sandbox.Timedout", "Error: Task timed out after 1.00 seconds", false},
		{"Fork", "/fork", 500, internalError, "Unhandled", "Sandbox.Timedout", "Error: Task timed out after 1.00 seconds", false},
		{"Flood", "/flood", 200, "flooded", "", "", `{"statusCode": 200, "body": "flooded"}`, true},
		{"Memory", "/memory", 500, internalError, "Unhandled", "Runtime.ExitError", "Error: Runtime exited with error: signal: killed", false},
		{"Oversized", "/oversized", 500, internalError, "Unhandled", "Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes).", true},
		{"NotJSON", "/notjson", 500, internalError, "", "", "not json {", true},
		{"Cut", "/cut", 500, internalError, "Unhandled", "Runtime.TruncatedResponse", "Response body could not be read in full.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := names[tt.name]
			if r := apiGet(t, http.DefaultClient, p.URL(), apiID, tt.route); r.status != tt.status || r.body != tt.body {
				t.Errorf("GET %s = %d %s, want %d %s", tt.route, r.status, r.body, tt.status, tt.body)
			}
			inv := invoke(t, p.URL(), name)
			switch {
			case inv.status != 200 || inv.functionError != tt.functionError:
				t.Errorf("Invoke(%s) = %d, X-Amz-Function-Error %q, %s; want 200, %q", tt.name, inv.status, inv.functionError, inv.payload, tt.functionError)
			case tt.errorType == "" && inv.payload != tt.message:
				t.Errorf("Invoke(%s) = %s, want %s", tt.name, inv.payload, tt.message)
			case tt.errorType != "" && (inv.errorType != tt.errorType || !strings.Contains(inv.errorMessage, tt.message)):
				t.Errorf("Invoke(%s) = %s, want errorType %s with %q", tt.name, inv.payload, tt.errorType, tt.message)
			}
			own := "MARK=" + mark + "-" + strings.ToLower(tt.name)
			want := 0
			if tt.warm {
				want = 1
			}
			var left []int
			if !eventually(10*time.Second, func() bool { left = processesWith(own); return len(left) <= want }) {
				t.Errorf("after the fault %d processes of %s remain (%v), want %d", len(left), tt.name, left, want)
			}
			if r := apiGet(t, http.DefaultClient, p.URL(), apiID, "/ok"); r.status != 200 || r.body != "ok" {
				t.Errorf("GET /ok after the fault = %d %s, want 200 ok", r.status, r.body)
			}
			if r, err := http.Get(p.URL() + "/_cloudlet/health"); err != nil || r.StatusCode != 200 {
				t.Errorf("health after the fault = %v, %v; want 200", r, err)
			} else {
				r.Body.Close()
			}
		})
	}
}
