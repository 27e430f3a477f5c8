package platform_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

// seedVariant copies the seed's templates into a temp dir, rewriting the
// API template with edit, and deploys the copy.
func seedVariant(t *testing.T, edit func(string) string) *platform.Endpoint {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"fa-005.yaml", "fa-005-lambda.yaml", "fa-005-apigateway.yaml"} {
		b, err := os.ReadFile(filepath.Join(seedDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "fa-005-apigateway.yaml" {
			b = []byte(edit(string(b)))
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := start(t, t.TempDir())
	res, err := p.Deploy(context.Background(), platform.DeployInput{TemplatePath: filepath.Join(dir, "fa-005.yaml"), StackName: "fa-005"})
	if err != nil {
		t.Fatalf("Deploy = %v", err)
	}
	eps, err := p.Endpoints(context.Background(), res.Stack.ID)
	if err != nil || len(eps) != 1 {
		t.Fatalf("Endpoints = %+v, %v", eps, err)
	}
	return &eps[0]
}

// AWS: API Gateway may invoke only with a credentials role allowed to, or
// through a Lambda permission for apigateway.amazonaws.com; otherwise the
// client gets 500 (spec http-api §6, lambda §10).
func TestInvokePermission(t *testing.T) {
	const credentials = "      CredentialsArn: !GetAtt ApiGatewayRole.Arn\n"
	const permission = `  #Permission:
  #  Type: AWS::Lambda::Permission
  #  Properties:
  #    FunctionName: !Ref FunctionName
  #    Action: lambda:InvokeFunction
  #    Principal: apigateway.amazonaws.com
`
	tests := []struct {
		name   string
		edit   func(string) string
		status int
		body   string
	}{
		{"neitherRoleNorPermission", func(s string) string {
			return strings.Replace(s, credentials, "", 1)
		}, 500, `{"message":"Internal Server Error"}`},
		{"lambdaPermissionOnly", func(s string) string {
			s = strings.Replace(s, credentials, "", 1)
			return strings.Replace(s, permission, strings.ReplaceAll(permission, "#", ""), 1)
		}, 200, `"Hello form Awstut !"`},
		{"roleWithoutInvokePolicy", func(s string) string {
			return strings.Replace(s, "lambda:InvokeFunction\n                Resource", "lambda:GetFunction\n                Resource", 1)
		}, 500, `{"message":"Internal Server Error"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probe := tt.edit(mustRead(t, filepath.Join(seedDir(t), "fa-005-apigateway.yaml")))
			if probe == mustRead(t, filepath.Join(seedDir(t), "fa-005-apigateway.yaml")) {
				t.Fatal("the edit did not change the template")
			}
			ep := seedVariant(t, tt.edit)
			if status, body := call(t, "GET", ep.URLs[0]); status != tt.status || body != tt.body {
				t.Errorf("GET / = %d %q, want %d %q", status, body, tt.status, tt.body)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
