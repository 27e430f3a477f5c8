package reliability_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

// assumeRole creates a role the account may assume with one inline
// policy and returns credentials of a session of it, through the IAM and
// STS APIs.
func assumeRole(t *testing.T, base, name, policy string) creds {
	t.Helper()
	root := creds{key: rootKey, secret: rootSecret}
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`
	for _, q := range []url.Values{
		{"Action": {"CreateRole"}, "RoleName": {name}, "AssumeRolePolicyDocument": {trust}, "Version": {"2010-05-08"}},
		{"Action": {"PutRolePolicy"}, "RoleName": {name}, "PolicyName": {"p"}, "PolicyDocument": {policy}, "Version": {"2010-05-08"}},
	} {
		if r := callAs(t, root, base, "iam", "POST", "/", form, []byte(q.Encode())); r.status != 200 {
			t.Fatalf("IAM %s = %d %s", q.Get("Action"), r.status, r.body)
		}
	}
	q := url.Values{"Action": {"AssumeRole"}, "RoleArn": {"arn:aws:iam::000000000000:role/" + name}, "RoleSessionName": {"reliability"}, "Version": {"2011-06-15"}}
	r := callAs(t, root, base, "sts", "POST", "/", form, []byte(q.Encode()))
	var out struct {
		Key    string `xml:"AssumeRoleResult>Credentials>AccessKeyId"`
		Secret string `xml:"AssumeRoleResult>Credentials>SecretAccessKey"`
		Token  string `xml:"AssumeRoleResult>Credentials>SessionToken"`
	}
	if r.status != 200 || xml.Unmarshal([]byte(r.body), &out) != nil || out.Key == "" {
		t.Fatalf("AssumeRole(%s) = %d %s", name, r.status, r.body)
	}
	return creds{out.Key, out.Secret, out.Token}
}

// probe is one AWS call whose answer says whether IAM allowed it.
type probe struct {
	name, service, method, path string
	header                      http.Header
	body                        string
}

func ssmGet(name string) probe {
	return probe{"ssm:GetParameter " + name, "ssm", "POST", "/", http.Header{"X-Amz-Target": {"AmazonSSM.GetParameter"},
		"Content-Type": {"application/x-amz-json-1.1"}}, fmt.Sprintf(`{"Name":%q}`, name)}
}

func s3Get(bucket, key string) probe {
	return probe{"s3:GetObject " + bucket + "/" + key, "s3", "GET", "/" + bucket + "/" + key, nil, ""}
}

var logsDescribe = probe{"logs:DescribeLogGroups", "logs", "POST", "/", http.Header{"X-Amz-Target": {"Logs_20140328.DescribeLogGroups"},
	"Content-Type": {"application/x-amz-json-1.1"}}, `{}`}

// Issue 8 §6: the policy evaluator's rules, checked end to end — a role
// with one policy, a session of it through STS, and a real call through
// SigV4, the wire adapter and IAM: explicit deny wins, wildcards in
// actions and resources, NotAction and NotResource, and the condition
// operators in use (StringEquals, StringLike, ArnLike, ArnEquals, Bool,
// IpAddress). The evaluator's own unit tables are in internal/iam/policy.
func TestIAMEndToEnd(t *testing.T) {
	p := startPlatform(t, platform.Config{})
	ctx := context.Background()
	root := creds{key: rootKey, secret: rootSecret}
	for _, name := range []string{"/app/x", "/other/y"} {
		r := callAs(t, root, p.URL(), "ssm", "POST", "/", http.Header{"X-Amz-Target": {"AmazonSSM.PutParameter"},
			"Content-Type": {"application/x-amz-json-1.1"}}, []byte(fmt.Sprintf(`{"Name":%q,"Value":"v","Type":"String"}`, name)))
		if r.status != 200 {
			t.Fatalf("PutParameter(%s) = %d %s", name, r.status, r.body)
		}
	}
	for _, b := range []string{"pub", "priv"} {
		if err := p.S3.CreateBucket(ctx, b, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := p.S3.PutObject(ctx, b, "k", strings.NewReader("v"), s3.ObjectMeta{}); err != nil {
			t.Fatal(err)
		}
	}
	allow := func(action, resource, condition string) string {
		st := fmt.Sprintf(`{"Effect":"Allow","Action":%q,"Resource":%q`, action, resource)
		if condition != "" {
			st += `,"Condition":` + condition
		}
		return `{"Version":"2012-10-17","Statement":[` + st + `}]}`
	}
	tests := []struct {
		name, policy string
		probe        probe
		allowed      bool
	}{
		{"explicitDenyWins", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ssm:GetParameter","Resource":"*"}]}`, ssmGet("/app/x"), false},
		{"explicitDenyLeavesOthers", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ssm:GetParameter","Resource":"*"}]}`, s3Get("pub", "k"), true},
		{"implicitDeny", allow("s3:GetObject", "*", ""), ssmGet("/app/x"), false},
		{"actionWildcard", allow("ssm:Get*", "*", ""), ssmGet("/app/x"), true},
		{"actionWildcardOtherService", allow("ssm:*", "*", ""), logsDescribe, false},
		{"resourceWildcard", allow("ssm:GetParameter", "arn:aws:ssm:*:*:parameter/app/*", ""), ssmGet("/app/x"), true},
		{"resourceWildcardMisses", allow("ssm:GetParameter", "arn:aws:ssm:*:*:parameter/app/*", ""), ssmGet("/other/y"), false},
		{"notActionAllowsOthers", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"ssm:*","Resource":"*"}]}`, logsDescribe, true},
		{"notActionExcludes", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"ssm:*","Resource":"*"}]}`, ssmGet("/app/x"), false},
		{"notResourceAllows", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::priv/*"}]}`, s3Get("pub", "k"), true},
		{"notResourceExcludes", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::priv/*"}]}`, s3Get("priv", "k"), false},
		{"stringEquals", allow("ssm:GetParameter", "*", `{"StringEquals":{"aws:PrincipalAccount":"000000000000"}}`), ssmGet("/app/x"), true},
		{"stringEqualsFails", allow("ssm:GetParameter", "*", `{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`), ssmGet("/app/x"), false},
		{"stringLike", allow("ssm:GetParameter", "*", `{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/stringLike*"}}`), ssmGet("/app/x"), true},
		{"stringLikeFails", allow("ssm:GetParameter", "*", `{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/other-*"}}`), ssmGet("/app/x"), false},
		{"arnLike", allow("ssm:GetParameter", "*", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/arnLike*"}}`), ssmGet("/app/x"), true},
		{"arnLikeFails", allow("ssm:GetParameter", "*", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}`), ssmGet("/app/x"), false},
		{"arnEquals", allow("ssm:GetParameter", "*", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/arnEquals"}}`), ssmGet("/app/x"), true},
		{"arnEqualsFails", allow("ssm:GetParameter", "*", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/arnEquals"}}`), ssmGet("/app/x"), false},
		{"bool", allow("ssm:GetParameter", "*", `{"Bool":{"aws:SecureTransport":"false"}}`), ssmGet("/app/x"), true},
		{"boolFails", allow("ssm:GetParameter", "*", `{"Bool":{"aws:SecureTransport":"true"}}`), ssmGet("/app/x"), false},
		{"ipAddress", allow("ssm:GetParameter", "*", `{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`), ssmGet("/app/x"), true},
		{"ipAddressFails", allow("ssm:GetParameter", "*", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), ssmGet("/app/x"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := assumeRole(t, p.URL(), tt.name, tt.policy)
			r := callAs(t, c, p.URL(), tt.probe.service, tt.probe.method, tt.probe.path, tt.probe.header, []byte(tt.probe.body))
			denied := strings.Contains(r.body, "AccessDenied") && strings.Contains(r.body, "is not authorized to perform")
			switch {
			case tt.allowed && r.status != 200:
				t.Errorf("%s under %s = %d %s, want 200", tt.probe.name, tt.policy, r.status, r.body)
			case !tt.allowed && !denied:
				t.Errorf("%s under %s = %d %s, want AccessDenied", tt.probe.name, tt.policy, r.status, r.body)
			}
		})
	}
}

// Issue 8 §6: a Lambda permission's SourceArn condition decides whether
// API Gateway may invoke: a permission for this API's ARN lets the route
// answer; one for another API leaves the client 500, as on AWS.
func TestPermissionSourceArn(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real function processes")
	}
	rt := pythonRuntime(t)
	tmpl := func(sourceArn string) string {
		return `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: ` + rt + `
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def handler(event, context):
              return {"statusCode": 200, "body": "invoked"}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: arn, ProtocolType: HTTP, Target: !GetAtt Fn.Arn}
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Fn
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
      SourceArn: ` + sourceArn + `
Outputs:
  ApiId: {Value: !Ref Api}
`
	}
	tests := []struct {
		name, sourceArn string
		status          int
		body            string
	}{
		{"thisAPI", `!Sub "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"`, 200, "invoked"},
		{"otherAPI", `!Sub "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:zzzzzzzzzz/*"`, 500, `{"message":"Internal Server Error"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPlatform(t, platform.Config{})
			st := deploy(t, p, "arn", tmpl(tt.sourceArn), nil)
			var r response
			// Stage deployment is immediate, but give the route a moment
			// to be served before judging the answer.
			eventually(10*time.Second, func() bool {
				r = apiGet(t, http.DefaultClient, p.URL(), output(t, st, "ApiId"), "/")
				return r.status == tt.status
			})
			if r.status != tt.status || r.body != tt.body {
				t.Errorf("GET / with SourceArn %s = %d %s, want %d %s", tt.sourceArn, r.status, r.body, tt.status, tt.body)
			}
		})
	}
}

// Issue 8 §6: a function whose role may not write logs leaves no log
// group behind (AWS's Lambda writes logs with the execution role's
// permissions); one whose role may, has its output there.
func TestNoLogsPermissionNoLogGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real function processes")
	}
	p := startPlatform(t, platform.Config{})
	rt := pythonRuntime(t)
	st := deploy(t, p, "logs", `Resources:
  Logging:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]
  Silent:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Allowed:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: `+rt+`
      Handler: index.handler
      Role: !GetAtt Logging.Arn
      Code:
        ZipFile: |
          def handler(event, context):
              print("a line")
  Denied:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: `+rt+`
      Handler: index.handler
      Role: !GetAtt Silent.Arn
      Code:
        ZipFile: |
          def handler(event, context):
              print("a line")
Outputs:
  Allowed: {Value: !Ref Allowed}
  Denied: {Value: !Ref Denied}
`, nil)
	allowed, denied := output(t, st, "Allowed"), output(t, st, "Denied")
	for _, fn := range []string{denied, allowed} {
		if inv := invoke(t, p.URL(), fn); inv.status != 200 || inv.functionError != "" {
			t.Fatalf("Invoke(%s) = %d %s", fn, inv.status, inv.payload)
		}
	}
	groups := func(prefix string) string {
		return awsCall(t, p.URL(), "logs", "POST", "/", http.Header{"X-Amz-Target": {"Logs_20140328.DescribeLogGroups"},
			"Content-Type": {"application/x-amz-json-1.1"}}, []byte(fmt.Sprintf(`{"logGroupNamePrefix":%q}`, prefix))).body
	}
	// Once the allowed function's lines are in, the denied one's would be too.
	if !eventually(30*time.Second, func() bool { return strings.Contains(groups("/aws/lambda/"+allowed), allowed) }) {
		t.Fatalf("no log group for %s, whose role may write logs", allowed)
	}
	if got := groups("/aws/lambda/" + denied); strings.Contains(got, denied) {
		t.Errorf("DescribeLogGroups(/aws/lambda/%s) = %s, want no group: its role may not write logs", denied, got)
	}
}
