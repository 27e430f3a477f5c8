package awsapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	agw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	agwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

func TestAPIGatewayV2(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := agw.NewFromConfig(e.cfg())
	api, err := c.CreateApi(cx, &agw.CreateApiInput{Name: aws.String("demo"), ProtocolType: agwtypes.ProtocolTypeHttp})
	if err != nil {
		t.Fatalf("CreateApi: %v", err)
	}
	id := api.ApiId
	if len(aws.ToString(id)) != 10 || aws.ToString(api.RouteSelectionExpression) != "$request.method $request.path" {
		t.Errorf("CreateApi = %s %s", aws.ToString(id), aws.ToString(api.RouteSelectionExpression))
	}
	integ, err := c.CreateIntegration(cx, &agw.CreateIntegrationInput{ApiId: id, IntegrationType: agwtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String("arn:aws:lambda:us-east-1:000000000000:function:echo"), PayloadFormatVersion: aws.String("2.0")})
	if err != nil {
		t.Fatalf("CreateIntegration: %v", err)
	}
	route, err := c.CreateRoute(cx, &agw.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /pets"), Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))})
	if err != nil {
		t.Fatalf("CreateRoute: %v", err)
	}
	auth, err := c.CreateAuthorizer(cx, &agw.CreateAuthorizerInput{ApiId: id, Name: aws.String("jwt"), AuthorizerType: agwtypes.AuthorizerTypeJwt,
		IdentitySource: []string{"$request.header.Authorization"}, JwtConfiguration: &agwtypes.JWTConfiguration{Audience: []string{"a"}, Issuer: aws.String("https://issuer.example")}})
	if err != nil {
		t.Fatalf("CreateAuthorizer: %v", err)
	}
	stage, err := c.CreateStage(cx, &agw.CreateStageInput{ApiId: id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})
	if err != nil || aws.ToString(stage.StageName) != "$default" {
		t.Fatalf("CreateStage = %+v, %v", stage, err)
	}
	gs, err := c.GetStage(cx, &agw.GetStageInput{ApiId: id, StageName: aws.String("$default")})
	if err != nil || aws.ToString(gs.DeploymentId) == "" {
		t.Fatalf("GetStage($default) = %+v, %v; want an auto deployment", gs, err)
	}
	dep, err := c.CreateDeployment(cx, &agw.CreateDeploymentInput{ApiId: id, Description: aws.String("manual")})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	if _, err := c.GetDeployment(cx, &agw.GetDeploymentInput{ApiId: id, DeploymentId: dep.DeploymentId}); err != nil {
		t.Fatalf("GetDeployment: %v", err)
	}
	up, err := c.UpdateRoute(cx, &agw.UpdateRouteInput{ApiId: id, RouteId: route.RouteId, RouteKey: aws.String("GET /cats")})
	if err != nil || aws.ToString(up.RouteKey) != "GET /cats" {
		t.Fatalf("UpdateRoute = %+v, %v", up, err)
	}
	for name, n := range map[string]func() (int, error){
		"GetApis": func() (int, error) {
			o, err := c.GetApis(cx, &agw.GetApisInput{})
			return lenOr(o, err, func() int { return len(o.Items) })
		},
		"GetRoutes": func() (int, error) {
			o, err := c.GetRoutes(cx, &agw.GetRoutesInput{ApiId: id})
			return lenOr(o, err, func() int { return len(o.Items) })
		},
		"GetIntegrations": func() (int, error) {
			o, err := c.GetIntegrations(cx, &agw.GetIntegrationsInput{ApiId: id})
			return lenOr(o, err, func() int { return len(o.Items) })
		},
		"GetStages": func() (int, error) {
			o, err := c.GetStages(cx, &agw.GetStagesInput{ApiId: id})
			return lenOr(o, err, func() int { return len(o.Items) })
		},
		"GetAuthorizers": func() (int, error) {
			o, err := c.GetAuthorizers(cx, &agw.GetAuthorizersInput{ApiId: id})
			return lenOr(o, err, func() int { return len(o.Items) })
		},
	} {
		if got, err := n(); err != nil || got != 1 {
			t.Errorf("%s = %d items, %v; want 1", name, got, err)
		}
	}
	if _, err := c.UpdateApi(cx, &agw.UpdateApiInput{ApiId: id, Description: aws.String("d")}); err != nil {
		t.Fatalf("UpdateApi: %v", err)
	}
	if _, err := c.DeleteAuthorizer(cx, &agw.DeleteAuthorizerInput{ApiId: id, AuthorizerId: auth.AuthorizerId}); err != nil {
		t.Fatalf("DeleteAuthorizer: %v", err)
	}
	_, err = c.GetRoute(cx, &agw.GetRouteInput{ApiId: id, RouteId: aws.String("nope123")})
	if code, msg, status := apiErr(err); code != "NotFoundException" || status != 404 || msg != "Invalid Route identifier specified nope123" {
		t.Errorf("GetRoute(nope) = %s %d %q", code, status, msg)
	}
	if _, err := c.ResetAuthorizersCache(cx, &agw.ResetAuthorizersCacheInput{ApiId: id, StageName: aws.String("$default")}); err != nil {
		t.Errorf("ResetAuthorizersCache: %v", err)
	}
	if _, err := c.DeleteStage(cx, &agw.DeleteStageInput{ApiId: id, StageName: aws.String("$default")}); err != nil {
		t.Fatalf("DeleteStage: %v", err)
	}
	if _, err := c.DeleteApi(cx, &agw.DeleteApiInput{ApiId: id}); err != nil {
		t.Fatalf("DeleteApi: %v", err)
	}
	_, err = c.GetApi(cx, &agw.GetApiInput{ApiId: id})
	if code, _, status := apiErr(err); code != "NotFoundException" || status != 404 {
		t.Errorf("GetApi(deleted) = %s %d", code, status)
	}
	_, err = c.GetDomainNames(cx, &agw.GetDomainNamesInput{})
	if code, _, status := apiErr(err); code != "NotImplemented" || status != 501 {
		t.Errorf("GetDomainNames = %s %d, want NotImplemented 501", code, status)
	}
}

func lenOr(o any, err error, n func() int) (int, error) {
	if err != nil {
		return 0, err
	}
	return n(), nil
}
