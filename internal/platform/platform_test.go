package platform_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/testkit"
)

func seedDir(t *testing.T) string { return testkit.SeedDir(t) }

func start(t *testing.T, dataDir string) *platform.Platform {
	t.Helper()
	return testkit.StartPlatform(t, platform.Config{DataDir: dataDir})
}

func call(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host, ok := strings.CutPrefix(url, "http://"); ok && strings.Contains(host, ".execute-api.localhost") {
		// Resolve *.localhost to loopback without relying on the resolver.
		h, _, _ := strings.Cut(host, "/")
		req.Host = h
		_, port, _ := strings.Cut(h, ":")
		req.URL.Host = "127.0.0.1:" + port
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func deploySeed(t *testing.T, p *platform.Platform) *platform.Endpoint {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := p.Deploy(ctx, platform.DeployInput{TemplatePath: filepath.Join(seedDir(t), "fa-005.yaml"), StackName: "fa-005"})
	if err != nil {
		t.Fatalf("Deploy(seed) = %v", err)
	}
	if res.Stack.Status != stack.CreateComplete {
		t.Fatalf("seed stack status = %s (%s), want CREATE_COMPLETE", res.Stack.Status, res.Stack.StatusReason)
	}
	eps, err := p.Endpoints(ctx, res.Stack.ID)
	if err != nil || len(eps) != 1 || len(eps[0].URLs) != 2 {
		t.Fatalf("Endpoints = %+v, %v; want one API with two URLs", eps, err)
	}
	return &eps[0]
}

// checkSeed asserts the tutorial's observable behaviour over real HTTP.
func checkSeed(t *testing.T, ep *platform.Endpoint) {
	t.Helper()
	for _, base := range ep.URLs {
		if status, body := call(t, "GET", base); status != 200 || body != `"Hello form Awstut !"` {
			t.Errorf("GET %s = %d %q, want 200 %q", base, status, body, `"Hello form Awstut !"`)
		}
		if status, body := call(t, "GET", base+"nope"); status != 404 || body != `{"message":"Not Found"}` {
			t.Errorf("GET %snope = %d %q, want 404 Not Found", base, status, body)
		}
		if status, body := call(t, "POST", base); status != 404 || body != `{"message":"Not Found"}` {
			t.Errorf("POST %s = %d %q, want 404 Not Found", base, status, body)
		}
	}
}

func TestSeedUnmodified(t *testing.T) {
	dataDir := t.TempDir()
	p := start(t, dataDir)
	ep := deploySeed(t, p)
	checkSeed(t, ep)

	// The nested stacks are stacks of their own.
	stacks, err := p.Stacks.ListStacks(context.Background())
	if err != nil || len(stacks) != 3 {
		t.Fatalf("ListStacks = %d stacks, %v; want the parent and two nested stacks", len(stacks), err)
	}

	// Restarting on the same data dir keeps the stack, function and API.
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	p2 := start(t, dataDir)
	st, err := p2.Stacks.Describe(context.Background(), "fa-005")
	if err != nil || st.Status != stack.CreateComplete {
		t.Fatalf("after restart Describe(fa-005) = %+v, %v", st, err)
	}
	eps, err := p2.Endpoints(context.Background(), st.ID)
	if err != nil || len(eps) != 1 {
		t.Fatalf("after restart Endpoints = %+v, %v", eps, err)
	}
	checkSeed(t, &eps[0])

	// Deploying the same template again changes nothing.
	res, err := p2.Deploy(context.Background(), platform.DeployInput{TemplatePath: filepath.Join(seedDir(t), "fa-005.yaml"), StackName: "fa-005"})
	if err != nil || res.Action != "none" {
		t.Errorf("redeploy = %+v, %v; want action none", res, err)
	}
}

func TestSeedLogsGoToLogGroup(t *testing.T) {
	p := start(t, t.TempDir())
	ep := deploySeed(t, p)
	events, cancel := p.Logs.Subscribe("/aws/lambda/fa-005-function", "")
	defer cancel()
	if status, _ := call(t, "GET", ep.URLs[0]); status != 200 {
		t.Fatalf("GET / = %d", status)
	}
	deadline := time.After(10 * time.Second)
	seen := map[string]bool{}
	for !seen["REPORT"] {
		select {
		case ev := <-events:
			for _, w := range []string{"START", "END", "REPORT"} {
				if strings.HasPrefix(ev.Message, w+" RequestId:") {
					seen[w] = true
				}
			}
		case <-deadline:
			t.Fatalf("no START/END/REPORT lines in /aws/lambda/fa-005-function: saw %v", seen)
		}
	}
}

func TestUnsupportedTypesListedBeforeCreate(t *testing.T) {
	p := start(t, t.TempDir())
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "t.yaml")
	os.WriteFile(tmpl, []byte(`Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: 2012-10-17, Statement: []}
  Queue:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
`), 0o644)
	_, err := p.Deploy(context.Background(), platform.DeployInput{TemplatePath: tmpl, StackName: "bad"})
	var ve *stack.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Deploy = %v, want a ValidationError", err)
	}
	if got, want := ve.AWS.Message, "Template format error: Unrecognized resource types: [AWS::SQS::Queue, AWS::DynamoDB::Table]"; got != want {
		t.Errorf("AWS message = %q, want %q", got, want)
	}
	for _, want := range []string{"t.yaml:6:", "Queue", "t.yaml:8:", "Table"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if _, err := p.IAM.GetRole(context.Background(), "bad-Role"); err == nil {
		t.Errorf("a role was created although the template was refused")
	}
	if _, err := p.Stacks.Describe(context.Background(), "bad"); err == nil {
		t.Errorf("the refused stack exists")
	}
}
