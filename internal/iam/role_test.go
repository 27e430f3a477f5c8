package iam_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

var roleIDRE = regexp.MustCompile(`^AROA[A-Z0-9]{17}$`)

func TestCreateRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r, err := e.svc.CreateRole(ctx, iam.CreateRoleInput{
		RoleName:                 "fa-005-FunctionRole-ABC",
		Path:                     "/service-role/",
		AssumeRolePolicyDocument: lambdaTrust,
		Description:              "seed",
		Tags:                     []iam.Tag{{Key: "k", Value: "v"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !roleIDRE.MatchString(r.RoleID) {
		t.Errorf("RoleID = %q, want AROA and 17 upper-case characters", r.RoleID)
	}
	want := &iam.Role{
		Path:                     "/service-role/",
		RoleName:                 "fa-005-FunctionRole-ABC",
		RoleID:                   r.RoleID,
		ARN:                      "arn:aws:iam::000000000000:role/service-role/fa-005-FunctionRole-ABC",
		CreateDate:               e.clock.Now(),
		AssumeRolePolicyDocument: lambdaTrust,
		Description:              "seed",
		MaxSessionDuration:       3600,
		Tags:                     []iam.Tag{{Key: "k", Value: "v"}},
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("CreateRole (-want +got):\n%s", diff)
	}
	got, err := e.svc.GetRole(ctx, "FA-005-functionrole-abc")
	if err != nil {
		t.Fatalf("GetRole(other case) = %v; IAM names ignore case", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetRole (-want +got):\n%s", diff)
	}
	// Default path.
	if r := e.createRole("plain", "", lambdaTrust); r.Path != "/" || r.ARN != "arn:aws:iam::000000000000:role/plain" {
		t.Errorf("CreateRole(no path) = %q %q, want / and arn:aws:iam::000000000000:role/plain", r.Path, r.ARN)
	}
}

func TestCreateRoleErrors(t *testing.T) {
	e := newEnv(t)
	e.createRole("taken", "/", lambdaTrust)
	long := strings.Repeat("a", 65)
	tests := []struct {
		name   string
		in     iam.CreateRoleInput
		code   string
		status int
		msg    string
	}{
		{"exists", iam.CreateRoleInput{RoleName: "taken", AssumeRolePolicyDocument: lambdaTrust}, "EntityAlreadyExists", 409, "Role with name taken already exists."},
		{"exists_other_case", iam.CreateRoleInput{RoleName: "TAKEN", AssumeRolePolicyDocument: lambdaTrust}, "EntityAlreadyExists", 409, "Role with name TAKEN already exists."},
		{"name_too_long", iam.CreateRoleInput{RoleName: long, AssumeRolePolicyDocument: lambdaTrust}, "ValidationError", 400,
			"1 validation error detected: Value '" + long + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"name_bad_chars", iam.CreateRoleInput{RoleName: "a b", AssumeRolePolicyDocument: lambdaTrust}, "ValidationError", 400,
			`1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"path_without_slashes", iam.CreateRoleInput{RoleName: "r", Path: "x", AssumeRolePolicyDocument: lambdaTrust}, "ValidationError", 400,
			`1 validation error detected: Value 'x' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
		{"session_too_short", iam.CreateRoleInput{RoleName: "r", MaxSessionDuration: 60, AssumeRolePolicyDocument: lambdaTrust}, "ValidationError", 400,
			"1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"session_too_long", iam.CreateRoleInput{RoleName: "r", MaxSessionDuration: 43201, AssumeRolePolicyDocument: lambdaTrust}, "ValidationError", 400,
			"1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"no_trust", iam.CreateRoleInput{RoleName: "r"}, "ValidationError", 400,
			"1 validation error detected: Value '' at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"trust_not_json", iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: "{"}, "MalformedPolicyDocument", 400, "Syntax errors in policy."},
		{"trust_with_resource", iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`},
			"MalformedPolicyDocument", 400, "Has prohibited field Resource"},
		{"trust_without_principal", iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`},
			"MalformedPolicyDocument", 400, "Missing required field Principal"},
		{"trust_too_big", iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 2048) + `","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`},
			"LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048"},
		{"unknown_boundary", iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: lambdaTrust, PermissionsBoundary: "arn:aws:iam::aws:policy/Nope"},
			"NoSuchEntity", 404, "Scope ARN: arn:aws:iam::aws:policy/Nope does not exist or is not attachable."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.CreateRole(context.Background(), tt.in)
			checkErr(t, "CreateRole("+tt.in.RoleName+")", err, tt.code, tt.status, tt.msg)
		})
	}
}

func TestRoleNotFound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const msg = "The role with name ghost cannot be found."
	_, err := e.svc.GetRole(ctx, "ghost")
	checkErr(t, "GetRole", err, "NoSuchEntity", 404, msg)
	checkErr(t, "DeleteRole", e.svc.DeleteRole(ctx, "ghost"), "NoSuchEntity", 404, msg)
	checkErr(t, "UpdateAssumeRolePolicy", e.svc.UpdateAssumeRolePolicy(ctx, "ghost", lambdaTrust), "NoSuchEntity", 404, msg)
	checkErr(t, "PutRolePolicy", e.svc.PutRolePolicy(ctx, "ghost", "p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`), "NoSuchEntity", 404, msg)
	checkErr(t, "AttachRolePolicy", e.svc.AttachRolePolicy(ctx, "ghost", "arn:aws:iam::aws:policy/AdministratorAccess"), "NoSuchEntity", 404, msg)
	_, err = e.svc.ListRolePolicies(ctx, "ghost")
	checkErr(t, "ListRolePolicies", err, "NoSuchEntity", 404, msg)
	_, err = e.svc.ListAttachedRolePolicies(ctx, "ghost")
	checkErr(t, "ListAttachedRolePolicies", err, "NoSuchEntity", 404, msg)
}

func TestDeleteRoleConflicts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.createRole("r", "/", lambdaTrust)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	if err := e.svc.PutRolePolicy(ctx, "r", "inline", doc); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AttachRolePolicy(ctx, "r", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"); err != nil {
		t.Fatal(err)
	}
	checkErr(t, "DeleteRole(with inline)", e.svc.DeleteRole(ctx, "r"), "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	if err := e.svc.DeleteRolePolicy(ctx, "r", "inline"); err != nil {
		t.Fatal(err)
	}
	checkErr(t, "DeleteRole(with attached)", e.svc.DeleteRole(ctx, "r"), "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	if err := e.svc.DetachRolePolicy(ctx, "r", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteRole(ctx, "r"); err != nil {
		t.Fatalf("DeleteRole(bare) = %v", err)
	}
	if _, err := e.svc.GetRole(ctx, "r"); err == nil {
		t.Errorf("GetRole after delete = nil error")
	}
}

func TestListRoles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, n := range []string{"delta", "Alpha", "charlie", "bravo"} {
		path := "/"
		if n == "charlie" {
			path = "/app/"
		}
		e.createRole(n, path, lambdaTrust)
	}
	names := func(rs []iam.Role) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.RoleName)
		}
		return out
	}
	all, err := e.svc.ListRoles(ctx, iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Alpha", "bravo", "charlie", "delta"}, names(all.Roles)); diff != "" || all.IsTruncated {
		t.Errorf("ListRoles() (-want +got):\n%s truncated=%v", diff, all.IsTruncated)
	}
	app, _ := e.svc.ListRoles(ctx, iam.ListRolesInput{PathPrefix: "/app/"})
	if diff := cmp.Diff([]string{"charlie"}, names(app.Roles)); diff != "" {
		t.Errorf("ListRoles(/app/) (-want +got):\n%s", diff)
	}
	var paged []string
	in := iam.ListRolesInput{MaxItems: 3}
	for {
		page, err := e.svc.ListRoles(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, names(page.Roles)...)
		if !page.IsTruncated {
			break
		}
		in.Marker = page.Marker
	}
	if diff := cmp.Diff(names(all.Roles), paged); diff != "" {
		t.Errorf("ListRoles paged (-want +got):\n%s", diff)
	}
	_, err = e.svc.ListRoles(ctx, iam.ListRolesInput{MaxItems: 1001})
	checkErr(t, "ListRoles(MaxItems 1001)", err, "ValidationError", 400,
		"1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
}

func TestUpdateRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.createRole("r", "/", lambdaTrust)
	desc, max := "new", int32(7200)
	if err := e.svc.UpdateRole(ctx, iam.UpdateRoleInput{RoleName: "r", Description: &desc, MaxSessionDuration: &max}); err != nil {
		t.Fatal(err)
	}
	apigwTrust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}}`
	if err := e.svc.UpdateAssumeRolePolicy(ctx, "r", apigwTrust); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.TagRole(ctx, "r", []iam.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.TagRole(ctx, "r", []iam.Tag{{Key: "a", Value: "3"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.UntagRole(ctx, "r", []string{"b", "zz"}); err != nil {
		t.Fatal(err)
	}
	r, _ := e.svc.GetRole(ctx, "r")
	if r.Description != "new" || r.MaxSessionDuration != 7200 || r.AssumeRolePolicyDocument != apigwTrust {
		t.Errorf("GetRole after update = %q %d %q", r.Description, r.MaxSessionDuration, r.AssumeRolePolicyDocument)
	}
	if diff := cmp.Diff([]iam.Tag{{Key: "a", Value: "3"}}, r.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	checkErr(t, "UpdateAssumeRolePolicy(bad)", e.svc.UpdateAssumeRolePolicy(ctx, "r", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}}`),
		"MalformedPolicyDocument", 400, "AssumeRole policy may only specify STS AssumeRole actions.")
}

func TestPersistenceAcrossReopen(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("r", "/svc/", lambdaTrust)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}}`
	if err := e.svc.PutRolePolicy(ctx, "r", "invoke", doc); err != nil {
		t.Fatal(err)
	}
	pol, err := e.svc.CreatePolicy(ctx, iam.CreatePolicyInput{PolicyName: "mine", PolicyDocument: doc})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AttachRolePolicy(ctx, "r", pol.ARN); err != nil {
		t.Fatal(err)
	}
	creds, err := e.svc.IssueCredentials(ctx, role.ARN, "sess", time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	e.reopen()

	got, err := e.svc.GetRole(ctx, "r")
	if err != nil {
		t.Fatalf("GetRole after reopen = %v", err)
	}
	if diff := cmp.Diff(role, got); diff != "" {
		t.Errorf("role after reopen (-want +got):\n%s", diff)
	}
	rp, err := e.svc.GetRolePolicy(ctx, "r", "invoke")
	if err != nil || rp.PolicyDocument != doc {
		t.Errorf("GetRolePolicy after reopen = %+v, %v", rp, err)
	}
	attached, _ := e.svc.ListAttachedRolePolicies(ctx, "r")
	if diff := cmp.Diff([]iam.AttachedPolicy{{PolicyName: "mine", PolicyARN: pol.ARN}}, attached); diff != "" {
		t.Errorf("attached after reopen (-want +got):\n%s", diff)
	}
	if p, err := e.svc.GetPolicy(ctx, pol.ARN); err != nil || p.AttachmentCount != 1 {
		t.Errorf("GetPolicy after reopen = %+v, %v; want AttachmentCount 1", p, err)
	}
	if c, p, err := e.svc.LookupAccessKey(ctx, creds.AccessKeyID); err != nil || c.SecretAccessKey != creds.SecretAccessKey || p.RoleARN != role.ARN {
		t.Errorf("LookupAccessKey after reopen = %+v, %+v, %v", c, p, err)
	}
	d, err := e.svc.Authorize(ctx, iam.Request{Principal: iam.Principal{Kind: iam.KindRole, ARN: role.ARN}, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:f"})
	if err != nil || !d.Allowed {
		t.Errorf("Authorize after reopen = %+v, %v; want allowed", d, err)
	}
}
