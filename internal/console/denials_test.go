package console_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"
)

// TestWhyDenied: an API whose integration has neither a credentials role
// nor a Lambda permission is refused by IAM; "try it" shows the gateway's
// 500 and the denials page explains the missing AWS::Lambda::Permission.
func TestWhyDenied(t *testing.T) {
	p := start(t)
	tmpl := t.TempDir() + "/denied.yaml"
	writeFile(t, tmpl, `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: no-permission
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def handler(event, context):
            return "never"
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: denied
      ProtocolType: HTTP
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: $default
      AutoDeploy: true
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Fn.Arn
      PayloadFormatVersion: "2.0"
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /
      Target: !Sub integrations/${Integration}
`)
	deploy(t, p, tmpl, "denied", nil)
	apis, err := p.APIs.ListAPIs(context.Background())
	if err != nil || len(apis) != 1 {
		t.Fatalf("ListAPIs = %v, %v", apis, err)
	}
	r := post(t, p.URL()+"/_cloudlet/apis/"+apis[0].APIID+"/try", url.Values{"stage": {"$default"}, "method": {"GET"}, "path": {"/"}})
	body := html.UnescapeString(r.body)
	if !strings.Contains(body, "500 Internal Server Error") || !strings.Contains(body, "AccessDeniedException") {
		t.Errorf("try it on a denied integration does not show the 500 and Lambda's refusal:\n%s", body)
	}
	r = get(t, p.URL()+"/_cloudlet/iam/denials")
	body = html.UnescapeString(r.body)
	for _, w := range []string{"lambda:InvokeFunction", "apigateway.amazonaws.com", "function:no-permission", "AWS::Lambda::Permission", "CredentialsArn"} {
		if !strings.Contains(body, w) {
			t.Errorf("denials page does not explain with %q:\n%s", w, body)
		}
	}
}
