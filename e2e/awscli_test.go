package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// clis are the AWS CLIs to drive cloudlet with: the pyenv v1 that comes
// first on this machine's PATH and Debian's v2 (by full path; it ignores
// AWS_ENDPOINT_URL, so every call passes --endpoint-url).
func clis(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	for _, c := range []string{"aws", "/usr/bin/aws"} {
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "--version").CombinedOutput()
		if err != nil {
			continue
		}
		switch v := string(out); {
		case strings.HasPrefix(v, "aws-cli/1."):
			found["v1"] = path
		case strings.HasPrefix(v, "aws-cli/2."):
			found["v2"] = path
		}
	}
	if len(found) == 0 {
		t.Skip("needs the AWS CLI (aws); .ci/run installs Debian's awscli")
	}
	return found
}

// awsCLI runs one CLI against one server.
type awsCLI struct {
	t    *testing.T
	path string
	s    *server
	home string
	dir  string
}

func (c *awsCLI) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(c.path, append([]string{"--endpoint-url", c.s.URL, "--output", "json"}, args...)...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + c.home, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + c.home + "/none", "AWS_SHARED_CREDENTIALS_FILE=" + c.home + "/none",
		"AWS_PAGER=", "PYENV_ROOT=" + os.Getenv("PYENV_ROOT")}
	return cmd
}

// run runs the CLI and fails the test when it fails.
func (c *awsCLI) run(args ...string) string {
	c.t.Helper()
	out, err := c.cmd(args...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// fail runs the CLI, expecting it to fail, and returns its output.
func (c *awsCLI) fail(args ...string) string {
	c.t.Helper()
	out, err := c.cmd(args...).CombinedOutput()
	if err == nil {
		c.t.Fatalf("aws %s succeeded, want a failure:\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

// TestSeedReadmeWithAWSCLI runs the seed README's flow, verbatim except
// for --endpoint-url (and the bucket name, which the README tells its
// readers to set: passed as the TemplateBucketName parameter instead of
// editing the template), with each AWS CLI found.
func TestSeedReadmeWithAWSCLI(t *testing.T) {
	for name, path := range clis(t) {
		t.Run(name, func(t *testing.T) {
			s := serve(t)
			c := &awsCLI{t: t, path: path, s: s, home: t.TempDir(), dir: seedDir(t)}
			c.run("s3", "mb", "s3://my-bucket")
			c.run("s3", "cp", ".", "s3://my-bucket/fa-005/", "--recursive")
			c.run("cloudformation", "create-stack", "--stack-name", "fa-005",
				"--template-url", "https://my-bucket.s3.ap-northeast-1.amazonaws.com/fa-005/fa-005.yaml",
				"--parameters", "ParameterKey=TemplateBucketName,ParameterValue=my-bucket",
				"--capabilities", "CAPABILITY_IAM")
			c.run("cloudformation", "wait", "stack-create-complete", "--stack-name", "fa-005")
			var stacks struct {
				Stacks []struct{ StackStatus string }
			}
			if err := json.Unmarshal([]byte(c.run("cloudformation", "describe-stacks", "--stack-name", "fa-005")), &stacks); err != nil ||
				len(stacks.Stacks) != 1 || stacks.Stacks[0].StackStatus != "CREATE_COMPLETE" {
				t.Fatalf("describe-stacks = %+v, %v", stacks, err)
			}

			var apis struct {
				Items []struct{ ApiId, Name string }
			}
			if err := json.Unmarshal([]byte(c.run("apigatewayv2", "get-apis")), &apis); err != nil || len(apis.Items) != 1 {
				t.Fatalf("get-apis = %+v, %v", apis, err)
			}
			base := s.URL + "/_aws/execute-api/" + apis.Items[0].ApiId + "/"
			if status, body := httpGet(t, base); status != 200 || body != `"Hello form Awstut !"` {
				t.Errorf("curl / = %d %q, want 200 \"Hello form Awstut !\"", status, body)
			}
			if status, body := httpGet(t, base+"nope"); status != 404 || body != `{"message":"Not Found"}` {
				t.Errorf("curl /nope = %d %q, want 404 Not Found", status, body)
			}
			routes := c.run("apigatewayv2", "get-routes", "--api-id", apis.Items[0].ApiId)
			if !strings.Contains(routes, `"RouteKey": "GET /"`) {
				t.Errorf("get-routes = %s", routes)
			}

			outFile := filepath.Join(t.TempDir(), "out.json")
			inv := c.run("lambda", "invoke", "--function-name", "fa-005-function", "--log-type", "Tail", outFile)
			if !strings.Contains(inv, `"StatusCode": 200`) || !strings.Contains(inv, `"LogResult"`) {
				t.Errorf("lambda invoke = %s", inv)
			}
			if b, _ := os.ReadFile(outFile); !strings.Contains(string(b), `"statusCode": 200`) {
				t.Errorf("lambda invoke payload = %s", b)
			}
			// `logs tail` exists in CLI v2 only; v1 reads the same events.
			logsCmd := []string{"logs", "tail", "/aws/lambda/fa-005-function"}
			if name == "v1" {
				logsCmd = []string{"logs", "filter-log-events", "--log-group-name", "/aws/lambda/fa-005-function"}
			}
			if tail := c.run(logsCmd...); !strings.Contains(tail, "START RequestId:") || !strings.Contains(tail, "REPORT RequestId:") {
				t.Errorf("aws %s = %s", strings.Join(logsCmd, " "), tail)
			}

			c.run("cloudformation", "delete-stack", "--stack-name", "fa-005")
			c.run("cloudformation", "wait", "stack-delete-complete", "--stack-name", "fa-005")
			if out := c.fail("cloudformation", "describe-stacks", "--stack-name", "fa-005"); !strings.Contains(out, "Stack with id fa-005 does not exist") {
				t.Errorf("describe-stacks after delete = %s", out)
			}

			// Without --capabilities, AWS refuses a template with IAM roles.
			out := c.fail("cloudformation", "create-stack", "--stack-name", "nocaps",
				"--template-url", "https://my-bucket.s3.ap-northeast-1.amazonaws.com/fa-005/fa-005.yaml",
				"--parameters", "ParameterKey=TemplateBucketName,ParameterValue=my-bucket")
			if !strings.Contains(out, "InsufficientCapabilities") || !strings.Contains(out, "Requires capabilities : [CAPABILITY_IAM]") {
				t.Errorf("create-stack without capabilities = %s", out)
			}
		})
	}
}

// TestCloudFormationDeploy runs `aws cloudformation deploy`: a create, a
// redeploy without changes, then an update.
func TestCloudFormationDeploy(t *testing.T) {
	for name, path := range clis(t) {
		t.Run(name, func(t *testing.T) {
			s := serve(t)
			c := &awsCLI{t: t, path: path, s: s, home: t.TempDir(), dir: seedDir(t)}
			c.run("s3", "mb", "s3://my-bucket")
			c.run("s3", "cp", ".", "s3://my-bucket/fa-005/", "--recursive")
			deploy := []string{"cloudformation", "deploy", "--template-file", "fa-005.yaml", "--stack-name", "fa-005",
				"--capabilities", "CAPABILITY_IAM", "--parameter-overrides", "TemplateBucketName=my-bucket"}
			if out := c.run(deploy...); !strings.Contains(out, "Successfully created/updated stack - fa-005") {
				t.Errorf("deploy (create) = %s", out)
			}
			if out := c.run(append(deploy, "--no-fail-on-empty-changeset")...); !strings.Contains(out, "No changes to deploy. Stack fa-005 is up to date") {
				t.Errorf("deploy (no change) = %s", out)
			}
			if out := c.run(append(deploy, "LambdaArchitecture=x86_64")...); !strings.Contains(out, "Successfully created/updated stack - fa-005") {
				t.Errorf("deploy (update) = %s", out)
			}
			var fn struct{ Architectures []string }
			if err := json.Unmarshal([]byte(c.run("lambda", "get-function-configuration", "--function-name", "fa-005-function")), &fn); err != nil ||
				len(fn.Architectures) != 1 || fn.Architectures[0] != "x86_64" {
				t.Errorf("after the update, the function's architectures = %v, %v; want [x86_64]", fn.Architectures, err)
			}
			var apis struct{ Items []struct{ ApiId string } }
			_ = json.Unmarshal([]byte(c.run("apigatewayv2", "get-apis")), &apis)
			if len(apis.Items) != 1 {
				t.Fatalf("get-apis = %+v", apis)
			}
			if status, body := httpGet(t, s.URL+"/_aws/execute-api/"+apis.Items[0].ApiId+"/"); status != 200 || body != `"Hello form Awstut !"` {
				t.Errorf("after the update, GET / = %d %q", status, body)
			}
		})
	}
}
