package policy

import "testing"

const (
	acct    = "123456789012"
	other   = "210987654321"
	fnARN   = "arn:aws:lambda:us-east-1:123456789012:function:fa-005-function"
	roleARN = "arn:aws:iam::123456789012:role/service-role/r"
)

var (
	roleP    = Principal{Kind: KindRole, ARN: roleARN, AccountID: acct}
	sessionP = Principal{Kind: KindAssumedRole, ARN: "arn:aws:sts::123456789012:assumed-role/r/s", RoleARN: roleARN, AccountID: acct}
	rootP    = Principal{Kind: KindRoot, ARN: "arn:aws:iam::123456789012:root", AccountID: acct}
	otherP   = Principal{Kind: KindRole, ARN: "arn:aws:iam::210987654321:role/x", AccountID: other}
	apigwP   = Principal{Kind: KindService, Service: "apigateway.amazonaws.com"}
	s3P      = Principal{Kind: KindService, Service: "s3.amazonaws.com"}
	anonP    = Principal{Kind: KindAnonymous}
)

func TestEvaluate(t *testing.T) {
	const v = `{"Version":"2012-10-17","Statement":`
	tests := []struct {
		name      string
		kind      Kind
		doc       string
		principal Principal
		action    string
		resource  string
		ctx       map[string][]string
		want      Effect
		index     int
		byAccount bool
	}{
		{"allow_exact", Identity, v + `{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}}`, roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"action_case_insensitive", Identity, v + `{"Effect":"Allow","Action":"Lambda:invokefunction","Resource":"` + fnARN + `"}}`, roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"action_wildcard", Identity, v + `{"Effect":"Allow","Action":"lambda:Invoke*","Resource":"*"}}`, roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"action_question_mark", Identity, v + `{"Effect":"Allow","Action":"s3:?etObject","Resource":"*"}}`, roleP, "s3:GetObject", "arn:aws:s3:::b/k", nil, Allow, 0, false},
		{"action_other_service", Identity, v + `{"Effect":"Allow","Action":"lambda:*","Resource":"*"}}`, roleP, "s3:GetObject", "arn:aws:s3:::b/k", nil, "", 0, false},
		{"all_services_get", Identity, v + `{"Effect":"Allow","Action":"*:Get*","Resource":"*"}}`, roleP, "lambda:GetFunction", fnARN, nil, Allow, 0, false},
		{"resource_wildcard", Identity, v + `{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:*:function:fa-*"}}`, roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"resource_case_sensitive", Identity, v + `{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:*:function:FA-*"}}`, roleP, "lambda:InvokeFunction", fnARN, nil, "", 0, false},
		{"resource_unqualified_does_not_cover_alias", Identity, v + `{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}}`, roleP, "lambda:InvokeFunction", fnARN + ":prod", nil, "", 0, false},
		{"resource_qualified_wildcard", Identity, v + `{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` + fnARN + `:*"}}`, roleP, "lambda:InvokeFunction", fnARN + ":prod", nil, Allow, 0, false},
		{"explicit_deny_wins", Identity, v + `[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoInvoke","Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"*"}]}`, roleP, "lambda:InvokeFunction", fnARN, nil, Deny, 1, false},
		{"deny_other_action_leaves_allow", Identity, v + `[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"lambda:DeleteFunction","Resource":"*"}]}`, roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"not_action_allows_others", Identity, v + `{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}}`, roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"not_action_excludes", Identity, v + `{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}}`, roleP, "iam:CreateRole", "arn:aws:iam::123456789012:role/x", nil, "", 0, false},
		{"not_resource_deny", Identity, v + `[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::public/*"}]}`, roleP, "s3:GetObject", "arn:aws:s3:::private/k", nil, Deny, 1, false},
		{"not_resource_spares", Identity, v + `[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::public/*"}]}`, roleP, "s3:GetObject", "arn:aws:s3:::public/k", nil, Allow, 0, false},
		{"condition_fails", Identity, v + `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`, roleP, "s3:GetObject", "arn:aws:s3:::b/k", map[string][]string{"aws:SecureTransport": {"false"}}, "", 0, false},
		{"conditions_all_must_hold", Identity, v + `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`, roleP, "s3:GetObject", "arn:aws:s3:::b/k", map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"192.168.0.1"}}, "", 0, false},
		{"identity_ignores_principal_kind", Identity, v + `{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}}`, sessionP, "logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:s", nil, Allow, 0, false},

		// Resource-based policies, as Lambda's AddPermission writes them
		// (shared/specs/lambda.md §8.4, §10).
		{"service_with_source_arn", Resource, v + `[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*"}}}]}`,
			apigwP, "lambda:InvokeFunction", fnARN, map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:123456789012:abc123/$default/GET/pets"}}, Allow, 0, false},
		{"service_other_api", Resource, v + `[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*"}}}]}`,
			apigwP, "lambda:InvokeFunction", fnARN, map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:123456789012:zzz999/$default/GET/pets"}}, "", 0, false},
		{"service_without_source_arn", Resource, v + `[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/*"}}}]}`,
			apigwP, "lambda:InvokeFunction", fnARN, nil, "", 0, false},
		{"service_source_account", Resource, v + `[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `","Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"}}}]}`,
			s3P, "lambda:InvokeFunction", fnARN, map[string][]string{"aws:SourceAccount": {"123456789012"}}, Allow, 0, false},
		{"other_service_not_named", Resource, v + `[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			s3P, "lambda:InvokeFunction", fnARN, nil, "", 0, false},
		{"role_not_service_principal", Resource, v + `[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			roleP, "lambda:InvokeFunction", fnARN, nil, "", 0, false},
		{"star_principal", Resource, v + `[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			anonP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"aws_star_principal", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			otherP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"anonymous_needs_star", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			anonP, "lambda:InvokeFunction", fnARN, nil, "", 0, false},
		{"account_principal_delegates", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, true},
		{"account_principal_is_root", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			rootP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"cross_account_named", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			otherP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, true},
		{"cross_account_not_named", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"}]}`,
			otherP, "lambda:InvokeFunction", fnARN, nil, "", 0, false},
		{"exact_preferred_over_account", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"lambda:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"lambda:*","Resource":"*"}]}`,
			roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 1, false},
		{"role_principal_matches_session", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`,
			sessionP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"session_principal_exact", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/r/s"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`,
			sessionP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},
		{"other_session_not_matched", Resource, v + `[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/r/other"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`,
			sessionP, "lambda:InvokeFunction", fnARN, nil, "", 0, false},
		{"resource_deny_for_account", Resource, v + `[{"Effect":"Allow","Principal":"*","Action":"lambda:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"210987654321"},"Action":"lambda:*","Resource":"*"}]}`,
			otherP, "lambda:InvokeFunction", fnARN, nil, Deny, 1, false},
		{"not_principal_deny", Resource, v + `[{"Effect":"Allow","Principal":"*","Action":"lambda:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"lambda:*","Resource":"*"}]}`,
			otherP, "lambda:InvokeFunction", fnARN, nil, Deny, 1, false},
		{"not_principal_spares_named", Resource, v + `[{"Effect":"Allow","Principal":"*","Action":"lambda:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"lambda:*","Resource":"*"}]}`,
			roleP, "lambda:InvokeFunction", fnARN, nil, Allow, 0, false},

		// Trust policies (AssumeRolePolicyDocument).
		{"trust_service", Trust, v + `{"Effect":"Allow","Principal":{"Service":["apigateway.amazonaws.com"]},"Action":"sts:AssumeRole"}}`,
			apigwP, "sts:AssumeRole", roleARN, nil, Allow, 0, false},
		{"trust_other_service", Trust, v + `{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}}`,
			apigwP, "sts:AssumeRole", roleARN, nil, "", 0, false},
		{"trust_other_action", Trust, v + `{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}`,
			apigwP, "sts:AssumeRole", roleARN, nil, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc, tt.kind)
			if err != nil {
				t.Fatalf("Parse(%s) = %v", tt.doc, err)
			}
			r := &Request{Principal: tt.principal, Action: tt.action, Resource: tt.resource, Context: tt.ctx}
			got := p.Evaluate(r)
			want := Match{Effect: tt.want, Index: tt.index, ByAccount: tt.byAccount}
			if got != want {
				t.Errorf("Evaluate(%s, %s on %s) = %+v, want %+v", tt.principal.Kind, tt.action, tt.resource, got, want)
			}
			if st := got.Statement(p); (st == nil) != (tt.want == "") {
				t.Errorf("Statement() = %v for effect %q", st, tt.want)
			}
		})
	}
}

func BenchmarkEvaluateResourcePolicy(b *testing.B) {
	p, err := Parse(`{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"`+fnARN+`","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/*"}}}]}`, Resource)
	if err != nil {
		b.Fatal(err)
	}
	r := &Request{Principal: apigwP, Action: "lambda:InvokeFunction", Resource: fnARN,
		Context: map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:123456789012:abc123/$default/GET/"}}}
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(r).Effect != Allow {
			b.Fatal("denied")
		}
	}
}
