package awsapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

const tickHandler = `def handler(event, context):
    print("tick", event["n"])
    return event["n"]
`

// TestAWSLogsTailFollow runs Debian's AWS CLI v2 `aws logs tail --follow`
// against a real cloudlet while a function logs: the CLI polls
// FilterLogEvents (first at once, then every 5 s, from the newest
// timestamp seen, dropping event IDs it has shown), so it must see the
// lines logged before it started and those logged after, each once.
func TestAWSLogsTailFollow(t *testing.T) {
	const cli = "/usr/bin/aws"
	if _, err := os.Stat(cli); err != nil {
		t.Skip("needs Debian's AWS CLI v2 at /usr/bin/aws")
	}
	if _, err := exec.LookPath("python3.11"); err != nil {
		t.Skip("the function needs python3.11 on PATH")
	}
	if testing.Short() {
		t.Skip("follows logs for several seconds; skipped with -short")
	}
	p, err := platform.New(platform.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cx := ctx(t)
	if err := p.Start(cx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	role, err := p.IAM.CreateRole(cx, iam.CreateRoleInput{RoleName: "ticker",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	// Without logs permissions the function's output is dropped, as on AWS.
	if err := p.IAM.AttachRolePolicy(cx, "ticker", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Lambda.CreateFunction(cx, lambda.CreateFunctionInput{FunctionName: "ticker", Runtime: "python3.11", Role: role.ARN,
		Handler: "index.handler", Code: lambda.Code{ZipFile: zipOf(t, map[string]string{"index.py": tickHandler})}}); err != nil {
		t.Fatal(err)
	}
	tick := func(n int) {
		t.Helper()
		payload, _ := json.Marshal(map[string]int{"n": n})
		out, err := p.Lambda.Invoke(cx, lambda.InvokeInput{FunctionName: "ticker", Payload: payload})
		if err != nil || out.FunctionError != "" {
			t.Fatalf("Invoke(%d) = %+v, %v", n, out, err)
		}
	}
	tick(0)
	// Function output reaches the logs service shortly after the
	// invocation, and its store within the flush interval; the group must
	// exist before the CLI's first call, or the CLI stops at once.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := p.Logs.Flush(cx); err != nil {
			t.Fatal(err)
		}
		if gs, _, err := p.Logs.DescribeLogGroups(cx, "/aws/lambda/ticker", "", 0); err == nil && len(gs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the function's log group never appeared")
		}
	}

	home := t.TempDir()
	cmd := exec.Command(cli, "--endpoint-url", p.URL(), "logs", "tail", "/aws/lambda/ticker", "--follow", "--format", "short")
	// PYTHONUNBUFFERED: the CLI is Python, which holds a pipe's output
	// until its buffer fills; a terminal would get each line at once.
	cmd.Env = []string{"PYTHONUNBUFFERED=1", "PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + home + "/none", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/none", "AWS_PAGER="}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var seen []string
	// await reads the CLI's output until a line contains want.
	await := func(want string) {
		t.Helper()
		deadline := time.After(45 * time.Second) // a stuck CLI, not a timing assertion
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("aws logs tail --follow ended before printing %q; printed %q\n%s", want, seen, stderr.String())
				}
				seen = append(seen, l)
				if strings.Contains(l, want) {
					return
				}
			case <-deadline:
				t.Fatalf("aws logs tail --follow never printed %q; printed %q\n%s", want, seen, stderr.String())
			}
		}
	}
	await("tick 0")
	tick(1)
	await("tick 1")
	tick(2)
	await("tick 2")
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	for l := range lines {
		seen = append(seen, l)
	}
	for n := range 3 {
		want := fmt.Sprintf("tick %d", n)
		count := 0
		for _, l := range seen {
			if strings.HasSuffix(l, want) {
				count++
			}
		}
		if count != 1 {
			t.Errorf("aws logs tail --follow printed %q %d times, want once; printed %q", want, count, seen)
		}
	}
}
