package console_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// TestPagesWithSeed deploys the seed unmodified and checks that every
// page renders and shows what the user came for.
func TestPagesWithSeed(t *testing.T) {
	p := start(t)
	st := deploySeed(t, p)
	base := p.URL() + "/_cloudlet/"
	apis, err := p.APIs.ListAPIs(context.Background())
	if err != nil || len(apis) != 1 {
		t.Fatalf("ListAPIs = %d APIs, %v; want the seed's one", len(apis), err)
	}
	api := apis[0].APIID
	nested, err := p.Stacks.ListStacks(context.Background())
	if err != nil || len(nested) != 3 {
		t.Fatalf("ListStacks = %d, %v; want 3", len(nested), err)
	}

	tests := []struct {
		name, path string
		want       []string
	}{
		{"overview", "", []string{"fa-005", "CREATE_COMPLETE", "1</b> HTTP APIs", "1</b> functions"}},
		{"stacks", "stacks", []string{`href="/_cloudlet/stacks/` + url.PathEscape(st.ID) + `"`, "nested", "fa-005-LambdaStack-", "fa-005-ApiGatewayStack-"}},
		{"stack", "stacks/" + url.PathEscape(st.ID), []string{"CREATE_COMPLETE", "LambdaArchitecture", "arm64",
			"AWS::CloudFormation::Stack", "Nested stacks", "AWSTemplateFormatVersion", "data-confirm"}},
		{"apis", "apis", []string{"fa-005-HttpApi", api}},
		{"api", "apis/" + api, []string{"GET /", "AWS_PROXY", "2.0", "$default", "fa-005-function", "ApiGatewayRole",
			"execute-api.localhost", "Try it"}},
		{"functions", "functions", []string{"fa-005-function", "python3.8", "arm64"}},
		{"function", "functions/fa-005-function", []string{"index.lambda_handler", "Hello form Awstut !", "arm64 (Graviton)",
			"0.0000133334", "Invoke", "fa-005-LambdaStack-"}},
		{"loggroups", "logs", []string{"Log groups"}},
		{"roles", "iam/roles", []string{"ApiGatewayRole", "FunctionRole"}},
		{"denials", "iam/denials", []string{"Why was this denied?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, base+tt.path)
			if r.status != 200 {
				t.Fatalf("GET %s = %d\n%s", tt.path, r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("GET %s Content-Type = %q, want text/html", tt.path, ct)
			}
			body := html.UnescapeString(r.body)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s does not show %q", tt.path, w)
				}
			}
		})
	}
}

// TestTryIt sends the seed's route through the data plane from the form
// and shows the event the function received and the response.
func TestTryIt(t *testing.T) {
	p := start(t)
	deploySeed(t, p)
	apis, _ := p.APIs.ListAPIs(context.Background())
	u := p.URL() + "/_cloudlet/apis/" + apis[0].APIID + "/try"

	r := post(t, u, url.Values{"stage": {"$default"}, "method": {"GET"}, "path": {"/"}, "query": {"a=1"}, "headers": {"X-Test: yes"}})
	if r.status != 200 {
		t.Fatalf("POST try = %d\n%s", r.status, r.body)
	}
	body := html.UnescapeString(r.body)
	for _, w := range []string{
		`"routeKey": "GET /"`, `"rawQueryString": "a=1"`, `"x-test": "yes"`, `"version": "2.0"`, // the event
		`\"Hello form Awstut !\"`,         // the function's result
		"200 OK", `"Hello form Awstut !"`, // the HTTP response
	} {
		if !strings.Contains(body, w) {
			t.Errorf("try it result does not show %q", w)
		}
	}

	// A path no route matches: API Gateway's 404, and no invocation.
	r = post(t, u, url.Values{"stage": {"$default"}, "method": {"GET"}, "path": {"/nope"}})
	body = html.UnescapeString(r.body)
	if !strings.Contains(body, "404 Not Found") || !strings.Contains(body, `{"message":"Not Found"}`) || !strings.Contains(body, "No function was invoked") {
		t.Errorf("try GET /nope does not show API Gateway's 404:\n%s", body)
	}

	for _, bad := range []url.Values{
		{"stage": {"nope"}, "method": {"GET"}, "path": {"/"}},
		{"stage": {"$default"}, "method": {"G T"}, "path": {"/"}},
		{"stage": {"$default"}, "method": {"GET"}, "path": {"x"}},
		{"stage": {"$default"}, "method": {"GET"}, "path": {"/"}, "headers": {"no colon"}},
	} {
		if r := post(t, u, bad); r.status != 400 {
			t.Errorf("POST try %v = %d, want 400", bad, r.status)
		}
	}
}

// TestInvokeAndTestEvents test-invokes the seed function from its page,
// then saves, loads and deletes a test event.
func TestInvokeAndTestEvents(t *testing.T) {
	p := start(t)
	deploySeed(t, p)
	fn := p.URL() + "/_cloudlet/functions/fa-005-function"

	r := post(t, fn+"/invoke", url.Values{"payload": {`{"key": "value"}`}})
	if r.status != 200 {
		t.Fatalf("POST invoke = %d\n%s", r.status, r.body)
	}
	body := html.UnescapeString(r.body)
	id := regexp.MustCompile(`Request ID</dt><dd><code>([0-9a-f-]{36})</code>`).FindStringSubmatch(body)
	if id == nil {
		t.Fatalf("invoke result shows no request ID:\n%s", body)
	}
	for _, w := range []string{`"statusCode": 200`, `\"Hello form Awstut !\"`, "START RequestId: " + id[1], "REPORT RequestId: " + id[1],
		"cold start", "Live execution environments: <b>1</b>", "1 invocations, 0 errors"} {
		if !strings.Contains(body, w) {
			t.Errorf("invoke result does not show %q", w)
		}
	}
	// The invocation is listed, linked to its log lines.
	inv := regexp.MustCompile(`(?s)<code>` + id[1] + `</code></a></td>.*?</tr>`).FindString(body)
	if inv == "" || !strings.Contains(inv, "cold") || !strings.Contains(inv, "success") || !strings.Contains(inv, " / 128 MB") {
		t.Errorf("recent invocations row for %s = %q, want cold, success, memory", id[1], inv)
	}
	logs := get(t, p.URL()+"/_cloudlet/logs/group?name="+url.QueryEscape("/aws/lambda/fa-005-function")+"&since=all&filter="+url.QueryEscape(`"`+id[1]+`"`))
	if !strings.Contains(logs.body, "REPORT RequestId: "+id[1]) {
		t.Errorf("log search for the request ID does not find its REPORT line")
	}

	// Invalid JSON is Lambda's own error, shown on the page.
	r = post(t, fn+"/invoke", url.Values{"payload": {`{nope`}})
	if !strings.Contains(html.UnescapeString(r.body), "Could not parse request body into json") {
		t.Errorf("invoke with invalid JSON does not show Lambda's error")
	}

	// Saved test events persist in the store.
	r = post(t, fn+"/events", url.Values{"name": {"hello-1"}, "payload": {`{"x": 1}`}})
	if r.status != 303 {
		t.Fatalf("save event = %d\n%s", r.status, r.body)
	}
	r = get(t, fn+"?event=hello-1")
	if !strings.Contains(r.body, "<option selected>hello-1</option>") || !strings.Contains(html.UnescapeString(r.body), `{"x": 1}</textarea>`) {
		t.Errorf("loading event hello-1 does not fill the form")
	}
	if r := post(t, fn+"/events", url.Values{"name": {"bad name!"}, "payload": {`{}`}}); r.status != 400 {
		t.Errorf("save event with a bad name = %d, want 400", r.status)
	}
	if r := post(t, fn+"/events", url.Values{"name": {"x"}, "payload": {`{`}}); r.status != 400 {
		t.Errorf("save event with invalid JSON = %d, want 400", r.status)
	}
	if r := post(t, fn+"/events/delete", url.Values{"event": {"hello-1"}}); r.status != 303 {
		t.Errorf("delete event = %d", r.status)
	}
	if r := get(t, fn); strings.Contains(r.body, "hello-1") {
		t.Errorf("deleted event hello-1 still listed")
	}
}

// TestSecretsMasked checks NoEcho parameters and secret-looking
// environment variables never reach a page.
func TestSecretsMasked(t *testing.T) {
	p := start(t)
	dir := t.TempDir()
	tmpl := dir + "/secret.yaml"
	writeFile(t, tmpl, `Parameters:
  DbPassword:
    Type: String
    NoEcho: true
  Stage:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: secretive
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def handler(event, context):
            return "ok"
      Environment:
        Variables:
          DB_PASSWORD: !Ref DbPassword
          apiKey: k-123456
          GITHUB_TOKEN: ghp_abcdef
          STAGE: !Ref Stage
`)
	st := deploy(t, p, tmpl, "secret", map[string]string{"DbPassword": "hunter2-secret", "Stage": "dev-stage"})
	// The template's own text is shown as written, as AWS shows it; what
	// must not leak is the NoEcho value given at deploy time and, on the
	// function's page, every secret-looking variable.
	for _, tt := range []struct {
		path    string
		secrets []string
	}{
		{"stacks/" + url.PathEscape(st.ID), []string{"hunter2-secret"}},
		{"functions/secretive", []string{"hunter2-secret", "k-123456", "ghp_abcdef"}},
	} {
		path := tt.path
		r := get(t, p.URL()+"/_cloudlet/"+path)
		for _, secret := range tt.secrets {
			if strings.Contains(r.body, secret) {
				t.Errorf("GET %s shows the secret %q", path, secret)
			}
		}
		if !strings.Contains(r.body, "****") {
			t.Errorf("GET %s shows no masked value", path)
		}
	}
	if r := get(t, p.URL()+"/_cloudlet/functions/secretive"); !strings.Contains(r.body, "dev-stage") {
		t.Errorf("function page hides STAGE, which is not a secret")
	}
}

// TestDeleteStack deletes the seed from the console: the form asks for
// confirmation first, then the engine deletes, and the page follows.
func TestDeleteStack(t *testing.T) {
	p := start(t)
	st := deploySeed(t, p)
	u := p.URL() + "/_cloudlet/stacks/" + url.PathEscape(st.ID)

	r := post(t, u+"/delete", url.Values{})
	if r.status != 200 || !strings.Contains(r.body, "Delete stack fa-005?") {
		t.Fatalf("POST delete without confirmation = %d, want the confirmation page\n%s", r.status, r.body)
	}
	if got, _ := p.Stacks.Describe(context.Background(), st.ID); got.Status != stack.CreateComplete {
		t.Fatalf("the stack is %s before confirmation", got.Status)
	}
	r = post(t, u+"/delete", url.Values{"confirm": {"yes"}})
	if r.status != 303 || r.header.Get("Location") != "/_cloudlet/stacks/"+url.PathEscape(st.ID) {
		t.Fatalf("POST delete confirmed = %d %q, want 303 to the stack page", r.status, r.header.Get("Location"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	final, err := p.Stacks.Wait(ctx, st.ID)
	if err != nil || final.Status != stack.DeleteComplete {
		t.Fatalf("after delete: %v, %v; want DELETE_COMPLETE", final, err)
	}
	r = get(t, u)
	if r.status != 200 || !strings.Contains(r.body, "DELETE_COMPLETE") || strings.Contains(r.body, "data-confirm") {
		t.Errorf("deleted stack page = %d, want DELETE_COMPLETE without a delete form", r.status)
	}
	if r := get(t, p.URL()+"/_cloudlet/stacks"); strings.Contains(r.body, ">fa-005<") {
		t.Errorf("the stack list still shows the deleted stack")
	}
	if r := get(t, p.URL()+"/_cloudlet/stacks?deleted=1"); !strings.Contains(r.body, ">fa-005<") {
		t.Errorf("the stack list with deleted stacks does not show it")
	}
}

func TestNotFound(t *testing.T) {
	p := start(t)
	for _, path := range []string{"functions/nope", "apis/nope", "stacks/nope", "iam/roles/nope", "no/such/page",
		"logs/group?name=nope", "logs/stream?group=nope&stream=x"} {
		r := get(t, p.URL()+"/_cloudlet/"+path)
		if r.status != 404 || !strings.Contains(r.body, "404 Not Found") {
			t.Errorf("GET %s = %d, want the 404 page", path, r.status)
		}
	}
	if r := get(t, p.URL()+"/_cloudlet/health"); r.status != 200 || !strings.Contains(r.body, `"status":"ok"`) {
		t.Errorf("health = %d %q: the console must not shadow it", r.status, r.body)
	}
}

// TestCrossSiteFormsRefused: a page on another site cannot make the
// browser delete a stack.
func TestCrossSiteFormsRefused(t *testing.T) {
	p := start(t)
	st := deploySeed(t, p)
	req, _ := newFormRequest(p.URL()+"/_cloudlet/stacks/"+url.PathEscape(st.ID)+"/delete", url.Values{"confirm": {"yes"}})
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("cross-site POST delete = %d, want 403", resp.StatusCode)
	}
	if got, _ := p.Stacks.Describe(context.Background(), st.ID); got.Status != stack.CreateComplete {
		t.Errorf("stack is %s after a cross-site delete", got.Status)
	}
}
