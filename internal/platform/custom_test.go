package platform_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// customTemplate has a Lambda-backed custom resource whose function PUTs
// its answer to the ResponseURL, as cfn-response does; status is its
// answer to Create (other requests succeed, so a rollback can delete it).
func customTemplate(status string) string {
	return "Resources:\n" + role + `  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Runtime: python3.12
      Handler: index.handler
      Timeout: 10
      Code:
        ZipFile: |
          import json, urllib.request
          def handler(event, context):
              body = json.dumps({
                  "Status": "` + status + `" if event["RequestType"] == "Create" else "SUCCESS",
                  "Reason": "the function said no",
                  "PhysicalResourceId": "greeter-" + event["LogicalResourceId"],
                  "StackId": event["StackId"], "RequestId": event["RequestId"],
                  "LogicalResourceId": event["LogicalResourceId"],
                  "Data": {"Greeting": "hello " + event["ResourceProperties"]["Name"] + " (" + event["RequestType"] + ")"},
              }).encode()
              req = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
              urllib.request.urlopen(req).read()
  Greeter:
    Type: Custom::Greeter
    Properties:
      ServiceToken: !GetAtt Fn.Arn
      Name: cloudlet
Outputs:
  Greeting:
    Value: !GetAtt Greeter.Greeting
`
}

func TestCustomResourceOverTheListener(t *testing.T) {
	p := start(t, t.TempDir())
	dir := writeFiles(t, map[string]string{"ok.yaml": customTemplate("SUCCESS"), "no.yaml": customTemplate("FAILED")})
	res, err := p.Deploy(context.Background(), platform.DeployInput{TemplatePath: filepath.Join(dir, "ok.yaml"), StackName: "ok"})
	if err != nil {
		t.Fatalf("Deploy = %v", err)
	}
	if len(res.Stack.Outputs) != 1 || res.Stack.Outputs[0].Value != "hello cloudlet (Create)" {
		t.Errorf("outputs = %+v, want Greeting = hello cloudlet (Create)", res.Stack.Outputs)
	}

	_, err = p.Deploy(context.Background(), platform.DeployInput{TemplatePath: filepath.Join(dir, "no.yaml"), StackName: "no"})
	var oe *stack.OperationError
	if !errors.As(err, &oe) || oe.Status != stack.RollbackComplete || !strings.Contains(err.Error(), "the function said no") {
		t.Errorf("Deploy(FAILED answer) = %v, want ROLLBACK_COMPLETE with the function's reason", err)
	}
}
