package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const cdkApp = `const path = require('path');
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const apigwv2 = require('aws-cdk-lib/aws-apigatewayv2');
const { HttpLambdaIntegration } = require('aws-cdk-lib/aws-apigatewayv2-integrations');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'CdkHello');
const fn = new lambda.Function(stack, 'Hello', {
  runtime: new lambda.Runtime('%s', lambda.RuntimeFamily.PYTHON),
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(__dirname, 'fn')),
});
const api = new apigwv2.HttpApi(stack, 'Api', { defaultIntegration: new HttpLambdaIntegration('Hello', fn) });
new cdk.CfnOutput(stack, 'Url', { value: api.apiEndpoint });
app.synth();
`

const cdkHandler = `import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"hello": "from cdk", "path": event["rawPath"]})}
`

// cdkModules installs aws-cdk and aws-cdk-lib once per machine, in a
// cache outside the repository, and returns its node_modules.
func cdkModules(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed: the CDK test needs it")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the CDK test needs it")
	}
	cache := filepath.Join(os.TempDir(), "cloudlet-test-cdk")
	mods := filepath.Join(cache, "node_modules")
	if _, err := os.Stat(filepath.Join(mods, ".bin", "cdk")); err == nil {
		if _, err := os.Stat(filepath.Join(mods, "aws-cdk-lib")); err == nil {
			return mods
		}
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	npm := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "aws-cdk", "aws-cdk-lib", "constructs")
	npm.Dir = cache
	if out, err := npm.CombinedOutput(); err != nil {
		t.Skipf("npm could not install aws-cdk and aws-cdk-lib (%v): %s", err, out)
	}
	return mods
}

// A CDK app in JavaScript — a Python function behind an HttpApi — is
// synthesized offline with `cdk synth`, deployed with `cloudlet deploy`
// (which publishes its assets to the bootstrap bucket and creates the
// bootstrap version parameter, as cdk deploy and cdk bootstrap would),
// and answers over HTTP.
func TestCDKApp(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs the AWS CDK")
	}
	rt := pythonRuntime(t)
	mods := cdkModules(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "fn"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"app.js": strings.Replace(cdkApp, "%s", rt, 1), "fn/index.py": cdkHandler} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(mods, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	synth := exec.CommandContext(ctx, filepath.Join(mods, ".bin", "cdk"), "synth", "--app", "node app.js", "--output", "cdk.out", "--no-notices", "-q")
	synth.Dir = dir
	synth.Env = append(os.Environ(), "CDK_DISABLE_VERSION_CHECK=1", "CDK_DISABLE_CLI_TELEMETRY=true")
	if out, err := synth.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth: %v\n%s", err, out)
	}
	tmpl := filepath.Join(dir, "cdk.out", "CdkHello.template.json")
	for _, want := range []string{"AWS::CDK::Metadata", "CDKMetadataAvailable", "/cdk-bootstrap/hnb659fds/version", "CheckBootstrapVersion", "cdk-hnb659fds-assets"} {
		if b, _ := os.ReadFile(tmpl); !strings.Contains(string(b), want) {
			t.Fatalf("the synthesized template lacks %q: the test no longer covers it", want)
		}
	}
	if out, errOut, exit := runCLI(t, "validate", tmpl); exit != 0 {
		t.Fatalf("validate: exit %d\n%s%s", exit, out, errOut)
	}
	p := startPlain(t)
	out, errOut, exit := runCLI(t, "deploy", tmpl, "--stack-name", "CdkHello", "--capabilities", "CAPABILITY_IAM", "--endpoint", p.URL())
	if exit != 0 {
		t.Fatalf("deploy: exit %d\n%s\n%s", exit, out, errOut)
	}
	checkInOrder(t, "stdout", out, []string{"Creating the CDK bootstrap parameter /cdk-bootstrap/hnb659fds/version",
		"Publishing CDK asset asset.", "CREATE_COMPLETE AWS::CDK::Metadata CDKMetadata", "CREATE_COMPLETE AWS::Lambda::Function Hello",
		"Successfully deployed stack CdkHello (CREATE_COMPLETE)"})
	m := regexp.MustCompile(`Url\s+http://([a-z0-9]+)\.execute-api\.localhost:\d+`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no Url output in:\n%s", out)
	}
	resp, err := http.Get(p.URL() + "/_aws/execute-api/" + m[1] + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"hello": "from cdk", "path": "/hello"}` {
		t.Errorf("GET /hello = %d %s, want 200 and the function's answer", resp.StatusCode, body)
	}
}
