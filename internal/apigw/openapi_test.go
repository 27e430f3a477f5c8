package apigw_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

// samBody is shaped like the Body SAM emits for an AWS::Serverless::HttpApi
// (shared/specs/cloudformation.md §8), intrinsics already resolved.
func samBody(fnHello, fnItems string) []byte {
	integ := func(fn string) map[string]any {
		return map[string]any{"type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": "2.0",
			"uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"}
	}
	doc := map[string]any{
		"openapi": "3.0.1",
		"info":    map[string]any{"title": "sam-app", "version": "1.0"},
		"paths": map[string]any{
			"/hello": map[string]any{"get": map[string]any{"responses": map[string]any{}, "x-amazon-apigateway-integration": integ(fnHello)}},
			"/items/{id}": map[string]any{
				"parameters":                     []any{map[string]any{"name": "id", "in": "path", "required": true}},
				"x-amazon-apigateway-any-method": map[string]any{"responses": map[string]any{}, "x-amazon-apigateway-integration": integ(fnItems)},
			},
			"/secure": map[string]any{"get": map[string]any{
				"security":                        []any{map[string]any{"MyJwt": []any{"read"}}},
				"x-amazon-apigateway-integration": integ(fnHello),
			}},
			"$default": map[string]any{"x-amazon-apigateway-any-method": map[string]any{
				"isDefaultRoute": true, "x-amazon-apigateway-integration": integ(fnItems),
			}},
		},
		"components": map[string]any{"securitySchemes": map[string]any{"MyJwt": map[string]any{
			"type": "oauth2",
			"x-amazon-apigateway-authorizer": map[string]any{"type": "jwt", "identitySource": "$request.header.Authorization",
				"jwtConfiguration": map[string]any{"issuer": "https://issuer.example", "audience": []any{"client"}}},
		}}},
		"tags":                     []any{map[string]any{"name": "httpapi:createdBy", "x-amazon-apigateway-tag-value": "SAM"}},
		"x-amazon-apigateway-cors": map[string]any{"allowOrigins": []any{"https://app.example"}, "allowMethods": []any{"GET"}},
	}
	b, _ := json.Marshal(doc)
	return b
}

func TestImportAPI(t *testing.T) {
	ctx := context.Background()
	const fnHello, fnItems = "arn:aws:lambda:us-east-1:123456789012:function:hello", "arn:aws:lambda:us-east-1:123456789012:function:items"
	inv := returning(`{"statusCode":200,"body":"hi"}`)
	svc := newService(t, openDB(t, t.TempDir()), inv)
	api, err := svc.ImportAPI(ctx, apigw.ImportAPIInput{Body: samBody(fnHello, fnItems)})
	if err != nil {
		t.Fatalf("ImportAPI: %v", err)
	}
	if api.Name != "sam-app" || api.Version != "1.0" || api.Tags["httpapi:createdBy"] != "SAM" || api.CorsConfiguration == nil || api.ProtocolType != "HTTP" {
		t.Errorf("imported API = %+v", api)
	}
	routes, _ := svc.ListRoutes(ctx, api.APIID)
	var keys []string
	for _, r := range routes {
		keys = append(keys, r.RouteKey)
		if r.RouteKey == "GET /secure" && (r.AuthorizationType != "JWT" || r.AuthorizerID == "" || !slices.Equal(r.AuthorizationScopes, []string{"read"})) {
			t.Errorf("GET /secure = %+v, want JWT with scope read", r)
		}
	}
	slices.Sort(keys)
	if want := []string{"$default", "ANY /items/{id}", "GET /hello", "GET /secure"}; !slices.Equal(keys, want) {
		t.Errorf("imported route keys = %v, want %v", keys, want)
	}
	auths, _ := svc.ListAuthorizers(ctx, api.APIID)
	if len(auths) != 1 || auths[0].Name != "MyJwt" || auths[0].AuthorizerType != "JWT" || !slices.Equal(auths[0].IdentitySource, []string{"$request.header.Authorization"}) {
		t.Errorf("imported authorizers = %+v", auths)
	}
	// SAM adds a $default stage with AutoDeploy.
	if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "$default", AutoDeploy: true}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, svc)
	url := srv.URL + "/_aws/execute-api/" + api.APIID
	for path, fn := range map[string]string{"/hello": fnHello, "/items/5": fnItems, "/anything/else": fnItems} {
		if got := do(t, srv.Client(), "GET", url+path, nil); got.status != 200 || got.body != "hi" {
			t.Errorf("GET %s = %v, want 200 hi", path, got)
		}
		if call := inv.last(t); call.FunctionARN != fn {
			t.Errorf("GET %s invoked %s, want %s", path, call.FunctionARN, fn)
		}
	}

	// Reimport replaces the routes and auto-deploys.
	body := strings.Replace(string(samBody(fnHello, fnItems)), `"/hello"`, `"/goodbye"`, 1)
	if _, err := svc.ReimportAPI(ctx, api.APIID, apigw.ImportAPIInput{Body: []byte(body)}); err != nil {
		t.Fatalf("ReimportAPI: %v", err)
	}
	if got := do(t, srv.Client(), "GET", url+"/goodbye", nil); got.status != 200 || inv.last(t).FunctionARN != fnHello {
		t.Errorf("GET /goodbye after reimport = %v via %s, want 200 via hello", got, inv.last(t).FunctionARN)
	}
	if got := do(t, srv.Client(), "GET", url+"/hello", nil); inv.last(t).FunctionARN != fnItems || got.status != 200 {
		t.Errorf("GET /hello after reimport = %v via %s, want the $default route (items)", got, inv.last(t).FunctionARN)
	}
}

func TestImportAPIErrors(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, openDB(t, t.TempDir()), nil)
	tests := []struct {
		name string
		in   apigw.ImportAPIInput
	}{
		{"empty", apigw.ImportAPIInput{}},
		{"yaml", apigw.ImportAPIInput{Body: []byte("openapi: 3.0.1\ninfo:\n  title: x\n")}},
		{"swagger", apigw.ImportAPIInput{Body: []byte(`{"swagger":"2.0","info":{"title":"x"}}`)}},
		{"no-title", apigw.ImportAPIInput{Body: []byte(`{"openapi":"3.0.1","info":{}}`)}},
		{"unresolved-intrinsic", apigw.ImportAPIInput{Body: []byte(`{"openapi":"3.0.1","info":{"title":"x"},"paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"aws_proxy","uri":{"Fn::Sub":"arn:${F}"},"payloadFormatVersion":"2.0"}}}}}`)}},
		{"warnings-fail", apigw.ImportAPIInput{FailOnWarnings: true, Body: []byte(`{"openapi":"3.0.1","info":{"title":"x"},"paths":{"/a":{"get":{}}}}`)}},
		{"undefined-scheme", apigw.ImportAPIInput{Body: []byte(`{"openapi":"3.0.1","info":{"title":"x"},"paths":{"/a":{"get":{"security":[{"nope":[]}]}}}}`)}},
		{"bad-basepath", apigw.ImportAPIInput{Basepath: "sideways", Body: []byte(`{"openapi":"3.0.1","info":{"title":"x"}}`)}},
	}
	for _, tt := range tests {
		if _, err := svc.ImportAPI(ctx, tt.in); awsCode(err) != "BadRequestException" {
			t.Errorf("ImportAPI(%s) = %v, want BadRequestException", tt.name, err)
		}
	}
	// Warnings without FailOnWarnings are reported on the API.
	api, err := svc.ImportAPI(ctx, apigw.ImportAPIInput{Basepath: "prepend", Body: []byte(
		`{"openapi":"3.0.1","info":{"title":"x"},"servers":[{"url":"https://example.com/{basePath}","variables":{"basePath":{"default":"v1"}}}],"paths":{"/a":{"get":{}},"/b/":{"get":{}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Warnings) != 2 {
		t.Errorf("warnings = %q, want 2 (no integration, invalid path)", api.Warnings)
	}
	routes, _ := svc.ListRoutes(ctx, api.APIID)
	if len(routes) != 1 || routes[0].RouteKey != "GET /v1/a" || routes[0].Target != "" {
		t.Errorf("routes = %+v, want GET /v1/a without a target", routes)
	}
}

func TestQuickCreateAndRefusals(t *testing.T) {
	ctx := context.Background()
	inv := returning(seedResult)
	svc := newService(t, openDB(t, t.TempDir()), inv)
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "quick", ProtocolType: "HTTP", Target: seedFn, CredentialsARN: seedRole})
	if err != nil {
		t.Fatal(err)
	}
	integs, _ := svc.ListIntegrations(ctx, api.APIID)
	routes, _ := svc.ListRoutes(ctx, api.APIID)
	stage, err := svc.GetStage(ctx, api.APIID, "$default")
	if err != nil || len(integs) != 1 || len(routes) != 1 {
		t.Fatalf("quick create made %d integrations, %d routes, stage %v", len(integs), len(routes), err)
	}
	ig, r := integs[0], routes[0]
	if ig.IntegrationType != "AWS_PROXY" || ig.PayloadFormatVersion != "2.0" || ig.IntegrationMethod != "POST" || ig.TimeoutInMillis != 30000 ||
		ig.ConnectionType != "INTERNET" || !ig.APIGatewayManaged || ig.CredentialsARN != seedRole {
		t.Errorf("quick-create integration = %+v", ig)
	}
	if r.RouteKey != "$default" || !r.APIGatewayManaged || r.Target != "integrations/"+ig.IntegrationID {
		t.Errorf("quick-create route = %+v", r)
	}
	if !stage.AutoDeploy || !stage.APIGatewayManaged || stage.DeploymentID == "" {
		t.Errorf("quick-create stage = %+v", stage)
	}
	srv := serve(t, svc)
	if got := do(t, srv.Client(), "POST", srv.URL+"/_aws/execute-api/"+api.APIID+"/any/path", nil); got.status != 200 {
		t.Errorf("POST /any/path = %v, want 200", got)
	}
	if call := inv.last(t); call.SourceARN != "arn:aws:execute-api:us-east-1:123456789012:"+api.APIID+"/$default/$default" {
		t.Errorf("SourceARN = %s, want .../$default/$default", call.SourceARN)
	}
	if err := svc.CreateDomainName(ctx, "api.example.com"); awsCode(err) != "NotImplemented" || !strings.Contains(err.Error(), "api.example.com") {
		t.Errorf("CreateDomainName = %v, want NotImplemented naming the domain", err)
	}
}
