package apigw_test

import (
	"context"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

func TestStagesAndVariables(t *testing.T) {
	ctx := context.Background()
	inv := returning(seedResult)
	svc := newService(t, openDB(t, t.TempDir()), inv)
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "stages", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	ig, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{
		IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0",
		IntegrationURI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:app:${stageVariables.alias}/invocations",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: "ANY /{proxy+}", Target: "integrations/" + ig.IntegrationID}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []apigw.CreateStageInput{
		{StageName: "$default", StageVariables: map[string]string{"alias": "live"}},
		{StageName: "dev", StageVariables: map[string]string{"alias": "dev"}},
	} {
		if _, err := svc.CreateStage(ctx, api.APIID, st); err != nil {
			t.Fatal(err)
		}
	}
	// Turning AutoDeploy on deploys at once.
	for _, name := range []string{"$default", "dev"} {
		st, err := svc.UpdateStage(ctx, api.APIID, name, apigw.UpdateStageInput{AutoDeploy: ptr(true)})
		if err != nil || st.DeploymentID == "" {
			t.Fatalf("UpdateStage(%s, AutoDeploy) = %+v, %v, want a deployment", name, st, err)
		}
	}
	srv := serve(t, svc)
	url := srv.URL + "/_aws/execute-api/" + api.APIID
	tests := []struct {
		path, wantFn, wantARN string
	}{
		{"/x", "arn:aws:lambda:us-east-1:123456789012:function:app:live", "/$default/GET/{proxy+}"},
		{"/dev/x", "arn:aws:lambda:us-east-1:123456789012:function:app:dev", "/dev/GET/{proxy+}"},
		{"/$default/x", "arn:aws:lambda:us-east-1:123456789012:function:app:live", "/$default/GET/{proxy+}"},
	}
	for _, tt := range tests {
		if got := do(t, srv.Client(), "GET", url+tt.path, nil); got.status != 200 {
			t.Errorf("GET %s = %v, want 200", tt.path, got)
			continue
		}
		call := inv.last(t)
		if call.FunctionARN != tt.wantFn || call.SourceARN != "arn:aws:execute-api:us-east-1:123456789012:"+api.APIID+tt.wantARN {
			t.Errorf("GET %s invoked %s as %s, want %s as ...%s", tt.path, call.FunctionARN, call.SourceARN, tt.wantFn, tt.wantARN)
		}
	}
	// Stage variables apply at once, without a deployment.
	if _, err := svc.UpdateStage(ctx, api.APIID, "dev", apigw.UpdateStageInput{StageVariables: map[string]string{"alias": "v2"}}); err != nil {
		t.Fatal(err)
	}
	do(t, srv.Client(), "GET", url+"/dev/x", nil)
	if fn := inv.last(t).FunctionARN; fn != "arn:aws:lambda:us-east-1:123456789012:function:app:v2" {
		t.Errorf("after UpdateStage, invoked %s, want alias v2", fn)
	}
	// HEAD gets headers only.
	if got := do(t, srv.Client(), "HEAD", url+"/x", nil); got.status != 200 || got.body != "" {
		t.Errorf("HEAD /x = %v, want 200 without body", got)
	}
	// disableExecuteApiEndpoint switches the endpoint off (403).
	if _, err := svc.UpdateAPI(ctx, api.APIID, apigw.UpdateAPIInput{DisableExecuteAPIEndpoint: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if got := do(t, srv.Client(), "GET", url+"/x", nil); got.status != 403 || got.body != `{"message":"Forbidden"}` {
		t.Errorf("GET with the endpoint disabled = %v, want 403 Forbidden", got)
	}
	// Deleting the stage stops serving it.
	if err := svc.DeleteStage(ctx, api.APIID, "dev"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateAPI(ctx, api.APIID, apigw.UpdateAPIInput{DisableExecuteAPIEndpoint: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	do(t, srv.Client(), "GET", url+"/dev/x", nil)
	if call := inv.last(t); call.SourceARN != "arn:aws:execute-api:us-east-1:123456789012:"+api.APIID+"/$default/GET/{proxy+}" {
		t.Errorf("GET /dev/x after DeleteStage(dev) went to %s, want the $default stage", call.SourceARN)
	}
}
