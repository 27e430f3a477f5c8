package provider_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/provider"
)

func newHTTPAPI(t *testing.T, s *services) string {
	t.Helper()
	api, err := s.apigw.CreateAPI(context.Background(), apigw.CreateAPIInput{Name: "a", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	return api.APIID
}

func TestAuthorizer(t *testing.T) {
	s := newServices(t)
	p := provider.Authorizer{Gateway: s.apigw}
	ctx := context.Background()
	apiID := newHTTPAPI(t, s)
	props := map[string]any{"ApiId": apiID, "AuthorizerType": "JWT", "Name": "jwt",
		"IdentitySource":   []any{"$request.header.Authorization"},
		"JwtConfiguration": map[string]any{"Audience": []any{"aud"}, "Issuer": "https://issuer.example"}}
	req := request("Auth", "AWS::ApiGatewayV2::Authorizer", props)
	out, err := p.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create = %v", err)
	}
	if out.Attributes["AuthorizerId"] != out.PhysicalID {
		t.Errorf("AuthorizerId = %v, want the Ref %s", out.Attributes["AuthorizerId"], out.PhysicalID)
	}
	up := request("Auth", "AWS::ApiGatewayV2::Authorizer", map[string]any{"ApiId": apiID, "AuthorizerType": "JWT", "Name": "renamed",
		"IdentitySource":   []any{"$request.header.Authorization"},
		"JwtConfiguration": map[string]any{"Audience": []any{"aud2"}, "Issuer": "https://issuer.example"}})
	up.PhysicalID, up.OldProperties = out.PhysicalID, props
	if _, err := p.Update(ctx, up); err != nil {
		t.Fatalf("Update = %v", err)
	}
	got, err := s.apigw.GetAuthorizer(ctx, apiID, out.PhysicalID)
	if err != nil || got.Name != "renamed" || !slices.Equal(got.JWTConfiguration.Audience, []string{"aud2"}) {
		t.Errorf("after Update GetAuthorizer = %+v, %v", got, err)
	}
	if err := p.Delete(ctx, up); err != nil {
		t.Errorf("Delete = %v", err)
	}
	if err := p.Delete(ctx, up); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
}

func TestDeployment(t *testing.T) {
	s := newServices(t)
	p := provider.Deployment{Gateway: s.apigw}
	ctx := context.Background()
	apiID := newHTTPAPI(t, s)
	if _, err := s.apigw.CreateStage(ctx, apiID, apigw.CreateStageInput{StageName: "prod"}); err != nil {
		t.Fatal(err)
	}
	req := request("Dep", "AWS::ApiGatewayV2::Deployment", map[string]any{"ApiId": apiID, "StageName": "prod", "Description": "first"})
	out, err := p.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create = %v", err)
	}
	st, err := s.apigw.GetStage(ctx, apiID, "prod")
	if err != nil || st.DeploymentID != out.PhysicalID {
		t.Errorf("stage prod deployment = %+v, %v; want %s", st, err, out.PhysicalID)
	}
	up := request("Dep", "AWS::ApiGatewayV2::Deployment", map[string]any{"ApiId": apiID, "StageName": "prod", "Description": "second"})
	up.PhysicalID, up.OldProperties = out.PhysicalID, req.Properties
	if _, err := p.Update(ctx, up); err != nil {
		t.Fatalf("Update = %v", err)
	}
	d, err := s.apigw.GetDeployment(ctx, apiID, out.PhysicalID)
	if err != nil || d.Description != "second" {
		t.Errorf("after Update GetDeployment = %+v, %v", d, err)
	}
}

// An Api with Body is imported from its OpenAPI definition (spec
// cloudformation §6.7): an object (intrinsics already evaluated), JSON or
// YAML text, or an S3 object.
func TestAPIImport(t *testing.T) {
	const yamlBody = `openapi: "3.0.1"
info: {title: from-yaml, version: "1"}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:lambda:us-east-1:123456789012:function:fn
        payloadFormatVersion: "2.0"
`
	object := map[string]any{"openapi": "3.0.1", "info": map[string]any{"title": "from-object", "version": "1"},
		"paths": map[string]any{"/items/{id}": map[string]any{"x-amazon-apigateway-any-method": map[string]any{
			"x-amazon-apigateway-integration": map[string]any{"type": "aws_proxy", "httpMethod": "POST",
				"uri": "arn:aws:lambda:us-east-1:123456789012:function:fn", "payloadFormatVersion": "2.0"}}}}}
	tests := []struct {
		name      string
		props     map[string]any
		wantName  string
		wantRoute string
	}{
		{"object", map[string]any{"Body": object}, "from-object", "ANY /items/{id}"},
		{"yamlText", map[string]any{"Body": yamlBody}, "from-yaml", "GET /pets"},
		{"s3", map[string]any{"BodyS3Location": map[string]any{"Bucket": "b", "Key": "api.yaml"}}, "from-yaml", "GET /pets"},
		{"nameOverrides", map[string]any{"Body": yamlBody, "Name": "renamed"}, "renamed", "GET /pets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServices(t)
			p := provider.API{Gateway: s.apigw, Objects: objects{"b/api.yaml": yamlBody}}
			ctx := context.Background()
			out, err := p.Create(ctx, request("Api", "AWS::ApiGatewayV2::Api", tt.props))
			if err != nil {
				t.Fatalf("Create(%s) = %v", tt.name, err)
			}
			api, err := s.apigw.GetAPI(ctx, out.PhysicalID)
			if err != nil || api.Name != tt.wantName {
				t.Errorf("GetAPI = %+v, %v; want name %s", api, err, tt.wantName)
			}
			routes, _ := s.apigw.ListRoutes(ctx, out.PhysicalID)
			if len(routes) != 1 || routes[0].RouteKey != tt.wantRoute {
				t.Errorf("routes = %+v, want one %s", routes, tt.wantRoute)
			}
		})
	}
}

type objects map[string]string

func (o objects) GetObjectBytes(ctx context.Context, bucket, key string) ([]byte, error) {
	if b, ok := o[bucket+"/"+key]; ok {
		return []byte(b), nil
	}
	return nil, &notFound{bucket + "/" + key}
}

type notFound struct{ what string }

func (e *notFound) Error() string { return "no object " + e.what }
