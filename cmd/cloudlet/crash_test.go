package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// crashTemplate makes a role, a log group, a parameter and a function,
// then a custom resource whose function never answers its Create: the
// deploy stays CREATE_IN_PROGRESS until the test kills cloudlet. The
// custom resource is retained (DeletionPolicy Retain), so its rollback
// needs no answer either.
const crashTemplate = `Parameters:
  Marker: {Type: String}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {RetentionInDays: 7}
  Setting:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: on}
  Slow:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: %s
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Timeout: 900
      Environment: {Variables: {MARKER: !Ref Marker}}
      Code:
        ZipFile: |
          import os, time, urllib.request
          def handler(event, context):
              # Tell the test the Create started (over loopback: an
              # isolated environment cannot write the host's files).
              urllib.request.urlopen(os.environ["MARKER"] + "?type=" + event["RequestType"]).read()
              time.sleep(600)
  Waiting:
    Type: Custom::Waiting
    DeletionPolicy: Retain
    DependsOn: [Logs, Setting]
    Properties:
      ServiceToken: !GetAtt Slow.Arn
`

// Crash safety: kill -9 a real cloudlet process in the middle of a deploy,
// start again on the same data directory, and recover: the create is
// rolled back and nothing it made is left behind.
func TestCrashMidDeploy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real cloudlet binary")
	}
	rt := pythonRuntime(t)
	bin := buildBinary(t)
	dir, data := t.TempDir(), t.TempDir()
	started := make(chan struct{}, 1)
	probe := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
	}))
	defer probe.Close()
	marker := probe.URL
	tmpl := filepath.Join(dir, "crash.yaml")
	if err := os.WriteFile(tmpl, []byte(strings.Replace(crashTemplate, "%s", rt, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "up", tmpl, "--port", "0", "--data-dir", data, "--stack-name", "crash", "--param", "Marker="+marker)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	select {
	case <-started:
	case <-time.After(90 * time.Second):
		t.Fatalf("the custom resource's function never started; cloudlet said:\n%s", out.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed = true

	// Restart on the same data directory.
	p, err := platform.New(platform.Config{DataDir: data})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	before, err := p.Stacks.Resources(ctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	made := map[string]string{}
	for _, r := range before {
		made[r.LogicalID] = r.PhysicalID
	}
	if err := p.RecoverStacks(ctx); err != nil {
		t.Fatalf("RecoverStacks = %v", err)
	}
	st, _ := p.Stacks.Describe(ctx, "crash")
	st, _ = p.Stacks.Wait(ctx, st.ID)
	if st.Status != stack.RollbackComplete {
		t.Fatalf("after recovery the stack is %s (%s), want ROLLBACK_COMPLETE", st.Status, st.StatusReason)
	}
	if !strings.Contains(st.StatusReason, "Waiting") {
		t.Errorf("reason = %q, want it to name the interrupted resource", st.StatusReason)
	}
	// Nothing the create made is left.
	if name := made["Slow"]; name != "" {
		if _, err := p.Lambda.GetFunctionConfiguration(ctx, name, ""); awserr.Code(err) != "ResourceNotFoundException" {
			t.Errorf("function %s after recovery: %v, want ResourceNotFoundException", name, err)
		}
	} else {
		t.Errorf("the function was not recorded before the crash: %v", made)
	}
	if name := made["Role"]; name == "" {
		t.Errorf("the role was not recorded before the crash: %v", made)
	} else if _, err := p.IAM.GetRole(ctx, name); awserr.Code(err) != "NoSuchEntity" {
		t.Errorf("role %s after recovery: %v, want NoSuchEntity", name, err)
	}
	if name := made["Setting"]; name == "" {
		t.Errorf("the parameter was not recorded before the crash: %v", made)
	} else if _, err := p.SSM.GetParameter(ctx, name, false); awserr.Code(err) != "ParameterNotFound" {
		t.Errorf("parameter %s after recovery: %v, want ParameterNotFound", name, err)
	}
	if groups, _, _ := p.Logs.DescribeLogGroups(ctx, made["Logs"], "", 0); made["Logs"] == "" || len(groups) != 0 {
		t.Errorf("log group %q after recovery: %v, want it deleted", made["Logs"], groups)
	}
	evs, _ := p.Stacks.Events(ctx, st.ID)
	var text strings.Builder
	for _, ev := range evs {
		text.WriteString(ev.LogicalResourceID + " " + ev.ResourceStatus + " " + ev.ResourceStatusReason + "\n")
	}
	for _, want := range []string{"Waiting DELETE_SKIPPED", "Waiting CREATE_FAILED Resource creation cancelled: cloudlet stopped",
		"Slow DELETE_COMPLETE", "crash ROLLBACK_IN_PROGRESS"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("events lack %q:\n%s", want, text.String())
		}
	}
}

// buildBinary builds cloudlet into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cloudlet")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// pythonRuntime returns an installed python3.X runtime, or skips.
func pythonRuntime(t *testing.T) string {
	t.Helper()
	rts := sandbox.NewRuntimes(nil)
	for m := 13; m >= 8; m-- {
		rt := "python3." + strconv.Itoa(m)
		if _, warning, err := rts.Python(rt); err == nil && warning == "" {
			return rt
		}
	}
	t.Skip("no python3.8..python3.13 interpreter found on PATH or under pyenv")
	return ""
}
