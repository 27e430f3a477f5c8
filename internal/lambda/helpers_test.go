package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

const (
	testRole   = "arn:aws:iam::000000000000:role/test"
	testRegion = "us-east-1"
	testAcct   = "000000000000"
)

// runtimes is shared so interpreter lookups are done once per test binary.
var runtimes = sandbox.NewRuntimes(nil)

// python returns the newest python3.X runtime this machine has exactly,
// or skips the test naming what is missing.
func python(t testing.TB) string {
	t.Helper()
	for m := 14; m >= 8; m-- {
		rt := "python3." + strconv.Itoa(m)
		if _, warning, err := runtimes.Python(rt); err == nil && warning == "" {
			return rt
		}
	}
	t.Skip("no python3.8..python3.14 interpreter found on PATH or under pyenv")
	return ""
}

// newService builds a service on a fresh store; it is shut down when the
// test ends.
func newService(t testing.TB, cfg lambda.Config) *lambda.Service {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.DataDir = db, dir
	if cfg.Region == "" {
		cfg.Region, cfg.AccountID = testRegion, testAcct
	}
	if cfg.Runtimes == nil {
		cfg.Runtimes = runtimes
	}
	s, err := lambda.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		db.Close()
	})
	return s
}

// zipOf makes a zip archive of files (name → body).
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pyFunction is a CreateFunction request for a Python handler in app.py.
func pyFunction(t testing.TB, name, source string) lambda.CreateFunctionInput {
	return lambda.CreateFunctionInput{
		FunctionName: name, Runtime: python(t), Role: testRole, Handler: "app.handler",
		Code: lambda.Code{ZipFile: zipOf(t, map[string]string{"app.py": source})},
	}
}

// create creates a function or fails the test.
func create(t testing.TB, s *lambda.Service, in lambda.CreateFunctionInput) *lambda.FunctionConfiguration {
	t.Helper()
	cfg, err := s.CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateFunction(%s): %v", in.FunctionName, err)
	}
	return cfg
}

// invoke runs a synchronous invocation or fails the test.
func invoke(t testing.TB, s *lambda.Service, name, payload string) *lambda.InvokeOutput {
	t.Helper()
	out, err := s.Invoke(context.Background(), lambda.InvokeInput{FunctionName: name, Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("Invoke(%s, %s): %v", name, payload, err)
	}
	return out
}

// awsError returns err's AWS code, status and fields, or fails the test.
func awsError(t testing.TB, err error) *awserr.Error {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error %v is not an *awserr.Error", err)
	}
	return e
}

// waitFor polls cond until it holds; the test's deadline bounds it.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// blocker is Python source for a handler that returns once the file
// named by the event's "gate" exists: a test holds invocations in flight
// without relying on timing.
const blocker = `import os, time
def handler(event, context):
    while not os.path.exists(event["gate"]):
        time.sleep(0.005)
    return "released"
`
