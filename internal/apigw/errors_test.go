package apigw_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

func awsCode(err error) string {
	if err == nil {
		return ""
	}
	return awserr.Code(err)
}

// TestInvokeOutcomes maps Invoker outcomes to gateway answers (§6).
func TestInvokeOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		answer func(ctx context.Context, in apigw.Invocation) (*apigw.InvokeResult, error)
		status int
		body   string
	}{
		{"function-error", func(context.Context, apigw.Invocation) (*apigw.InvokeResult, error) {
			return &apigw.InvokeResult{Payload: []byte(`{"errorMessage":"boom","errorType":"Exception"}`), FunctionError: "Unhandled"}, nil
		}, 500, `{"message":"Internal Server Error"}`},
		{"refused", func(context.Context, apigw.Invocation) (*apigw.InvokeResult, error) {
			return nil, awserr.WithStatus(403, "AccessDeniedException", "not allowed")
		}, 500, `{"message":"Internal Server Error"}`},
		{"no-such-function", func(context.Context, apigw.Invocation) (*apigw.InvokeResult, error) {
			return nil, fmt.Errorf("invoke: %w", awserr.WithStatus(404, "ResourceNotFoundException", "Function not found"))
		}, 500, `{"message":"Internal Server Error"}`},
		{"timeout", func(ctx context.Context, _ apigw.Invocation) (*apigw.InvokeResult, error) {
			<-ctx.Done()
			return nil, fmt.Errorf("invoke: %w", ctx.Err())
		}, 503, `{"message":"Service Unavailable"}`},
		{"timeout-reported-late", func(ctx context.Context, _ apigw.Invocation) (*apigw.InvokeResult, error) {
			<-ctx.Done()
			return nil, errors.New("sandbox gave up")
		}, 503, `{"message":"Service Unavailable"}`},
		{"invalid-result", func(context.Context, apigw.Invocation) (*apigw.InvokeResult, error) {
			return &apigw.InvokeResult{Payload: []byte(`{"statusCode":"test"}`)}, nil
		}, 500, `{"message":"Internal Server Error"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t, openDB(t, t.TempDir()), &stubInvoker{answer: tt.answer})
			api := seedAPI(t, svc)
			integs, _ := svc.ListIntegrations(ctx, api.APIID)
			if _, err := svc.UpdateIntegration(ctx, api.APIID, integs[0].IntegrationID, apigw.UpdateIntegrationInput{TimeoutInMillis: ptr(50)}); err != nil {
				t.Fatal(err)
			}
			srv := serve(t, svc)
			got := do(t, srv.Client(), "GET", srv.URL+"/", nil, "Host", api.APIID+".execute-api.localhost")
			if got.status != tt.status || got.body != tt.body {
				t.Errorf("GET / = %v, want %d %q", got, tt.status, tt.body)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content-type = %q, want application/json", ct)
			}
		})
	}
}

// TestModelErrors pins the AWS error codes of invalid control-plane calls.
func TestModelErrors(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, openDB(t, t.TempDir()), nil)
	api := seedAPI(t, svc)
	id := api.APIID
	integs, _ := svc.ListIntegrations(ctx, id)
	target := "integrations/" + integs[0].IntegrationID
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"api-no-name", second(svc.CreateAPI(ctx, apigw.CreateAPIInput{ProtocolType: "HTTP"})), "BadRequestException"},
		{"api-bad-protocol", second(svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "x", ProtocolType: "GRPC"})), "BadRequestException"},
		{"api-websocket", second(svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "x", ProtocolType: "WEBSOCKET"})), "NotImplemented"},
		{"api-cors-credentials-wildcard", second(svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "x", ProtocolType: "HTTP",
			CorsConfiguration: &apigw.Cors{AllowOrigins: []string{"*"}, AllowCredentials: ptr(true)}})), "BadRequestException"},
		{"api-cors-partial-wildcard", second(svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "x", ProtocolType: "HTTP",
			CorsConfiguration: &apigw.Cors{AllowOrigins: []string{"https://*.domain.com"}}})), "BadRequestException"},
		{"api-cors-bad-method", second(svc.CreateAPI(ctx, apigw.CreateAPIInput{Name: "x", ProtocolType: "HTTP",
			CorsConfiguration: &apigw.Cors{AllowMethods: []string{"BAD"}}})), "BadRequestException"},
		{"get-api-missing", second(svc.GetAPI(ctx, "nope")), "NotFoundException"},
		{"route-missing-api", second(svc.CreateRoute(ctx, "nope", apigw.CreateRouteInput{RouteKey: "GET /"})), "NotFoundException"},
		{"route-duplicate", second(svc.CreateRoute(ctx, id, apigw.CreateRouteInput{RouteKey: "GET /", Target: target})), "ConflictException"},
		{"route-bad-key", second(svc.CreateRoute(ctx, id, apigw.CreateRouteInput{RouteKey: "GET /metrics/"})), "BadRequestException"},
		{"route-no-key", second(svc.CreateRoute(ctx, id, apigw.CreateRouteInput{})), "BadRequestException"},
		{"route-bad-target", second(svc.CreateRoute(ctx, id, apigw.CreateRouteInput{RouteKey: "GET /a", Target: "integrations/zzzzzzz"})), "BadRequestException"},
		{"route-scopes-without-jwt", second(svc.CreateRoute(ctx, id, apigw.CreateRouteInput{RouteKey: "GET /b", AuthorizationScopes: []string{"s"}})), "BadRequestException"},
		{"route-jwt-unknown-authorizer", second(svc.CreateRoute(ctx, id, apigw.CreateRouteInput{RouteKey: "GET /c", AuthorizationType: "JWT", AuthorizerID: "zzzzzzz"})), "BadRequestException"},
		{"get-route-missing", second(svc.GetRoute(ctx, id, "zzzzzzz")), "NotFoundException"},
		{"integration-http-type", second(svc.CreateIntegration(ctx, id, apigw.CreateIntegrationInput{IntegrationType: "HTTP", IntegrationURI: "http://x"})), "BadRequestException"},
		{"integration-no-payload-version", second(svc.CreateIntegration(ctx, id, apigw.CreateIntegrationInput{IntegrationType: "AWS_PROXY", IntegrationURI: seedFn})), "BadRequestException"},
		{"integration-http-proxy-2.0", second(svc.CreateIntegration(ctx, id, apigw.CreateIntegrationInput{IntegrationType: "HTTP_PROXY", IntegrationURI: "http://x", PayloadFormatVersion: "2.0"})), "BadRequestException"},
		{"integration-timeout", second(svc.CreateIntegration(ctx, id, apigw.CreateIntegrationInput{IntegrationType: "AWS_PROXY", IntegrationURI: seedFn, PayloadFormatVersion: "2.0", TimeoutInMillis: 30001})), "BadRequestException"},
		{"integration-in-use", svc.DeleteIntegration(ctx, id, integs[0].IntegrationID), "ConflictException"},
		{"stage-duplicate", second(svc.CreateStage(ctx, id, apigw.CreateStageInput{StageName: "$default"})), "ConflictException"},
		{"stage-bad-name-slash", second(svc.CreateStage(ctx, id, apigw.CreateStageInput{StageName: "stage/name"})), "BadRequestException"},
		{"stage-bad-name-dollar", second(svc.CreateStage(ctx, id, apigw.CreateStageInput{StageName: "$stage"})), "BadRequestException"},
		{"stage-empty-name", second(svc.CreateStage(ctx, id, apigw.CreateStageInput{})), "BadRequestException"},
		{"stage-auto-and-deployment", second(svc.CreateStage(ctx, id, apigw.CreateStageInput{StageName: "x", AutoDeploy: true, DeploymentID: "abc123"})), "BadRequestException"},
		{"stage-unknown-deployment", second(svc.CreateStage(ctx, id, apigw.CreateStageInput{StageName: "y", DeploymentID: "abc123"})), "NotFoundException"},
		{"get-stage-missing", second(svc.GetStage(ctx, id, "nope")), "NotFoundException"},
		{"authorizer-request-no-version", second(svc.CreateAuthorizer(ctx, id, apigw.CreateAuthorizerInput{Name: "a", AuthorizerType: "REQUEST", AuthorizerURI: seedFn})), "BadRequestException"},
		{"delete-api-missing", svc.DeleteAPI(ctx, "nope"), "NotFoundException"},
	}
	for _, tt := range tests {
		if got := awsCode(tt.err); got != tt.code {
			t.Errorf("%s = %v (code %q), want %s", tt.name, tt.err, got, tt.code)
		}
	}
	if err := svc.DeleteAPI(ctx, id); err != nil {
		t.Errorf("DeleteAPI = %v", err)
	}
	if _, err := svc.GetAPI(ctx, id); awsCode(err) != "NotFoundException" {
		t.Errorf("GetAPI after delete = %v, want NotFoundException", err)
	}
	msg := ""
	if e, ok := awserr.As(second(svc.GetAPI(ctx, "abc"))); ok {
		msg = e.Message
	}
	if want := "Invalid API identifier specified 123456789012:abc"; msg != want {
		t.Errorf("GetAPI(abc) message = %q, want %q", msg, want)
	}
}

func second[T any](_ T, err error) error { return err }
