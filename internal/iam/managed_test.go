package iam_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

const s3Read = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`

func TestAWSManagedCatalog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Every policy the brief names, at the path AWS keeps it.
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		"arn:aws:iam::aws:policy/AWSLambdaExecute",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
		"arn:aws:iam::aws:policy/AdministratorAccess",
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::aws:policy/PowerUserAccess",
		"arn:aws:iam::aws:policy/AmazonS3FullAccess",
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
		"arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
		"arn:aws:iam::aws:policy/AWSCloudFormationReadOnlyAccess",
		"arn:aws:iam::aws:policy/AWSCloudFormationFullAccess",
		"arn:aws:iam::aws:policy/AWSLambda_FullAccess",
		"arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess",
		"arn:aws:iam::aws:policy/AmazonAPIGatewayInvokeFullAccess",
		"arn:aws:iam::aws:policy/AmazonAPIGatewayAdministrator",
		"arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
		"arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
	} {
		p, err := e.svc.GetPolicy(ctx, arn)
		if err != nil {
			t.Errorf("GetPolicy(%s) = %v", arn, err)
			continue
		}
		if p.ARN != arn || !strings.HasPrefix(p.PolicyID, "ANPA") || !p.IsAttachable || p.DefaultVersionID == "" {
			t.Errorf("GetPolicy(%s) = %+v", arn, p)
		}
		if _, err := e.svc.GetPolicyVersion(ctx, arn, p.DefaultVersionID); err != nil {
			t.Errorf("GetPolicyVersion(%s, %s) = %v", arn, p.DefaultVersionID, err)
		}
	}
	v, err := e.svc.GetPolicyVersion(ctx, basicExecution, "v1")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{`"logs:CreateLogGroup"`, `"logs:CreateLogStream"`, `"logs:PutLogEvents"`, `"Resource": "*"`} {
		if !strings.Contains(v.Document, a) {
			t.Errorf("AWSLambdaBasicExecutionRole document lacks %s:\n%s", a, v.Document)
		}
	}
	_, err = e.svc.GetPolicyVersion(ctx, basicExecution, "v2")
	checkErr(t, "GetPolicyVersion(v2)", err, "NoSuchEntity", 404, "Policy "+basicExecution+" version v2 does not exist or is not attachable.")
	e.createRole("r", "/", lambdaTrust)
	checkErr(t, "AttachRolePolicy(unknown)", e.svc.AttachRolePolicy(ctx, "r", "arn:aws:iam::aws:policy/X"),
		"NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/X does not exist or is not attachable.")
	checkErr(t, "DeletePolicy(AWS)", e.svc.DeletePolicy(ctx, basicExecution), "AccessDenied", 403,
		"User: arn:aws:iam::000000000000:root is not authorized to perform: iam:DeletePolicy on resource: policy "+basicExecution)
}

// TestCatalogPolicies checks a few documents do what their names promise.
func TestCatalogPolicies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		policy, action, resource string
		want                     bool
	}{
		{"AdministratorAccess", "iam:CreateRole", "arn:aws:iam::000000000000:role/x", true},
		{"ReadOnlyAccess", "lambda:GetFunction", seedFunctionARN, true},
		{"ReadOnlyAccess", "lambda:InvokeFunction", seedFunctionARN, false},
		{"PowerUserAccess", "lambda:CreateFunction", seedFunctionARN, true},
		{"PowerUserAccess", "iam:CreateRole", "arn:aws:iam::000000000000:role/x", false},
		{"PowerUserAccess", "iam:ListRoles", "*", true},
		{"AmazonS3ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k", true},
		{"AmazonS3ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::b/k", false},
		{"AWSLambda_ReadOnlyAccess", "logs:GetLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f", true},
		{"AWSLambda_ReadOnlyAccess", "logs:GetLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/other", false},
		{"AmazonAPIGatewayInvokeFullAccess", "execute-api:Invoke", "arn:aws:execute-api:us-east-1:000000000000:abc/$default/GET/", true},
		{"AmazonAPIGatewayAdministrator", "apigateway:POST", "arn:aws:apigateway:us-east-1::/apis", true},
	}
	for i, tt := range tests {
		name := "r" + string(rune('a'+i))
		role := e.createRole(name, "/", lambdaTrust)
		if err := e.svc.AttachRolePolicy(ctx, name, "arn:aws:iam::aws:policy/"+tt.policy); err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.Authorize(ctx, iam.Request{Principal: iam.Principal{Kind: iam.KindRole, ARN: role.ARN}, Action: tt.action, Resource: tt.resource})
		if err != nil || d.Allowed != tt.want {
			t.Errorf("%s: Authorize(%s on %s) = %v (%s), %v; want %v", tt.policy, tt.action, tt.resource, d.Allowed, d.Reason, err, tt.want)
		}
	}
}

var policyIDRE = regexp.MustCompile(`^ANPA[A-Z0-9]{17}$`)

func TestCustomerManagedPolicy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, err := e.svc.CreatePolicy(ctx, iam.CreatePolicyInput{PolicyName: "app-read", Path: "/app/", PolicyDocument: s3Read, Description: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if !policyIDRE.MatchString(p.PolicyID) {
		t.Errorf("PolicyID = %q", p.PolicyID)
	}
	want := &iam.Policy{PolicyName: "app-read", PolicyID: p.PolicyID, ARN: "arn:aws:iam::000000000000:policy/app/app-read", Path: "/app/",
		DefaultVersionID: "v1", IsAttachable: true, Description: "d", CreateDate: e.clock.Now(), UpdateDate: e.clock.Now()}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("CreatePolicy (-want +got):\n%s", diff)
	}
	_, err = e.svc.CreatePolicy(ctx, iam.CreatePolicyInput{PolicyName: "APP-READ", PolicyDocument: s3Read})
	checkErr(t, "CreatePolicy(duplicate)", err, "EntityAlreadyExists", 409, "A policy called APP-READ already exists. Duplicate names are not allowed.")
	_, err = e.svc.CreatePolicy(ctx, iam.CreatePolicyInput{PolicyName: "bad", PolicyDocument: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`})
	checkErr(t, "CreatePolicy(principal)", err, "MalformedPolicyDocument", 400, "Policy document should not specify a principal.")
	_, err = e.svc.CreatePolicy(ctx, iam.CreatePolicyInput{PolicyName: "big", PolicyDocument: `{"Version":"2012-10-17","Statement":{"Sid":"` + strings.Repeat("x", 6144) + `","Effect":"Allow","Action":"s3:*","Resource":"*"}}`})
	checkErr(t, "CreatePolicy(too big)", err, "LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144")
	_, err = e.svc.GetPolicy(ctx, "arn:aws:iam::000000000000:policy/app-read")
	checkErr(t, "GetPolicy(wrong path)", err, "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/app-read was not found.")

	// Versions: the role follows the default version.
	role := e.createRole("r", "/", lambdaTrust)
	if err := e.svc.AttachRolePolicy(ctx, "r", p.ARN); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AttachRolePolicy(ctx, "r", p.ARN); err != nil {
		t.Errorf("AttachRolePolicy(again) = %v, want nil", err)
	}
	put := iam.Request{Principal: iam.Principal{Kind: iam.KindRole, ARN: role.ARN}, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}
	if d, _ := e.svc.Authorize(ctx, put); d.Allowed {
		t.Errorf("Authorize(put, v1) allowed")
	}
	v2, err := e.svc.CreatePolicyVersion(ctx, p.ARN, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, true)
	if err != nil || v2.VersionID != "v2" || !v2.IsDefaultVersion {
		t.Fatalf("CreatePolicyVersion = %+v, %v", v2, err)
	}
	if d, _ := e.svc.Authorize(ctx, put); !d.Allowed {
		t.Errorf("Authorize(put, v2) = %s, want allowed", d.Reason)
	}
	checkErr(t, "DeletePolicy(attached)", e.svc.DeletePolicy(ctx, p.ARN), "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	checkErr(t, "DeletePolicyVersion(default)", e.svc.DeletePolicyVersion(ctx, p.ARN, "v2"), "DeleteConflict", 409, "Cannot delete the default version of a policy.")
	if err := e.svc.SetDefaultPolicyVersion(ctx, p.ARN, "v1"); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.svc.Authorize(ctx, put); d.Allowed {
		t.Errorf("Authorize(put, back to v1) allowed")
	}
	for i := 3; i <= 5; i++ {
		if _, err := e.svc.CreatePolicyVersion(ctx, p.ARN, s3Read, false); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.svc.CreatePolicyVersion(ctx, p.ARN, s3Read, false)
	checkErr(t, "CreatePolicyVersion(6th)", err, "LimitExceeded", 409, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	versions, _ := e.svc.ListPolicyVersions(ctx, p.ARN)
	var ids []string
	for _, v := range versions {
		ids = append(ids, v.VersionID)
	}
	if diff := cmp.Diff([]string{"v5", "v4", "v3", "v2", "v1"}, ids); diff != "" {
		t.Errorf("ListPolicyVersions (-want +got):\n%s", diff)
	}
	if err := e.svc.DetachRolePolicy(ctx, "r", p.ARN); err != nil {
		t.Fatal(err)
	}
	checkErr(t, "DetachRolePolicy(again)", e.svc.DetachRolePolicy(ctx, "r", p.ARN), "NoSuchEntity", 404, "Policy "+p.ARN+" was not found.")
	checkErr(t, "DeletePolicy(versions left)", e.svc.DeletePolicy(ctx, p.ARN), "DeleteConflict", 409,
		"This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v2", "v3", "v4", "v5"} {
		if err := e.svc.DeletePolicyVersion(ctx, p.ARN, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.DeletePolicy(ctx, p.ARN); err != nil {
		t.Fatalf("DeletePolicy = %v", err)
	}
	_, err = e.svc.GetPolicy(ctx, p.ARN)
	checkErr(t, "GetPolicy(deleted)", err, "NoSuchEntity", 404, "Policy "+p.ARN+" was not found.")
}

func TestListPolicies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, n := range []string{"zeta", "alpha"} {
		if _, err := e.svc.CreatePolicy(ctx, iam.CreatePolicyInput{PolicyName: n, PolicyDocument: s3Read}); err != nil {
			t.Fatal(err)
		}
	}
	e.createRole("r", "/", lambdaTrust)
	if err := e.svc.AttachRolePolicy(ctx, "r", basicExecution); err != nil {
		t.Fatal(err)
	}
	names := func(in iam.ListPoliciesInput) []string {
		t.Helper()
		out, err := e.svc.ListPolicies(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, p := range out.Policies {
			n = append(n, p.PolicyName)
		}
		return n
	}
	if diff := cmp.Diff([]string{"alpha", "zeta"}, names(iam.ListPoliciesInput{Scope: "Local"})); diff != "" {
		t.Errorf("ListPolicies(Local) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"AWSLambdaBasicExecutionRole"}, names(iam.ListPoliciesInput{OnlyAttached: true})); diff != "" {
		t.Errorf("ListPolicies(OnlyAttached) (-want +got):\n%s", diff)
	}
	if got := names(iam.ListPoliciesInput{Scope: "AWS", PathPrefix: "/service-role/"}); len(got) != 3 {
		t.Errorf("ListPolicies(AWS, /service-role/) = %v, want the 3 Lambda service-role policies", got)
	}
	all := names(iam.ListPoliciesInput{})
	var paged []string
	in := iam.ListPoliciesInput{MaxItems: 4}
	for {
		out, err := e.svc.ListPolicies(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.Policies {
			paged = append(paged, p.PolicyName)
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	if len(all) != 20 {
		t.Errorf("ListPolicies() = %d policies, want 18 AWS + 2 local", len(all))
	}
	if diff := cmp.Diff(all, paged); diff != "" {
		t.Errorf("ListPolicies paged (-want +got):\n%s", diff)
	}
	_, err := e.svc.ListPolicies(ctx, iam.ListPoliciesInput{Scope: "Mine"})
	checkErr(t, "ListPolicies(Scope Mine)", err, "ValidationError", 400,
		"1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]")
}

func TestInlinePolicies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.createRole("r", "/", lambdaTrust)
	for _, n := range []string{"b", "a"} {
		if err := e.svc.PutRolePolicy(ctx, "r", n, s3Read); err != nil {
			t.Fatal(err)
		}
	}
	names, err := e.svc.ListRolePolicies(ctx, "r")
	if err != nil || strings.Join(names, ",") != "a,b" {
		t.Errorf("ListRolePolicies = %v, %v; want [a b]", names, err)
	}
	got, err := e.svc.GetRolePolicy(ctx, "R", "a")
	if err != nil || *got != (iam.RolePolicy{RoleName: "r", PolicyName: "a", PolicyDocument: s3Read}) {
		t.Errorf("GetRolePolicy = %+v, %v", got, err)
	}
	_, err = e.svc.GetRolePolicy(ctx, "r", "zz")
	checkErr(t, "GetRolePolicy(missing)", err, "NoSuchEntity", 404, "The role policy with name zz cannot be found.")
	checkErr(t, "DeleteRolePolicy(missing)", e.svc.DeleteRolePolicy(ctx, "r", "zz"), "NoSuchEntity", 404, "The role policy with name zz cannot be found.")
	checkErr(t, "PutRolePolicy(no version)", e.svc.PutRolePolicy(ctx, "r", "c", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`),
		"MalformedPolicyDocument", 400, "Policy document must be version 2012-10-17 or greater.")
	checkErr(t, "PutRolePolicy(bad name)", e.svc.PutRolePolicy(ctx, "r", "a/b", s3Read), "ValidationError", 400,
		`1 validation error detected: Value 'a/b' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	big := `{"Version":"2012-10-17","Statement":{"Sid":"` + strings.Repeat("x", 5000) + `","Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	if err := e.svc.PutRolePolicy(ctx, "r", "big1", big); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.PutRolePolicy(ctx, "r", "big1", big); err != nil {
		t.Errorf("PutRolePolicy(replace same) = %v; a replaced policy does not count twice", err)
	}
	checkErr(t, "PutRolePolicy(over quota)", e.svc.PutRolePolicy(ctx, "r", "big2", big), "LimitExceeded", 409, "Maximum policy size of 10240 bytes exceeded for role r")
}

func TestAttachLimit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.createRole("r", "/", lambdaTrust)
	out, err := e.svc.ListPolicies(ctx, iam.ListPoliciesInput{Scope: "AWS"})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range out.Policies[:11] {
		err := e.svc.AttachRolePolicy(ctx, "r", p.ARN)
		if i < 10 && err != nil {
			t.Fatalf("AttachRolePolicy #%d = %v", i+1, err)
		}
		if i == 10 {
			checkErr(t, "AttachRolePolicy(11th)", err, "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10")
		}
	}
}
