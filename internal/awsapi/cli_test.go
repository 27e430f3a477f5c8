package awsapi_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAWSCLISeed runs the seed README with the real AWS CLI: s3 mb,
// s3 cp --recursive, create-stack --template-url, wait, describe-stacks,
// delete-stack.
func TestAWSCLISeed(t *testing.T) {
	cli, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("needs the AWS CLI (aws) on PATH")
	}
	if testing.Short() {
		t.Skip("starts the AWS CLI several times; skipped with -short")
	}
	e := newEnv(t)
	home := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(cli, append([]string{"--endpoint-url", e.URL, "--region", "us-east-1", "--output", "json"}, args...)...)
		cmd.Dir = seedDir
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "HOME="+home,
			"AWS_CONFIG_FILE="+home+"/none", "AWS_SHARED_CREDENTIALS_FILE="+home+"/none", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("s3", "mb", "s3://my-bucket")
	run("s3", "cp", ".", "s3://my-bucket/fa-005/", "--recursive")
	if ls := run("s3", "ls", "s3://my-bucket/fa-005/"); !strings.Contains(ls, "fa-005-lambda.yaml") {
		t.Errorf("aws s3 ls = %s", ls)
	}
	run("cloudformation", "create-stack", "--stack-name", "fa-005",
		"--template-url", "https://my-bucket.s3.ap-northeast-1.amazonaws.com/fa-005/fa-005.yaml",
		"--parameters", "ParameterKey=TemplateBucketName,ParameterValue=my-bucket", "--capabilities", "CAPABILITY_IAM")
	run("cloudformation", "wait", "stack-create-complete", "--stack-name", "fa-005")
	if out := run("cloudformation", "describe-stacks", "--stack-name", "fa-005"); !strings.Contains(out, `"StackStatus": "CREATE_COMPLETE"`) {
		t.Errorf("describe-stacks = %s", out)
	}
	run("cloudformation", "describe-stack-events", "--stack-name", "fa-005")
	run("cloudformation", "delete-stack", "--stack-name", "fa-005")
	run("cloudformation", "wait", "stack-delete-complete", "--stack-name", "fa-005")
}
