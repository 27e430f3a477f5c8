package platform_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

// authorizerTemplate is an HTTP API whose GET /hello is guarded by a
// Python Lambda REQUEST authorizer (payload 2.0, simple responses) and
// answered by a Python function that echoes what the authorizer passed
// on. authzPermission is the authorizer function's Lambda permission
// (spec http-api §8.3: SourceArn .../authorizers/{authorizerId}).
func authorizerTemplate(authzPermission string) string {
	return "Resources:\n" + role + `  AuthzFn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Runtime: python3.12
      Handler: index.handler
      Code:
        ZipFile: |
          def handler(event, context):
              token = event["identitySource"][0]
              if token == "crash":
                  raise RuntimeError("authorizer crashed")
              return {"isAuthorized": token == "letmein",
                      "context": {"user": "alice", "routeArn": event["routeArn"], "level": 3}}
  AppFn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Runtime: python3.12
      Handler: index.handler
      Code:
        ZipFile: |
          import json
          def handler(event, context):
              return {"statusCode": 200, "headers": {"content-type": "application/json"},
                      "body": json.dumps(event["requestContext"]["authorizer"], sort_keys=True)}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: guarded
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
      IntegrationUri: !GetAtt AppFn.Arn
      PayloadFormatVersion: "2.0"
  Authorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      Name: python-authorizer
      AuthorizerType: REQUEST
      AuthorizerUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthzFn.Arn}/invocations"
      AuthorizerPayloadFormatVersion: "2.0"
      EnableSimpleResponses: true
      IdentitySource:
        - $request.header.Authorization
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /hello
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref Authorizer
      Target: !Sub "integrations/${Integration}"
  AppPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref AppFn
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/GET/hello"
` + authzPermission
}

const authzPermission = `  AuthzPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref AuthzFn
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/authorizers/${Authorizer}"
`

// deployGuarded deploys authorizerTemplate and returns the API's base
// URL (host form).
func deployGuarded(t *testing.T, permission string) string {
	t.Helper()
	p := start(t, t.TempDir())
	dir := writeFiles(t, map[string]string{"api.yaml": authorizerTemplate(permission)})
	res, err := p.Deploy(context.Background(), platform.DeployInput{TemplatePath: filepath.Join(dir, "api.yaml"), StackName: "guarded"})
	if err != nil {
		t.Fatalf("Deploy = %v", err)
	}
	eps, err := p.Endpoints(context.Background(), res.Stack.ID)
	if err != nil || len(eps) != 1 || len(eps[0].URLs) == 0 {
		t.Fatalf("Endpoints = %+v, %v", eps, err)
	}
	return eps[0].URLs[0]
}

// callWith is call with request headers (name, value pairs).
func callWith(t *testing.T, method, url string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host, ok := strings.CutPrefix(url, "http://"); ok && strings.Contains(host, ".execute-api.localhost") {
		h, _, _ := strings.Cut(host, "/")
		req.Host = h
		_, port, _ := strings.Cut(h, ":")
		req.URL.Host = "127.0.0.1:" + port
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A real Python authorizer deployed by a template guards a route end to
// end: allow, deny, missing identity, a crashing authorizer, and the
// context reaching the integration (spec http-api §8.3, §6).
func TestLambdaAuthorizerEndToEnd(t *testing.T) {
	base := deployGuarded(t, authzPermission)
	apiID := strings.TrimPrefix(base, "http://")
	apiID, _, _ = strings.Cut(apiID, ".")
	tests := []struct {
		name   string
		header []string
		status int
		body   string
	}{
		{"noIdentity", nil, 401, `{"message":"Unauthorized"}`},
		{"denied", []string{"Authorization", "nope"}, 403, `{"message":"Forbidden"}`},
		{"crashed", []string{"Authorization", "crash"}, 500, `{"message":"Internal Server Error"}`},
		{"allowed", []string{"Authorization", "letmein"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := callWith(t, "GET", base+"hello", tt.header...)
			if status != tt.status || (tt.body != "" && body != tt.body) {
				t.Fatalf("GET /hello = %d %q, want %d %q", status, body, tt.status, tt.body)
			}
			if status != 200 {
				return
			}
			var got map[string]map[string]any
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			want := "arn:aws:execute-api:us-east-1:000000000000:" + apiID + "/$default/GET/hello"
			if l := got["lambda"]; l["user"] != "alice" || l["level"] != float64(3) || l["routeArn"] != want {
				t.Errorf("requestContext.authorizer = %v, want lambda {user alice, level 3, routeArn %s}", got, want)
			}
		})
	}
}

// Without a Lambda permission for .../authorizers/{id}, API Gateway may
// not invoke the authorizer: 500 (spec http-api §8.3, §6).
func TestLambdaAuthorizerWithoutPermission(t *testing.T) {
	base := deployGuarded(t, "")
	if status, body := callWith(t, "GET", base+"hello", "Authorization", "letmein"); status != 500 || body != `{"message":"Internal Server Error"}` {
		t.Errorf("GET /hello = %d %q, want 500 Internal Server Error", status, body)
	}
}
