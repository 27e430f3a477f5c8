package awsapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
)

const trustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`

func TestIAMRolesAndPolicies(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := iamsdk.NewFromConfig(e.cfg())
	cr, err := c.CreateRole(cx, &iamsdk.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trustAccount),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if aws.ToString(cr.Role.Arn) != "arn:aws:iam::000000000000:role/reader" || !strings.HasPrefix(aws.ToString(cr.Role.RoleId), "AROA") {
		t.Errorf("CreateRole = %s %s", aws.ToString(cr.Role.Arn), aws.ToString(cr.Role.RoleId))
	}
	gr, err := c.GetRole(cx, &iamsdk.GetRoleInput{RoleName: aws.String("reader")})
	if err != nil {
		t.Fatalf("GetRole: %v", err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(gr.Role.AssumeRolePolicyDocument)); doc != trustAccount {
		t.Errorf("GetRole trust policy = %q, want %q", doc, trustAccount)
	}
	_, err = c.GetRole(cx, &iamsdk.GetRoleInput{RoleName: aws.String("nope")})
	if code, _, status := apiErr(err); code != "NoSuchEntity" || status != 404 {
		t.Errorf("GetRole(nope) = %s %d, want NoSuchEntity 404", code, status)
	}
	lr, err := c.ListRoles(cx, &iamsdk.ListRolesInput{})
	if err != nil || len(lr.Roles) != 1 {
		t.Fatalf("ListRoles = %+v, %v", lr, err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudformation:DescribeStacks","sts:GetCallerIdentity"],"Resource":"*"}]}`
	if _, err := c.PutRolePolicy(cx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"), PolicyDocument: aws.String(pol)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	grp, err := c.GetRolePolicy(cx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read")})
	if err != nil {
		t.Fatalf("GetRolePolicy: %v", err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(grp.PolicyDocument)); doc != pol {
		t.Errorf("GetRolePolicy = %q", doc)
	}
	lrp, err := c.ListRolePolicies(cx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String("reader")})
	if err != nil || len(lrp.PolicyNames) != 1 {
		t.Fatalf("ListRolePolicies = %+v, %v", lrp, err)
	}
	managed := "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	if _, err := c.AttachRolePolicy(cx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("reader"), PolicyArn: aws.String(managed)}); err != nil {
		t.Fatalf("AttachRolePolicy: %v", err)
	}
	lap, err := c.ListAttachedRolePolicies(cx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("reader")})
	if err != nil || len(lap.AttachedPolicies) != 1 || aws.ToString(lap.AttachedPolicies[0].PolicyArn) != managed {
		t.Fatalf("ListAttachedRolePolicies = %+v, %v", lap, err)
	}
	gp, err := c.GetPolicy(cx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(managed)})
	if err != nil || aws.ToString(gp.Policy.PolicyName) != "AWSLambdaBasicExecutionRole" {
		t.Fatalf("GetPolicy = %+v, %v", gp, err)
	}
	gv, err := c.GetPolicyVersion(cx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(managed), VersionId: gp.Policy.DefaultVersionId})
	if doc, _ := url.QueryUnescape(aws.ToString(gv.PolicyVersion.Document)); err != nil || !strings.Contains(doc, "logs:PutLogEvents") {
		t.Fatalf("GetPolicyVersion = %q, %v", doc, err)
	}
	cp, err := c.CreatePolicy(cx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(pol)})
	if err != nil || aws.ToString(cp.Policy.Arn) != "arn:aws:iam::000000000000:policy/mine" {
		t.Fatalf("CreatePolicy = %+v, %v", cp, err)
	}
	lp, err := c.ListPolicies(cx, &iamsdk.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	if err != nil || len(lp.Policies) != 1 {
		t.Fatalf("ListPolicies(Local) = %+v, %v", lp, err)
	}
	if _, err := c.DeletePolicy(cx, &iamsdk.DeletePolicyInput{PolicyArn: cp.Policy.Arn}); err != nil {
		t.Fatalf("DeletePolicy: %v", err)
	}

	// The role's session may do what its policy allows, and nothing else.
	sc := stssdk.NewFromConfig(e.cfg())
	who, err := sc.GetCallerIdentity(cx, &stssdk.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::000000000000:root" || aws.ToString(who.Account) != "000000000000" {
		t.Fatalf("GetCallerIdentity(root) = %+v, %v", who, err)
	}
	ar, err := sc.AssumeRole(cx, &stssdk.AssumeRoleInput{RoleArn: cr.Role.Arn, RoleSessionName: aws.String("sess")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	if aws.ToString(ar.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/reader/sess" {
		t.Errorf("AssumeRole user = %s", aws.ToString(ar.AssumedRoleUser.Arn))
	}
	k := []string{aws.ToString(ar.Credentials.AccessKeyId), aws.ToString(ar.Credentials.SecretAccessKey), aws.ToString(ar.Credentials.SessionToken)}
	who, err = stssdk.NewFromConfig(e.cfg(k...)).GetCallerIdentity(cx, &stssdk.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::000000000000:assumed-role/reader/sess" || !strings.HasSuffix(aws.ToString(who.UserId), ":sess") {
		t.Fatalf("GetCallerIdentity(session) = %+v, %v", who, err)
	}
	for name, call := range map[string]func() error{
		"sts": func() error {
			_, err := stssdk.NewFromConfig(e.cfg(k[0], k[1])).GetCallerIdentity(cx, &stssdk.GetCallerIdentityInput{})
			return err
		},
		"lambda": func() error {
			_, err := lambdasdk.NewFromConfig(e.cfg(k[0], k[1])).ListFunctions(cx, &lambdasdk.ListFunctionsInput{})
			return err
		},
		"s3": func() error {
			_, err := s3Client(e, true, k[0], k[1]).ListBuckets(cx, &s3sdk.ListBucketsInput{})
			return err
		},
	} {
		want := map[string]string{"sts": "InvalidClientTokenId", "lambda": "UnrecognizedClientException", "s3": "InvalidAccessKeyId"}[name]
		if code, _, status := apiErr(call()); code != want || status != 403 {
			t.Errorf("%s with the session's keys but no token = %s %d, want %s 403", name, code, status, want)
		}
	}
	if _, err := stssdk.NewFromConfig(e.cfg("test", "test", "any-token")).GetCallerIdentity(cx, &stssdk.GetCallerIdentityInput{}); err != nil {
		t.Errorf("GetCallerIdentity(root keys with a session token) = %v, want the root (any token accepted)", err)
	}
	rc := cfn.NewFromConfig(e.cfg(k...))
	if _, err := rc.DescribeStacks(cx, &cfn.DescribeStacksInput{}); err != nil {
		t.Errorf("DescribeStacks as reader: %v", err)
	}
	_, err = rc.ListStackResources(cx, &cfn.ListStackResourcesInput{StackName: aws.String("s1")})
	wantMsg := "User: arn:aws:sts::000000000000:assumed-role/reader/sess is not authorized to perform: cloudformation:ListStackResources on resource: arn:aws:cloudformation:us-east-1:000000000000:stack/s1/* because no identity-based policy allows the cloudformation:ListStackResources action"
	if code, msg, status := apiErr(err); code != "AccessDenied" || status != 403 || msg != wantMsg {
		t.Errorf("ListStackResources as reader = %s %d %q, want AccessDenied 403 %q", code, status, msg, wantMsg)
	}
	_, err = s3Client(e, true, k...).ListBuckets(cx, &s3sdk.ListBucketsInput{})
	if code, _, status := apiErr(err); code != "AccessDenied" || status != 403 {
		t.Errorf("ListBuckets as reader = %s %d, want AccessDenied 403", code, status)
	}
	_, err = lambdasdk.NewFromConfig(e.cfg(k...)).ListFunctions(cx, &lambdasdk.ListFunctionsInput{})
	if code, msg, status := apiErr(err); code != "AccessDeniedException" || status != 403 || !strings.Contains(msg, "lambda:ListFunctions") {
		t.Errorf("ListFunctions as reader = %s %d %q, want AccessDeniedException 403", code, status, msg)
	}
	_, err = sc.AssumeRole(cx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/nope"), RoleSessionName: aws.String("sess")})
	if code, _, status := apiErr(err); code != "AccessDenied" || status != 403 {
		t.Errorf("AssumeRole(nope) = %s %d, want AccessDenied 403", code, status)
	}

	if _, err := c.DetachRolePolicy(cx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("reader"), PolicyArn: aws.String(managed)}); err != nil {
		t.Fatalf("DetachRolePolicy: %v", err)
	}
	if _, err := c.DeleteRolePolicy(cx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read")}); err != nil {
		t.Fatalf("DeleteRolePolicy: %v", err)
	}
	if _, err := c.DeleteRole(cx, &iamsdk.DeleteRoleInput{RoleName: aws.String("reader")}); err != nil {
		t.Fatalf("DeleteRole: %v", err)
	}
}
