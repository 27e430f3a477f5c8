package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

// The seed tutorial's documents (shared/seed/fa-005/*.yaml) as the
// template layer hands them over: YAML turned into JSON text, with the
// unquoted Version 2012-10-17 kept as the string it was written as.
const (
	seedFunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:fa-005-function"
	// fa-005-apigateway.yaml, ApiGatewayRole.AssumeRolePolicyDocument.
	seedAPIGatewayTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["apigateway.amazonaws.com"]}}]}`
	// fa-005-apigateway.yaml, ApiGatewayRole.Policies[0].PolicyDocument,
	// with !Ref FunctionArn resolved.
	seedInvokePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["` + seedFunctionARN + `"]}]}`
	// fa-005-lambda.yaml, FunctionRole.AssumeRolePolicyDocument.
	seedLambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["lambda.amazonaws.com"]}}]}`
	basicExecution  = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
)

var apigw = iam.Principal{Kind: iam.KindService, Service: "apigateway.amazonaws.com"}

func TestSeedApiGatewayRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("fa-005-ApiGatewayStack-ApiGatewayRole-XYZ", "/", seedAPIGatewayTrust)
	asRole := iam.Principal{Kind: iam.KindRole, ARN: role.ARN}
	invoke := iam.Request{Principal: asRole, Action: "lambda:InvokeFunction", Resource: seedFunctionARN}

	// Without the inline policy the role may not invoke.
	d, err := e.svc.Authorize(ctx, invoke)
	if err != nil || d.Allowed || d.Reason != "no statement allows" {
		t.Errorf("Authorize(no policy) = %+v, %v; want denied, no statement allows", d, err)
	}
	if err := e.svc.PutRolePolicy(ctx, role.RoleName, "fa-005-InvokeFunctionPolicy", seedInvokePolicy); err != nil {
		t.Fatal(err)
	}
	d, err = e.svc.Authorize(ctx, invoke)
	want := `allowed by statement #1 of inline policy "fa-005-InvokeFunctionPolicy" of role "fa-005-ApiGatewayStack-ApiGatewayRole-XYZ"`
	if err != nil || !d.Allowed || d.Reason != want {
		t.Errorf("Authorize(with policy) = %+v, %v; want allowed, %q", d, err, want)
	}
	// Only that function, only that action.
	for _, r := range []iam.Request{
		{Principal: asRole, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:other"},
		{Principal: asRole, Action: "lambda:DeleteFunction", Resource: seedFunctionARN},
	} {
		if d, _ := e.svc.Authorize(ctx, r); d.Allowed {
			t.Errorf("Authorize(%s on %s) = allowed, want denied", r.Action, r.Resource)
		}
	}
	// The role trusts API Gateway, and nobody else.
	if ok, err := e.svc.CanAssume(ctx, role.ARN, apigw); err != nil || !ok {
		t.Errorf("CanAssume(apigateway) = %v, %v; want true", ok, err)
	}
	if ok, err := e.svc.CanAssume(ctx, role.ARN, iam.Principal{Kind: iam.KindService, Service: "lambda.amazonaws.com"}); err != nil || ok {
		t.Errorf("CanAssume(lambda) = %v, %v; want false", ok, err)
	}
}

func TestSeedFunctionRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("fa-005-LambdaStack-FunctionRole-XYZ", "/", seedLambdaTrust)
	if err := e.svc.AttachRolePolicy(ctx, role.RoleName, basicExecution); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.svc.CanAssume(ctx, role.ARN, iam.Principal{Kind: iam.KindService, Service: "lambda.amazonaws.com"}); err != nil || !ok {
		t.Errorf("CanAssume(lambda) = %v, %v; want true", ok, err)
	}
	creds, err := e.svc.IssueCredentials(ctx, role.ARN, "fa-005-function", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, session, err := e.svc.LookupAccessKey(ctx, creds.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	logStream := "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fa-005-function:log-stream:2026/03/01/[$LATEST]abc"
	for _, action := range []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} {
		d, err := e.svc.Authorize(ctx, iam.Request{Principal: session, Action: action, Resource: logStream})
		want := "allowed by statement #1 of managed policy " + basicExecution
		if err != nil || !d.Allowed || d.Reason != want {
			t.Errorf("Authorize(session, %s) = %+v, %v; want %q", action, d, err, want)
		}
	}
	if d, _ := e.svc.Authorize(ctx, iam.Request{Principal: session, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}); d.Allowed {
		t.Errorf("Authorize(session, s3:GetObject) = allowed, want denied")
	}
}

func TestAuthorize(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("worker", "/app/", lambdaTrust)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.svc.PutRolePolicy(ctx, "worker", "invoke-all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:Invoke*","Resource":"arn:aws:lambda:*:*:function:*"}]}`))
	must(e.svc.PutRolePolicy(ctx, "worker", "no-secret", `{"Version":"2012-10-17","Statement":[{"Sid":"NoSecret","Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:*:function:secret"}]}`))
	bounded := e.createRole("bounded", "/", lambdaTrust)
	must(e.svc.AttachRolePolicy(ctx, "bounded", "arn:aws:iam::aws:policy/AdministratorAccess"))
	must(e.svc.PutRolePermissionsBoundary(ctx, "bounded", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"))

	fn := "arn:aws:lambda:us-east-1:000000000000:function:hello"
	secret := "arn:aws:lambda:us-east-1:000000000000:function:secret"
	foreignFn := "arn:aws:lambda:us-east-1:111122223333:function:theirs"
	asRole := iam.Principal{Kind: iam.KindRole, ARN: role.ARN}
	session := iam.Principal{Kind: iam.KindAssumedRole, ARN: "arn:aws:sts::000000000000:assumed-role/worker/s1"}
	other := iam.Principal{Kind: iam.KindRole, ARN: "arn:aws:iam::111122223333:role/partner"}
	apigwPolicy := `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigw-invoke","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fn + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:000000000000:abc123/*/*/"}}}]}`
	accountPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"acct","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"lambda:InvokeFunction","Resource":"` + fn + `"}]}`
	ownAccountPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"own","Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"lambda:GetFunction","Resource":"` + fn + `"}]}`
	namedRolePolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"named","Effect":"Allow","Principal":{"AWS":"` + role.ARN + `"},"Action":"lambda:GetFunction","Resource":"` + fn + `"}]}`
	denyRootPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"nobody","Effect":"Deny","Principal":"*","Action":"lambda:DeleteFunction","Resource":"*"}]}`

	tests := []struct {
		name   string
		req    iam.Request
		allow  bool
		reason string // prefix
	}{
		{"identity_wildcards", iam.Request{Principal: asRole, Action: "lambda:InvokeFunction", Resource: fn}, true, `allowed by statement #1 of inline policy "invoke-all" of role "worker"`},
		{"session_uses_role_policies", iam.Request{Principal: session, Action: "lambda:InvokeAsync", Resource: fn}, true, `allowed by statement #1 of inline policy "invoke-all"`},
		{"explicit_deny_wins", iam.Request{Principal: asRole, Action: "lambda:InvokeFunction", Resource: secret}, false, `explicitly denied by statement "NoSecret" of inline policy "no-secret" of role "worker"`},
		{"no_statement", iam.Request{Principal: asRole, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, false, "no statement allows"},
		{"wrong_path_is_not_the_role", iam.Request{Principal: iam.Principal{Kind: iam.KindRole, ARN: "arn:aws:iam::000000000000:role/worker"}, Action: "lambda:InvokeFunction", Resource: fn}, false, "no statement allows: role arn:aws:iam::000000000000:role/worker does not exist"},
		{"missing_role", iam.Request{Principal: iam.Principal{Kind: iam.KindAssumedRole, ARN: "arn:aws:sts::000000000000:assumed-role/gone/s"}, Action: "lambda:InvokeFunction", Resource: fn}, false, `no statement allows: role "gone" does not exist`},
		{"root_may_do_anything", iam.Request{Principal: iam.Principal{Kind: iam.KindRoot}, Action: "iam:DeleteRole", Resource: role.ARN}, true, "allowed: the root user of account 000000000000 may perform any action"},
		{"root_denied_by_resource_policy", iam.Request{Principal: iam.Principal{Kind: iam.KindRoot}, Action: "lambda:DeleteFunction", Resource: fn, ResourcePolicy: []byte(denyRootPolicy)}, false, `explicitly denied by statement "nobody" of the resource policy`},
		{"service_via_resource_policy", iam.Request{Principal: apigw, Action: "lambda:InvokeFunction", Resource: fn, ResourcePolicy: []byte(apigwPolicy),
			Context: map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:abc123/$default/GET/"}}}, true, `allowed by statement "apigw-invoke" of the resource policy`},
		{"service_other_source", iam.Request{Principal: apigw, Action: "lambda:InvokeFunction", Resource: fn, ResourcePolicy: []byte(apigwPolicy),
			Context: map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:zzz999/$default/GET/"}}}, false, "no statement allows"},
		{"service_without_resource_policy", iam.Request{Principal: apigw, Action: "lambda:InvokeFunction", Resource: fn}, false, "no statement allows"},
		{"resource_policy_names_role", iam.Request{Principal: asRole, Action: "lambda:GetFunction", Resource: fn, ResourcePolicy: []byte(namedRolePolicy)}, true, `allowed by statement "named" of the resource policy`},
		{"resource_policy_names_own_account_only", iam.Request{Principal: asRole, Action: "lambda:GetFunction", Resource: fn, ResourcePolicy: []byte(ownAccountPolicy)}, false, "no statement allows: the resource policy names only the account"},
		{"cross_account_allowed_by_resource_policy", iam.Request{Principal: other, Action: "lambda:InvokeFunction", Resource: fn, ResourcePolicy: []byte(accountPolicy)}, true, `allowed by statement "acct" of the resource policy`},
		{"cross_account_without_resource_policy", iam.Request{Principal: other, Action: "lambda:InvokeFunction", Resource: fn}, false, "no statement allows"},
		{"cross_account_other_account_named", iam.Request{Principal: other, Action: "lambda:InvokeFunction", Resource: fn, ResourcePolicy: []byte(ownAccountPolicy)}, false, "no statement allows"},
		{"our_role_on_foreign_resource_needs_its_policy", iam.Request{Principal: asRole, Action: "lambda:InvokeFunction", Resource: foreignFn}, false, "no statement allows: a cross-account request also needs the resource policy"},
		{"our_role_on_foreign_resource_with_policy", iam.Request{Principal: asRole, Action: "lambda:InvokeFunction", Resource: foreignFn,
			ResourcePolicy: []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`)}, true,
			`allowed by statement #1 of inline policy "invoke-all" of role "worker" and allowed by statement "x" of the resource policy`},
		{"boundary_allows", iam.Request{Principal: iam.Principal{Kind: iam.KindRole, ARN: bounded.ARN}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, true, "allowed by statement #1 of managed policy arn:aws:iam::aws:policy/AdministratorAccess"},
		{"boundary_caps", iam.Request{Principal: iam.Principal{Kind: iam.KindRole, ARN: bounded.ARN}, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, false, "no statement allows: permissions boundary arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess does not allow it"},
		{"anonymous", iam.Request{Principal: iam.Principal{Kind: iam.KindAnonymous}, Action: "lambda:InvokeFunctionUrl", Resource: fn,
			ResourcePolicy: []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"FunctionURLAllowPublicAccess","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"` + fn + `","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}]}`),
			Context:        map[string][]string{"lambda:FunctionUrlAuthType": {"NONE"}}}, true, `allowed by statement "FunctionURLAllowPublicAccess"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.svc.Authorize(ctx, tt.req)
			if err != nil {
				t.Fatalf("Authorize = %v", err)
			}
			if d.Allowed != tt.allow || !strings.HasPrefix(d.Reason, tt.reason) {
				t.Errorf("Authorize(%s %s on %s) = %v %q, want %v %q", tt.req.Principal.Kind, tt.req.Action, tt.req.Resource, d.Allowed, d.Reason, tt.allow, tt.reason)
			}
		})
	}
}

func TestAuthorizeErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.Authorize(ctx, iam.Request{Principal: apigw, Action: "lambda:InvokeFunction", Resource: seedFunctionARN, ResourcePolicy: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}]}`)})
	checkErr(t, "Authorize(resource policy without principal)", err, "MalformedPolicyDocument", 400, "Missing required field Principal")
	if _, err := e.svc.Authorize(ctx, iam.Request{Principal: iam.Principal{Kind: "Robot"}, Action: "s3:GetObject", Resource: "*"}); err == nil {
		t.Errorf("Authorize(unknown kind) = nil error")
	}
}

func TestCanAssume(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	byAccount := e.createRole("by-account", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sts:AssumeRole"}]}`)
	caller := e.createRole("caller", "/", lambdaTrust)
	byName := e.createRole("by-name", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+caller.ARN+`"},"Action":"sts:AssumeRole"}]}`)
	denyAll := e.createRole("deny-partner", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}`)
	callerP := iam.Principal{Kind: iam.KindRole, ARN: caller.ARN}
	partner := iam.Principal{Kind: iam.KindRole, ARN: "arn:aws:iam::111122223333:role/p"}
	root := iam.Principal{Kind: iam.KindRoot}

	check := func(name, roleARN string, by iam.Principal, want bool) {
		t.Helper()
		if got, err := e.svc.CanAssume(ctx, roleARN, by); err != nil || got != want {
			t.Errorf("%s: CanAssume = %v, %v; want %v", name, got, err, want)
		}
	}
	check("named_role", byName.ARN, callerP, true)
	check("root_named_by_account", byAccount.ARN, root, true)
	check("root_not_trusted", caller.ARN, root, false)
	check("account_named_needs_identity_policy", byAccount.ARN, callerP, false)
	if err := e.svc.PutRolePolicy(ctx, "caller", "assume", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`); err != nil {
		t.Fatal(err)
	}
	check("account_named_with_identity_policy", byAccount.ARN, callerP, true)
	check("partner_denied", denyAll.ARN, partner, false)
	check("other_allowed_by_star", denyAll.ARN, iam.Principal{Kind: iam.KindRole, ARN: "arn:aws:iam::444455556666:role/q"}, true)

	_, err := e.svc.CanAssume(ctx, "arn:aws:iam::000000000000:role/ghost", apigw)
	checkErr(t, "CanAssume(ghost)", err, "NoSuchEntity", 404, "The role with name ghost cannot be found.")
	_, err = e.svc.CanAssume(ctx, "arn:aws:iam::000000000000:role/other-path/caller", apigw)
	checkErr(t, "CanAssume(wrong path)", err, "NoSuchEntity", 404, "The role with name caller cannot be found.")
}

func TestRecentDenials(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, action := range []string{"s3:GetObject", "s3:PutObject"} {
		if d, _ := e.svc.Authorize(ctx, iam.Request{Principal: apigw, Action: action, Resource: "arn:aws:s3:::b"}); d.Allowed {
			t.Fatalf("Authorize(%s) allowed", action)
		}
	}
	if d, _ := e.svc.Authorize(ctx, iam.Request{Principal: iam.Principal{Kind: iam.KindRoot}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b"}); !d.Allowed {
		t.Fatal("Authorize(root) denied")
	}
	got := e.svc.RecentDenials()
	if len(got) != 2 || got[0].Action != "s3:PutObject" || got[1].Action != "s3:GetObject" {
		t.Fatalf("RecentDenials() = %+v, want PutObject then GetObject", got)
	}
	if got[0].Reason != "no statement allows" || got[0].Principal.Service != "apigateway.amazonaws.com" || !got[0].Time.Equal(e.clock.Now()) {
		t.Errorf("RecentDenials()[0] = %+v", got[0])
	}
}

func TestRecentDenialsKeepsLastN(t *testing.T) {
	e := newEnv(t)
	db := e.db
	svc, err := iam.New(iam.Config{DB: db, MaxDenials: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"s3:A", "s3:B", "s3:C", "s3:D", "s3:E"} {
		svc.Authorize(context.Background(), iam.Request{Principal: apigw, Action: a, Resource: "*"})
	}
	var got []string
	for _, d := range svc.RecentDenials() {
		got = append(got, d.Action)
	}
	if strings.Join(got, ",") != "s3:E,s3:D,s3:C" {
		t.Errorf("RecentDenials() = %v, want [s3:E s3:D s3:C]", got)
	}
}

// BenchmarkAuthorizeSeed is the per-request cost of API Gateway invoking
// the seed function through its credentials role, once caches are warm.
func BenchmarkAuthorizeSeed(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	role := e.createRole("ApiGatewayRole", "/", seedAPIGatewayTrust)
	if err := e.svc.PutRolePolicy(ctx, role.RoleName, "invoke", seedInvokePolicy); err != nil {
		b.Fatal(err)
	}
	req := iam.Request{Principal: iam.Principal{Kind: iam.KindRole, ARN: role.ARN}, Action: "lambda:InvokeFunction", Resource: seedFunctionARN}
	b.ReportAllocs()
	for b.Loop() {
		if d, _ := e.svc.Authorize(ctx, req); !d.Allowed {
			b.Fatal("denied")
		}
	}
}

// BenchmarkAuthorizeResourcePolicy is API Gateway's service principal
// going through a function policy.
func BenchmarkAuthorizeResourcePolicy(b *testing.B) {
	e := newEnv(b)
	pol := []byte(`{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + seedFunctionARN + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:000000000000:abc123/*/*/"}}}]}`)
	req := iam.Request{Principal: apigw, Action: "lambda:InvokeFunction", Resource: seedFunctionARN, ResourcePolicy: pol,
		Context: map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:abc123/$default/GET/"}}}
	b.ReportAllocs()
	for b.Loop() {
		if d, _ := e.svc.Authorize(context.Background(), req); !d.Allowed {
			b.Fatal("denied")
		}
	}
}

// TestAuthorizeDuringWrites runs decisions while the role's policies
// change; with -race it checks the cache's locking, and the last answer
// must match the last write.
func TestAuthorizeDuringWrites(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("r", "/", lambdaTrust)
	req := iam.Request{Principal: iam.Principal{Kind: iam.KindRole, ARN: role.ARN}, Action: "lambda:InvokeFunction", Resource: seedFunctionARN}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := e.svc.Authorize(ctx, req); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 20 {
		if i%2 == 0 {
			if err := e.svc.PutRolePolicy(ctx, "r", "invoke", seedInvokePolicy); err != nil {
				t.Fatal(err)
			}
		} else if err := e.svc.DeleteRolePolicy(ctx, "r", "invoke"); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("Authorize during writes = %v", err)
		}
	}
	// The last write deleted the policy.
	if d, _ := e.svc.Authorize(ctx, req); d.Allowed {
		t.Errorf("Authorize after writes = allowed (%s), want denied", d.Reason)
	}
}

// Trust and function policies often guard against the confused deputy
// with aws:SourceAccount; services in cloudlet act for its one account.
func TestServiceSourceAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("guarded", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}}]}`)
	lambdaP := iam.Principal{Kind: iam.KindService, Service: "lambda.amazonaws.com"}
	if ok, err := e.svc.CanAssume(ctx, role.ARN, lambdaP); err != nil || !ok {
		t.Errorf("CanAssume(guarded by own account) = %v, %v; want true", ok, err)
	}
	other := e.createRole("other", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`)
	if ok, err := e.svc.CanAssume(ctx, other.ARN, lambdaP); err != nil || ok {
		t.Errorf("CanAssume(guarded by other account) = %v, %v; want false", ok, err)
	}
	pol := []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"*","Condition":{"StringEquals":{"AWS:SourceAccount":"000000000000"}}}]}`)
	d, err := e.svc.Authorize(ctx, iam.Request{Principal: iam.Principal{Kind: iam.KindService, Service: "s3.amazonaws.com"}, Action: "lambda:InvokeFunction", Resource: seedFunctionARN, ResourcePolicy: pol})
	if err != nil || !d.Allowed {
		t.Errorf("Authorize(s3 with SourceAccount guard) = %+v, %v; want allowed", d, err)
	}
}
