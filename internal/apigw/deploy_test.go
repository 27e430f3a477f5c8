package apigw_test

import (
	"context"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

func ptr[T any](v T) *T { return &v }

// TestAutoDeployTriggers pins which calls make a new deployment of an
// AutoDeploy stage (shared/specs/http-api.md §2 [VAL test_auto_deploy_stage_http]).
func TestAutoDeployTriggers(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, openDB(t, t.TempDir()), returning(seedResult))
	api := seedAPI(t, svc)
	other, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "other", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	routes, _ := svc.ListRoutes(ctx, api.APIID)
	integs, _ := svc.ListIntegrations(ctx, api.APIID)
	var spareInteg, authID, spareRoute string

	steps := []struct {
		name    string
		op      func() error
		deploys bool
	}{
		{"CreateIntegration", func() error {
			ig, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{IntegrationType: "AWS_PROXY", IntegrationURI: seedFn, PayloadFormatVersion: "1.0"})
			if ig != nil {
				spareInteg = ig.IntegrationID
			}
			return err
		}, false},
		{"CreateAuthorizer", func() error {
			a, err := svc.CreateAuthorizer(ctx, api.APIID, apigw.CreateAuthorizerInput{Name: "jwt", AuthorizerType: "JWT",
				IdentitySource: []string{"$request.header.Authorization"}, JWTConfiguration: &apigw.JWTConfiguration{Issuer: "https://issuer.example", Audience: []string{"a"}}})
			if a != nil {
				authID = a.AuthorizerID
			}
			return err
		}, false},
		{"UpdateAuthorizer-unattached", func() error {
			_, err := svc.UpdateAuthorizer(ctx, api.APIID, authID, apigw.UpdateAuthorizerInput{Name: ptr("jwt2")})
			return err
		}, true},
		{"CreateRoute", func() error {
			r, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: "POST /x", Target: "integrations/" + spareInteg})
			if r != nil {
				spareRoute = r.RouteID
			}
			return err
		}, true},
		{"UpdateRoute", func() error {
			_, err := svc.UpdateRoute(ctx, api.APIID, spareRoute, apigw.UpdateRouteInput{RouteKey: ptr("POST /y")})
			return err
		}, true},
		{"UpdateIntegration", func() error {
			_, err := svc.UpdateIntegration(ctx, api.APIID, integs[0].IntegrationID, apigw.UpdateIntegrationInput{TimeoutInMillis: ptr(1000)})
			return err
		}, true},
		{"UpdateApi", func() error {
			_, err := svc.UpdateAPI(ctx, api.APIID, apigw.UpdateAPIInput{Description: ptr("changed")})
			return err
		}, true},
		{"DeleteRoute", func() error { return svc.DeleteRoute(ctx, api.APIID, spareRoute) }, true},
		{"DeleteIntegration", func() error { return svc.DeleteIntegration(ctx, api.APIID, spareInteg) }, false},
		{"OtherApiChange", func() error {
			_, err := svc.UpdateAPI(ctx, other.APIID, apigw.UpdateAPIInput{Description: ptr("x")})
			return err
		}, false},
		{"UpdateStage-variables", func() error {
			_, err := svc.UpdateStage(ctx, api.APIID, "$default", apigw.UpdateStageInput{StageVariables: map[string]string{"a": "b"}})
			return err
		}, false},
	}
	_ = routes
	for _, st := range steps {
		before, _ := svc.ListDeployments(ctx, api.APIID)
		if err := st.op(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		after, _ := svc.ListDeployments(ctx, api.APIID)
		if got := len(after) > len(before); got != st.deploys {
			t.Errorf("%s made a deployment = %v, want %v", st.name, got, st.deploys)
		}
	}

	stage, err := svc.GetStage(ctx, api.APIID, "$default")
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.GetDeployment(ctx, api.APIID, stage.DeploymentID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.AutoDeployed || d.DeploymentStatus != "DEPLOYED" || d.Description != "Automatic deployment triggered by changes to the Api configuration" {
		t.Errorf("auto deployment = %+v, want autoDeployed DEPLOYED with AWS's description", d)
	}
	if want := "Successfully deployed stage with deployment ID '" + d.DeploymentID + "'"; stage.LastDeploymentStatusMessage != want {
		t.Errorf("lastDeploymentStatusMessage = %q, want %q", stage.LastDeploymentStatusMessage, want)
	}
	if len(d.DeploymentID) != 6 {
		t.Errorf("deployment ID %q, want 6 characters", d.DeploymentID)
	}
}

// TestChangesLiveOnlyWhenDeployed: a stage without AutoDeploy keeps
// serving its deployment until CreateDeployment (§2).
func TestChangesLiveOnlyWhenDeployed(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, openDB(t, t.TempDir()), returning(seedResult))
	srv := serve(t, svc)
	api, err := svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "manual", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	ig, err := svc.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{IntegrationType: "AWS_PROXY", IntegrationURI: seedFn, PayloadFormatVersion: "2.0"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: "GET /a", Target: "integrations/" + ig.IntegrationID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	url := srv.URL + "/_aws/execute-api/" + api.APIID
	get := func(path string) int { return do(t, srv.Client(), "GET", url+path, nil).status }
	if got := get("/dev/a"); got != 404 {
		t.Errorf("GET /dev/a before any deployment = %d, want 404", got)
	}
	d, err := svc.CreateDeployment(ctx, api.APIID, apigw.CreateDeploymentInput{StageName: "dev", Description: "first"})
	if err != nil || d.DeploymentStatus != "DEPLOYED" || d.AutoDeployed {
		t.Fatalf("CreateDeployment = %+v, %v", d, err)
	}
	if got := get("/dev/a"); got != 200 {
		t.Errorf("GET /dev/a after deployment = %d, want 200", got)
	}
	if got := get("/a"); got != 404 {
		t.Errorf("GET /a without a $default stage = %d, want 404", got)
	}
	if _, err := svc.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: "GET /b", Target: "integrations/" + ig.IntegrationID}); err != nil {
		t.Fatal(err)
	}
	if got := get("/dev/b"); got != 404 {
		t.Errorf("GET /dev/b before redeploy = %d, want 404", got)
	}
	if err := svc.DeleteDeployment(ctx, api.APIID, d.DeploymentID); awsCode(err) != "BadRequestException" {
		t.Errorf("DeleteDeployment(in use) = %v, want BadRequestException", err)
	}
	if _, err := svc.CreateDeployment(ctx, api.APIID, apigw.CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	if got := get("/dev/b"); got != 200 {
		t.Errorf("GET /dev/b after redeploy = %d, want 200", got)
	}
	if err := svc.DeleteDeployment(ctx, api.APIID, d.DeploymentID); err != nil {
		t.Errorf("DeleteDeployment(unused) = %v", err)
	}
	// Pointing a stage back at an explicit deployment (UpdateStage).
	unattached, err := svc.CreateDeployment(ctx, api.APIID, apigw.CreateDeploymentInput{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteRoute(ctx, api.APIID, mustRouteID(t, svc, api.APIID, "GET /b")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDeployment(ctx, api.APIID, apigw.CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	if got := get("/dev/b"); got != 404 {
		t.Errorf("GET /dev/b after deleting and redeploying = %d, want 404", got)
	}
	if _, err := svc.UpdateStage(ctx, api.APIID, "dev", apigw.UpdateStageInput{DeploymentID: &unattached.DeploymentID}); err != nil {
		t.Fatal(err)
	}
	if got := get("/dev/b"); got != 200 {
		t.Errorf("GET /dev/b on the older deployment = %d, want 200", got)
	}
	// AutoDeploy stage: an explicit deployment to it FAILS (§2 [VAL]).
	if _, err := svc.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "auto", AutoDeploy: true}); err != nil {
		t.Fatal(err)
	}
	fd, err := svc.CreateDeployment(ctx, api.APIID, apigw.CreateDeploymentInput{StageName: "auto"})
	if err != nil || fd.DeploymentStatus != "FAILED" {
		t.Errorf("CreateDeployment(AutoDeploy stage) = %+v, %v, want status FAILED", fd, err)
	}
	if _, err := svc.UpdateStage(ctx, api.APIID, "auto", apigw.UpdateStageInput{DeploymentID: &unattached.DeploymentID}); awsCode(err) != "BadRequestException" {
		t.Errorf("UpdateStage(DeploymentId on AutoDeploy) = %v, want BadRequestException", err)
	}
	if _, err := svc.CreateDeployment(ctx, api.APIID, apigw.CreateDeploymentInput{StageName: "nope"}); awsCode(err) != "NotFoundException" {
		t.Errorf("CreateDeployment(unknown stage) = %v, want NotFoundException", err)
	}
}

func mustRouteID(t *testing.T, svc *apigw.Service, apiID, key string) string {
	t.Helper()
	routes, err := svc.ListRoutes(context.Background(), apiID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if r.RouteKey == key {
			return r.RouteID
		}
	}
	t.Fatalf("no route %s", key)
	return ""
}
