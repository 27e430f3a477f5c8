package awsapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
)

const seedDir = "../../../shared/seed/fa-005"

func fast(o *cfn.StackCreateCompleteWaiterOptions) {
	o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
}

// uploadSeed does the seed README's `aws s3 mb` and `aws s3 cp . s3://my-bucket/fa-005/ --recursive`.
func uploadSeed(t *testing.T, e *env) {
	t.Helper()
	cx := ctx(t)
	c := s3Client(e, true)
	if _, err := c.CreateBucket(cx, &s3sdk.CreateBucketInput{Bucket: aws.String("my-bucket")}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(seedDir, "*"))
	if len(files) == 0 {
		t.Fatalf("no seed files in %s", seedDir)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutObject(cx, &s3sdk.PutObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String("fa-005/" + filepath.Base(f)),
			Body: strings.NewReader(string(b))}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSeedFlow is the seed README through the SDK: upload, create-stack
// --template-url, wait, describe, events, resources, delete, wait.
func TestSeedFlow(t *testing.T) {
	e := newEnv(t)
	uploadSeed(t, e)
	cx := ctx(t)
	c := cfn.NewFromConfig(e.cfg())
	out, err := c.CreateStack(cx, &cfn.CreateStackInput{StackName: aws.String("fa-005"),
		TemplateURL:  aws.String("https://my-bucket.s3.ap-northeast-1.amazonaws.com/fa-005/fa-005.yaml"),
		Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("TemplateBucketName"), ParameterValue: aws.String("my-bucket")}},
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
	if err != nil {
		t.Fatalf("CreateStack: %v", err)
	}
	if !strings.HasPrefix(aws.ToString(out.StackId), "arn:aws:cloudformation:us-east-1:000000000000:stack/fa-005/") {
		t.Errorf("CreateStack StackId = %q", aws.ToString(out.StackId))
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(cx, &cfn.DescribeStacksInput{StackName: aws.String("fa-005")}, 30*time.Second); err != nil {
		evs, _ := c.DescribeStackEvents(cx, &cfn.DescribeStackEventsInput{StackName: aws.String("fa-005")})
		for _, ev := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(ev.LogicalResourceId), ev.ResourceStatus, aws.ToString(ev.ResourceStatusReason))
		}
		t.Fatalf("wait stack-create-complete: %v", err)
	}
	ds, err := c.DescribeStacks(cx, &cfn.DescribeStacksInput{StackName: aws.String("fa-005")})
	if err != nil || len(ds.Stacks) != 1 {
		t.Fatalf("DescribeStacks = %v, %v", ds, err)
	}
	st := ds.Stacks[0]
	if st.StackStatus != cfntypes.StackStatusCreateComplete || st.CreationTime == nil || len(st.Parameters) != 5 {
		t.Errorf("DescribeStacks = %s, created %v, %d parameters; want CREATE_COMPLETE with 5 parameters", st.StackStatus, st.CreationTime, len(st.Parameters))
	}
	all, err := c.DescribeStacks(cx, &cfn.DescribeStacksInput{})
	if err != nil || len(all.Stacks) != 3 {
		t.Errorf("DescribeStacks() = %d stacks, %v; want the root and its 2 nested stacks", len(all.Stacks), err)
	}
	evs, err := c.DescribeStackEvents(cx, &cfn.DescribeStackEventsInput{StackName: aws.String("fa-005")})
	if err != nil || len(evs.StackEvents) == 0 {
		t.Fatalf("DescribeStackEvents = %v, %v", evs, err)
	}
	if first := evs.StackEvents[0]; first.ResourceStatus != cfntypes.ResourceStatusCreateComplete || aws.ToString(first.LogicalResourceId) != "fa-005" {
		t.Errorf("newest event = %s %s, want fa-005 CREATE_COMPLETE", aws.ToString(first.LogicalResourceId), first.ResourceStatus)
	}
	rs, err := c.DescribeStackResources(cx, &cfn.DescribeStackResourcesInput{StackName: aws.String("fa-005")})
	if err != nil || len(rs.StackResources) != 2 {
		t.Fatalf("DescribeStackResources = %v, %v; want 2", rs, err)
	}
	lr, err := c.ListStackResources(cx, &cfn.ListStackResourcesInput{StackName: aws.String("fa-005")})
	if err != nil || len(lr.StackResourceSummaries) != 2 {
		t.Fatalf("ListStackResources = %v, %v; want 2", lr, err)
	}
	one, err := c.DescribeStackResource(cx, &cfn.DescribeStackResourceInput{StackName: aws.String("fa-005"), LogicalResourceId: aws.String("LambdaStack")})
	if err != nil || one.StackResourceDetail.ResourceStatus != cfntypes.ResourceStatusCreateComplete {
		t.Fatalf("DescribeStackResource = %v, %v", one, err)
	}
	_, err = c.DescribeStackResource(cx, &cfn.DescribeStackResourceInput{StackName: aws.String("fa-005"), LogicalResourceId: aws.String("Nope")})
	if code, msg, _ := apiErr(err); code != "ValidationError" || msg != "Resource Nope does not exist for stack fa-005" {
		t.Errorf("DescribeStackResource(Nope) = %s %q", code, msg)
	}
	tpl, err := c.GetTemplate(cx, &cfn.GetTemplateInput{StackName: aws.String("fa-005")})
	if err != nil || !strings.Contains(aws.ToString(tpl.TemplateBody), "LambdaStack") {
		t.Errorf("GetTemplate = %v, %v", tpl, err)
	}
	ls, err := c.ListStacks(cx, &cfn.ListStacksInput{StackStatusFilter: []cfntypes.StackStatus{cfntypes.StackStatusCreateComplete}})
	if err != nil || len(ls.StackSummaries) != 3 {
		t.Errorf("ListStacks(CREATE_COMPLETE) = %v, %v; want 3", ls, err)
	}
	if _, err := c.DeleteStack(cx, &cfn.DeleteStackInput{StackName: aws.String("fa-005")}); err != nil {
		t.Fatalf("DeleteStack: %v", err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c, func(o *cfn.StackDeleteCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	}).Wait(cx, &cfn.DescribeStacksInput{StackName: aws.String(aws.ToString(out.StackId))}, 30*time.Second); err != nil {
		t.Fatalf("wait stack-delete-complete: %v", err)
	}
	_, err = c.DescribeStacks(cx, &cfn.DescribeStacksInput{StackName: aws.String("fa-005")})
	if code, msg, status := apiErr(err); code != "ValidationError" || msg != "Stack with id fa-005 does not exist" || status != 400 {
		t.Errorf("DescribeStacks(deleted) = %s %q %d, want ValidationError \"Stack with id fa-005 does not exist\" 400", code, msg, status)
	}
	_, err = c.DescribeStackEvents(cx, &cfn.DescribeStackEventsInput{StackName: aws.String("nope")})
	if code, msg, _ := apiErr(err); code != "ValidationError" || msg != "Stack [nope] does not exist" {
		t.Errorf("DescribeStackEvents(nope) = %s %q, want \"Stack [nope] does not exist\"", code, msg)
	}
	if _, err := c.DeleteStack(cx, &cfn.DeleteStackInput{StackName: aws.String("nope")}); err != nil {
		t.Errorf("DeleteStack(missing) = %v, want silent success", err)
	}
}
