package awsapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

const roleTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: one role
Parameters:
  Name:
    Type: String
    Default: r1
    AllowedValues: [r1, r2]
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
Outputs:
  RoleArn:
    Value: !GetAtt Role.Arn
    Export:
      Name: !Sub "${AWS::StackName}-role"
`

// TestChangeSetsAndTemplates is `aws cloudformation deploy`'s flow (spec
// cloudformation §10) plus the template inspection calls.
func TestChangeSetsAndTemplates(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := cfn.NewFromConfig(e.cfg())
	vt, err := c.ValidateTemplate(cx, &cfn.ValidateTemplateInput{TemplateBody: aws.String(roleTemplate)})
	if err != nil || aws.ToString(vt.Description) != "one role" || len(vt.Parameters) != 1 || len(vt.Capabilities) != 1 ||
		aws.ToString(vt.CapabilitiesReason) != "The following resource(s) require capabilities: [AWS::IAM::Role]" {
		t.Fatalf("ValidateTemplate = %+v, %v", vt, err)
	}
	_, err = c.ValidateTemplate(cx, &cfn.ValidateTemplateInput{TemplateBody: aws.String("Resources: {}\nBogus: 1\n")})
	if code, msg, _ := apiErr(err); code != "ValidationError" || !strings.HasPrefix(msg, "Template format error") {
		t.Errorf("ValidateTemplate(bad) = %s %q, want a Template format error", code, msg)
	}
	gs, err := c.GetTemplateSummary(cx, &cfn.GetTemplateSummaryInput{TemplateBody: aws.String(roleTemplate)})
	if err != nil || len(gs.ResourceTypes) != 1 || gs.ResourceTypes[0] != "AWS::IAM::Role" || aws.ToString(gs.Version) != "2010-09-09" {
		t.Fatalf("GetTemplateSummary = %+v, %v", gs, err)
	}
	// deploy: DescribeStacks says absent, so CREATE.
	_, err = c.DescribeStacks(cx, &cfn.DescribeStacksInput{StackName: aws.String("app")})
	if _, msg, _ := apiErr(err); msg != "Stack with id app does not exist" {
		t.Fatalf("DescribeStacks(app) = %v", err)
	}
	cs, err := c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String("cs1"),
		ChangeSetType: cfntypes.ChangeSetTypeCreate, TemplateBody: aws.String(roleTemplate), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
	if err != nil {
		t.Fatalf("CreateChangeSet(CREATE): %v", err)
	}
	if err := cfn.NewChangeSetCreateCompleteWaiter(c, func(o *cfn.ChangeSetCreateCompleteWaiterOptions) { o.MinDelay = 10 * time.Millisecond }).
		Wait(cx, &cfn.DescribeChangeSetInput{ChangeSetName: cs.Id}, 10*time.Second); err != nil {
		t.Fatalf("wait change-set-create-complete: %v", err)
	}
	d, err := c.DescribeChangeSet(cx, &cfn.DescribeChangeSetInput{ChangeSetName: aws.String("cs1"), StackName: aws.String("app")})
	if err != nil || len(d.Changes) != 1 || d.Changes[0].ResourceChange.Action != cfntypes.ChangeActionAdd {
		t.Fatalf("DescribeChangeSet = %+v, %v; want one Add", d, err)
	}
	if _, err := c.ExecuteChangeSet(cx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatalf("ExecuteChangeSet: %v", err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(cx, &cfn.DescribeStacksInput{StackName: aws.String("app")}, 30*time.Second); err != nil {
		t.Fatalf("wait stack-create-complete: %v", err)
	}
	ex, err := c.ListExports(cx, &cfn.ListExportsInput{})
	if err != nil || len(ex.Exports) != 1 || aws.ToString(ex.Exports[0].Name) != "app-role" {
		t.Fatalf("ListExports = %+v, %v", ex, err)
	}
	// The same template again: a FAILED change set with AWS's reason.
	cs2, err := c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String("cs2"),
		TemplateBody: aws.String(roleTemplate), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
	if err != nil {
		t.Fatalf("CreateChangeSet(UPDATE, same): %v", err)
	}
	d2, err := c.DescribeChangeSet(cx, &cfn.DescribeChangeSetInput{ChangeSetName: cs2.Id})
	if err != nil || d2.Status != cfntypes.ChangeSetStatusFailed ||
		aws.ToString(d2.StatusReason) != "The submitted information didn't contain changes. Submit different information to create a change set." {
		t.Fatalf("DescribeChangeSet(no changes) = %s %q, %v", d2.Status, aws.ToString(d2.StatusReason), err)
	}
	_, err = c.ExecuteChangeSet(cx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs2.Id})
	if code, _, status := apiErr(err); code != "InvalidChangeSetStatus" || status != 400 {
		t.Errorf("ExecuteChangeSet(FAILED) = %s %d, want InvalidChangeSetStatus 400", code, status)
	}
	if _, err := c.DeleteChangeSet(cx, &cfn.DeleteChangeSetInput{ChangeSetName: cs2.Id}); err != nil {
		t.Fatalf("DeleteChangeSet: %v", err)
	}
	_, err = c.DescribeChangeSet(cx, &cfn.DescribeChangeSetInput{ChangeSetName: aws.String("cs9"), StackName: aws.String("app")})
	if code, msg, status := apiErr(err); code != "ChangeSetNotFound" || status != 404 || msg != "ChangeSet [cs9] does not exist" {
		t.Errorf("DescribeChangeSet(cs9) = %s %d %q", code, status, msg)
	}
	_, err = c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String("cs3"),
		ChangeSetType: cfntypes.ChangeSetTypeCreate, TemplateBody: aws.String(roleTemplate)})
	if _, msg, _ := apiErr(err); msg != "Stack [app] already exists and cannot be created again with the changeSet [cs3]." {
		t.Errorf("CreateChangeSet(CREATE, exists) = %q", msg)
	}
	_, err = c.UpdateStack(cx, &cfn.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
	if code, msg, _ := apiErr(err); code != "ValidationError" || msg != "No updates are to be performed." {
		t.Errorf("UpdateStack(no change) = %s %q", code, msg)
	}
	cs4, err := c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String("cs4"),
		UsePreviousTemplate: aws.Bool(true), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Name"), ParameterValue: aws.String("r2")}}})
	if err != nil {
		t.Fatalf("CreateChangeSet(UPDATE, new parameter): %v", err)
	}
	if _, err := c.ExecuteChangeSet(cx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs4.Id}); err != nil {
		t.Fatalf("ExecuteChangeSet(UPDATE): %v", err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c, func(o *cfn.StackUpdateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	}).
		Wait(cx, &cfn.DescribeStacksInput{StackName: aws.String("app")}, 30*time.Second); err != nil {
		t.Fatalf("wait stack-update-complete: %v", err)
	}
	tp, err := c.UpdateTerminationProtection(cx, &cfn.UpdateTerminationProtectionInput{StackName: aws.String("app"), EnableTerminationProtection: aws.Bool(true)})
	if err != nil || aws.ToString(tp.StackId) != aws.ToString(cs.StackId) {
		t.Fatalf("UpdateTerminationProtection = %v, %v; want the stack's ID", tp, err)
	}
	if ds, err := c.DescribeStacks(cx, &cfn.DescribeStacksInput{StackName: aws.String("app")}); err != nil || !aws.ToBool(ds.Stacks[0].EnableTerminationProtection) {
		t.Errorf("DescribeStacks after UpdateTerminationProtection(true) = %v; want EnableTerminationProtection", err)
	}
	_, err = c.DeleteStack(cx, &cfn.DeleteStackInput{StackName: aws.String("app")})
	if code, msg, status := apiErr(err); code != "ValidationError" || status != 400 || msg != "Stack [app] cannot be deleted while TerminationProtection is enabled" {
		t.Errorf("DeleteStack(protected) = %s %q %d", code, msg, status)
	}
	_, err = c.UpdateTerminationProtection(cx, &cfn.UpdateTerminationProtectionInput{StackName: aws.String("nope"), EnableTerminationProtection: aws.Bool(true)})
	if code, msg, _ := apiErr(err); code != "ValidationError" || msg != "Stack with id nope does not exist" {
		t.Errorf("UpdateTerminationProtection(nope) = %s %q", code, msg)
	}
	if _, err := c.UpdateTerminationProtection(cx, &cfn.UpdateTerminationProtectionInput{StackName: aws.String("app"), EnableTerminationProtection: aws.Bool(false)}); err != nil {
		t.Fatalf("UpdateTerminationProtection(false): %v", err)
	}
	if _, err := c.DeleteStack(cx, &cfn.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Errorf("DeleteStack(unprotected): %v", err)
	}
}

// TestChangeSetNameReuse: the name of a change set that FAILED or was
// executed may be used again (two `aws cloudformation deploy` runs in one
// second name their change sets alike); an executable one's may not.
func TestChangeSetNameReuse(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := cfn.NewFromConfig(e.cfg())
	iamCaps := []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}
	if _, err := c.CreateStack(cx, &cfn.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(roleTemplate), Capabilities: iamCaps}); err != nil {
		t.Fatal(err)
	}
	const name = "awscli-cloudformation-package-deploy-1700000000"
	same, err := c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String(name),
		TemplateBody: aws.String(roleTemplate), Capabilities: iamCaps})
	if err != nil {
		t.Fatalf("CreateChangeSet(no changes): %v", err)
	}
	changed := strings.Replace(roleTemplate, "Default: r1", "Default: r2", 1)
	next, err := c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String(name),
		TemplateBody: aws.String(changed), Capabilities: iamCaps})
	if err != nil || aws.ToString(next.Id) == aws.ToString(same.Id) {
		t.Fatalf("CreateChangeSet(same name, after a FAILED one) = %v, %v; want a new change set", next, err)
	}
	d, err := c.DescribeChangeSet(cx, &cfn.DescribeChangeSetInput{ChangeSetName: aws.String(name), StackName: aws.String("app")})
	if err != nil || d.Status != cfntypes.ChangeSetStatusCreateComplete {
		t.Errorf("DescribeChangeSet(%s) = %v, %v; want the new one, CREATE_COMPLETE", name, d, err)
	}
	_, err = c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String(name),
		TemplateBody: aws.String(changed), Capabilities: iamCaps})
	if code, msg, _ := apiErr(err); code != "AlreadyExistsException" || msg != "ChangeSet ["+name+"] already exists" {
		t.Errorf("CreateChangeSet(same name as an AVAILABLE one) = %s %q, want AlreadyExistsException", code, msg)
	}
	if _, err := c.ExecuteChangeSet(cx, &cfn.ExecuteChangeSetInput{ChangeSetName: next.Id}); err != nil {
		t.Fatalf("ExecuteChangeSet: %v", err)
	}
	again, err := c.CreateChangeSet(cx, &cfn.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String(name),
		TemplateBody: aws.String(roleTemplate), Capabilities: iamCaps})
	if err != nil || aws.ToString(again.Id) == aws.ToString(next.Id) {
		t.Errorf("CreateChangeSet(same name as an executed one) = %v, %v; want a new change set", again, err)
	}
}
