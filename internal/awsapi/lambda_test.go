package awsapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const echoHandler = `import json
def handler(event, context):
    print("got", json.dumps(event))
    if event.get("fail"):
        raise ValueError("boom")
    return {"echo": event, "v": 1}
`

func TestLambdaFunctions(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := lambdasdk.NewFromConfig(e.cfg())
	role := "arn:aws:iam::000000000000:role/fn-role"
	created, err := c.CreateFunction(cx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("echo"), Runtime: ltypes.RuntimePython311,
		Role: aws.String(role), Handler: aws.String("index.handler"), Code: &ltypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.py": echoHandler})},
		Environment: &ltypes.Environment{Variables: map[string]string{"A": "1"}}})
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	if aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:echo" || aws.ToInt32(created.Timeout) != 3 {
		t.Errorf("CreateFunction = %s timeout %d", aws.ToString(created.FunctionArn), aws.ToInt32(created.Timeout))
	}
	_, err = c.CreateFunction(cx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("echo"), Runtime: ltypes.RuntimePython311,
		Role: aws.String(role), Handler: aws.String("index.handler"), Code: &ltypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.py": echoHandler})}})
	if code, msg, status := apiErr(err); code != "ResourceConflictException" || status != 409 || msg != "Function already exist: echo" {
		t.Errorf("CreateFunction(dup) = %s %q %d", code, msg, status)
	}
	got, err := c.GetFunction(cx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil || aws.ToString(got.Configuration.Handler) != "index.handler" || got.Configuration.Environment.Variables["A"] != "1" {
		t.Fatalf("GetFunction = %+v, %v", got, err)
	}
	gc, err := c.GetFunctionConfiguration(cx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:echo")})
	if err != nil || aws.ToString(gc.FunctionName) != "echo" {
		t.Fatalf("GetFunctionConfiguration(ARN) = %+v, %v", gc, err)
	}
	lf, err := c.ListFunctions(cx, &lambdasdk.ListFunctionsInput{})
	if err != nil || len(lf.Functions) != 1 {
		t.Fatalf("ListFunctions = %+v, %v", lf, err)
	}
	_, err = c.GetFunction(cx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("nope")})
	if code, msg, status := apiErr(err); code != "ResourceNotFoundException" || status != 404 ||
		msg != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope" { // control plane: unqualified ARN
		t.Errorf("GetFunction(nope) = %s %q %d", code, msg, status)
	}
	perm, err := c.AddPermission(cx, &lambdasdk.AddPermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("apigw"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com")})
	if err != nil || !strings.Contains(aws.ToString(perm.Statement), `"Sid":"apigw"`) {
		t.Fatalf("AddPermission = %v, %v", perm, err)
	}
	pol, err := c.GetPolicy(cx, &lambdasdk.GetPolicyInput{FunctionName: aws.String("echo")})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), "apigateway.amazonaws.com") {
		t.Fatalf("GetPolicy = %v, %v", pol, err)
	}
	if _, err := c.RemovePermission(cx, &lambdasdk.RemovePermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("apigw")}); err != nil {
		t.Fatalf("RemovePermission: %v", err)
	}
	_, err = c.GetPolicy(cx, &lambdasdk.GetPolicyInput{FunctionName: aws.String("echo")})
	if code, msg, _ := apiErr(err); code != "ResourceNotFoundException" || msg != "The resource you requested does not exist." {
		t.Errorf("GetPolicy(empty) = %s %q", code, msg)
	}
	up, err := c.UpdateFunctionCode(cx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("echo"),
		ZipFile: zipOf(t, map[string]string{"index.py": strings.Replace(echoHandler, `"v": 1`, `"v": 2`, 1)})})
	if err != nil || aws.ToString(up.CodeSha256) == aws.ToString(created.CodeSha256) || aws.ToString(up.Handler) != "index.handler" {
		t.Fatalf("UpdateFunctionCode = %+v, %v; want new code, same handler", up, err)
	}
	loc := aws.ToString(got.Code.Location)
	if want := e.URL + "/_cloudlet/api/functions/echo/code?X-Amz-Date="; !strings.HasPrefix(loc, want) || aws.ToString(got.Code.RepositoryType) != "S3" {
		t.Errorf("GetFunction Code = %s %q, want S3 and a presigned link %s… (absolute, on the host the client used)", aws.ToString(got.Code.RepositoryType), loc, want)
	}
	checkLink(t, http.DefaultClient, loc)
	if _, err := exec.LookPath("python3.11"); err != nil {
		t.Skip("invoke needs python3.11 on PATH")
	}
	inv, err := c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"a":1}`), LogType: ltypes.LogTypeTail})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if string(inv.Payload) != `{"echo": {"a": 1}, "v": 2}` || aws.ToString(inv.ExecutedVersion) != "$LATEST" || inv.FunctionError != nil {
		t.Errorf("Invoke = %s version %q error %v", inv.Payload, aws.ToString(inv.ExecutedVersion), inv.FunctionError)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(inv.LogResult))
	if !strings.Contains(string(tail), `got {"a": 1}`) || !strings.Contains(string(tail), "REPORT RequestId:") {
		t.Errorf("Invoke log tail = %q, want the print and the REPORT line", tail)
	}
	bad, err := c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"fail":true}`)})
	if err != nil || aws.ToString(bad.FunctionError) != "Unhandled" || !strings.Contains(string(bad.Payload), `"errorType": "ValueError"`) {
		t.Errorf("Invoke(fail) = %s, %v; want Unhandled ValueError", bad.Payload, err)
	}
	ev, err := c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo"), InvocationType: ltypes.InvocationTypeEvent})
	if err != nil || ev.StatusCode != 202 {
		t.Errorf("Invoke(Event) = %v, %v; want 202", ev, err)
	}
	dry, err := c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo"), InvocationType: ltypes.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("Invoke(DryRun) = %v, %v; want 204", dry, err)
	}
	_, err = c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{nope`)})
	if code, _, status := apiErr(err); code != "InvalidRequestContentException" || status != 400 {
		t.Errorf("Invoke(bad JSON) = %s %d", code, status)
	}
	if _, err := c.DeleteFunction(cx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String("echo")}); err != nil {
		t.Fatalf("DeleteFunction: %v", err)
	}
	_, err = c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo")})
	if code, _, status := apiErr(err); code != "ResourceNotFoundException" || status != 404 {
		t.Errorf("Invoke(deleted) = %s %d", code, status)
	}
}

// TestLambdaCodeLocationHost: download links are on the host the client
// used, whatever endpoint the service was configured with.
func TestLambdaCodeLocationHost(t *testing.T) {
	for _, endpoint := range []string{"", "http://127.0.0.1:4566"} {
		e := newEnvWith(t, envOptions{lambdaEndpoint: endpoint})
		cfg := e.cfg()
		cfg.BaseEndpoint = aws.String("http://cloudlet.example:4566")
		cfg.HTTPClient = loopbackClient(e.URL)
		c := lambdasdk.NewFromConfig(cfg)
		createEcho(t, c, "echo")
		got, err := c.GetFunction(ctx(t), &lambdasdk.GetFunctionInput{FunctionName: aws.String("echo"), Qualifier: aws.String("$LATEST")})
		if err != nil {
			t.Fatal(err)
		}
		loc := aws.ToString(got.Code.Location)
		if want := "http://cloudlet.example:4566/_cloudlet/api/functions/echo/code?Qualifier=%24LATEST&X-Amz-Date="; !strings.HasPrefix(loc, want) {
			t.Errorf("GetFunction(endpoint %q) Code.Location = %q, want %s…", endpoint, loc, want)
		}
		checkLink(t, cfg.HTTPClient.(*http.Client), loc)
	}
}

// checkLink: a download link answers the package, and the same link with
// its signature altered is refused with S3's SignatureDoesNotMatch.
func checkLink(t *testing.T, c *http.Client, link string) {
	t.Helper()
	fetch := func(u string) (int, string, []byte) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	if status, ct, body := fetch(link); status != 200 || ct != "application/zip" || !bytes.HasPrefix(body, []byte("PK")) {
		t.Errorf("GET %s = %d %s %.100q, want 200 application/zip and the package", link, status, ct, body)
	}
	i := strings.Index(link, "X-Amz-Signature=") + len("X-Amz-Signature=")
	flipped := byte('0')
	if link[i] == '0' {
		flipped = '1'
	}
	bad := link[:i] + string(flipped) + link[i+1:]
	if status, _, body := fetch(bad); status != 403 || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("GET %s (signature altered) = %d %s, want 403 SignatureDoesNotMatch", bad, status, body)
	}
}
