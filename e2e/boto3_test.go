package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// boto3Template is a Python function that lists its own stack's resources
// with boto3, using the credentials of its execution role and the
// AWS_ENDPOINT_URL cloudlet sets. allow decides whether the role's policy
// grants cloudformation:ListStackResources.
func boto3Template(runtime string, allow bool) string {
	action := "cloudformation:ListStackResources"
	if !allow {
		action = "cloudformation:DescribeStacks"
	}
	return fmt.Sprintf(`Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-lister"
      Runtime: %s
      Handler: index.handler
      Timeout: 30
      Role: !GetAtt Role.Arn
      Environment:
        Variables:
          STACK: !Ref AWS::StackName
      Code:
        ZipFile: |
          import os
          import boto3

          def handler(event, context):
              cfn = boto3.client("cloudformation")
              try:
                  out = cfn.list_stack_resources(StackName=os.environ["STACK"])
              except Exception as e:
                  err = getattr(e, "response", {}).get("Error", {})
                  return {"error": err.get("Code"), "message": err.get("Message")}
              return {"resources": sorted(r["LogicalResourceId"] for r in out["StackResourceSummaries"])}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: {Service: lambda.amazonaws.com}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
      Policies:
        - PolicyName: cfn
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: %s
                Resource: "*"
`, runtime, action)
}

// boto3Runtime finds a local Python with boto3 recent enough to honour
// AWS_ENDPOINT_URL (botocore ≥ 1.31) and returns its Lambda runtime name.
func boto3Runtime(t *testing.T) string {
	t.Helper()
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		root = filepath.Join(os.Getenv("HOME"), ".pyenv")
	}
	pythons, _ := filepath.Glob(filepath.Join(root, "versions", "3.*", "bin", "python3"))
	pythons = append(pythons, "/usr/bin/python3")
	for _, py := range pythons {
		out, err := exec.Command(py, "-c", "import sys, botocore; v = tuple(int(x) for x in botocore.__version__.split('.')[:2]); assert v >= (1, 31); print('python%d.%d' % sys.version_info[:2])").Output()
		if err == nil {
			return strings.TrimSpace(string(out))
		}
	}
	t.Skip("needs a local Python with boto3/botocore ≥ 1.31 (the machine image's pyenv Python 3.11 has one)")
	return ""
}

// TestBoto3InsideFunction: a deployed function's SDK calls come back to
// cloudlet with its role's credentials, and IAM decides as on AWS.
func TestBoto3InsideFunction(t *testing.T) {
	runtime := boto3Runtime(t)
	clis := clis(t)
	path := clis["v1"]
	if path == "" {
		path = clis["v2"]
	}
	s := serve(t)
	c := &awsCLI{t: t, path: path, s: s, home: t.TempDir(), dir: t.TempDir()}
	for _, tc := range []struct {
		stack string
		allow bool
	}{{"allowed", true}, {"denied", false}} {
		file := filepath.Join(c.dir, tc.stack+".yaml")
		if err := os.WriteFile(file, []byte(boto3Template(runtime, tc.allow)), 0o644); err != nil {
			t.Fatal(err)
		}
		c.run("cloudformation", "deploy", "--template-file", file, "--stack-name", tc.stack, "--capabilities", "CAPABILITY_IAM")
		out := filepath.Join(c.dir, tc.stack+".json")
		c.run("lambda", "invoke", "--function-name", tc.stack+"-lister", out)
		var got struct {
			Resources      []string
			Error, Message string
		}
		b, _ := os.ReadFile(out)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: invoke payload %s: %v", tc.stack, b, err)
		}
		if tc.allow {
			if strings.Join(got.Resources, ",") != "Fn,Role" {
				t.Errorf("allowed role: list_stack_resources = %s, want [Fn Role]", b)
			}
			continue
		}
		if got.Error != "AccessDenied" || !strings.Contains(got.Message, "is not authorized to perform: cloudformation:ListStackResources") {
			t.Errorf("denied role: list_stack_resources = %s, want AccessDenied naming cloudformation:ListStackResources", b)
		}
	}
}
