package console

import (
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

func TestExplainDenial(t *testing.T) {
	role := "arn:aws:iam::000000000000:role/app/fa-005-ApiGatewayRole"
	tests := []struct {
		name     string
		d        iam.DeniedDecision
		who      string
		roleName string
		why, fix string // substrings
	}{
		{"explicit-deny", iam.DeniedDecision{Principal: iam.Principal{Kind: iam.KindRole, ARN: role}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
			Reason: `explicitly denied by inline policy "deny-all" statement 1`}, role, "fa-005-ApiGatewayRole", "A Deny wins", "Remove or narrow"},
		{"role-no-allow", iam.DeniedDecision{Principal: iam.Principal{Kind: iam.KindRole, ARN: role}, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:f",
			Reason: "no statement allows the request"}, role, "fa-005-ApiGatewayRole", "No policy of role fa-005-ApiGatewayRole allows lambda:InvokeFunction", "Effect Allow, Action lambda:InvokeFunction"},
		{"service-lambda", iam.DeniedDecision{Principal: iam.Principal{Kind: iam.KindService, Service: "apigateway.amazonaws.com"}, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:f",
			Reason: "no statement allows the request"}, "apigateway.amazonaws.com", "", "No statement allows apigateway.amazonaws.com", "AWS::Lambda::Permission"},
		{"service-other", iam.DeniedDecision{Principal: iam.Principal{Kind: iam.KindService, Service: "events.amazonaws.com"}, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:000000000000:q",
			Reason: "no statement allows the request"}, "events.amazonaws.com", "", "No statement allows events.amazonaws.com", "Principal {Service: events.amazonaws.com}"},
		{"session", iam.DeniedDecision{Principal: iam.Principal{Kind: iam.KindAssumedRole, ARN: "arn:aws:sts::000000000000:assumed-role/fn-role/s", RoleARN: "arn:aws:iam::000000000000:role/fn-role"},
			Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:000000000000:log-group:g", Reason: "no statement allows the request"},
			"arn:aws:sts::000000000000:assumed-role/fn-role/s", "fn-role", "No policy of role fn-role", "one of the role's policies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explain(tt.d)
			if got.Who != tt.who || got.RoleName != tt.roleName {
				t.Errorf("explain(%s) Who, RoleName = %q, %q; want %q, %q", tt.name, got.Who, got.RoleName, tt.who, tt.roleName)
			}
			if !strings.Contains(got.Why, tt.why) || !strings.Contains(got.Fix, tt.fix) {
				t.Errorf("explain(%s) = why %q fix %q; want them to contain %q and %q", tt.name, got.Why, got.Fix, tt.why, tt.fix)
			}
		})
	}
}
