package apigw_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/apigw/jwtauth/issuertest"
)

func newTestIssuer(t testing.TB) *issuertest.Issuer {
	t.Helper()
	is, err := issuertest.New()
	if err != nil {
		t.Fatalf("issuertest.New: %v", err)
	}
	t.Cleanup(is.Close)
	return is
}

// jwtFixture serves GET /open (JWT, no scopes), GET /scoped (JWT, scopes
// read:pets or admin) and GET /public (no authorization) behind a JWT
// authorizer on is with audience my-api.
func jwtFixture(t testing.TB, is *issuertest.Issuer, payloadVersion string) *authFixture {
	t.Helper()
	return newAuthFixture(t, returning(integrationResult), authSetup{
		payloadVersion: payloadVersion,
		authorizer: &apigw.CreateAuthorizerInput{Name: "jwt", AuthorizerType: "JWT",
			IdentitySource:   []string{"$request.header.Authorization"},
			JWTConfiguration: &apigw.JWTConfiguration{Issuer: is.URL, Audience: []string{"my-api"}}},
		routes: []apigw.CreateRouteInput{
			{RouteKey: "GET /open", AuthorizationType: "JWT"},
			{RouteKey: "GET /scoped", AuthorizationType: "JWT", AuthorizationScopes: []string{"read:pets", "admin"}},
			{RouteKey: "GET /public"},
		},
	})
}

func token(t testing.TB, is *issuertest.Issuer, edits map[string]any) string {
	t.Helper()
	c := map[string]any{
		"iss": is.URL, "aud": "my-api", "sub": "user-1", "cognito:groups": []string{"admin", "poweruser"},
		"iat": fixedNow.Add(-time.Minute).Unix(), "exp": fixedNow.Add(time.Hour).Unix(),
	}
	for k, v := range edits {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	tok, err := is.Sign("key-1", c)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}

func challenge(desc string) string {
	return `Bearer scope="" error="invalid_token" error_description="` + desc + `"`
}

// §8.2, §6: the status, body and challenge of each outcome; a refused
// request never reaches the integration.
func TestJWTAuthorizer(t *testing.T) {
	is := newTestIssuer(t)
	f := jwtFixture(t, is, "2.0")
	good := token(t, is, nil)
	scoped := token(t, is, map[string]any{"scope": "openid read:pets"})
	tests := []struct {
		name       string
		path       string
		header     []string
		status     int
		body       string
		challenge  string
		integrated bool
	}{
		{"noHeader", "/open", nil, 401, `{"message":"Unauthorized"}`, challenge("the token is missing"), false},
		{"emptyHeader", "/open", []string{"Authorization", ""}, 401, `{"message":"Unauthorized"}`, challenge("the token is missing"), false},
		{"garbage", "/open", []string{"Authorization", "Bearer x.y"}, 401, `{"message":"Unauthorized"}`, challenge("the token is malformed"), false},
		{"wrongAudience", "/open", []string{"Authorization", token(t, is, map[string]any{"aud": "other"})}, 401, `{"message":"Unauthorized"}`, challenge("the token does not have a valid audience"), false},
		{"wrongIssuer", "/open", []string{"Authorization", token(t, is, map[string]any{"iss": "https://elsewhere"})}, 401, `{"message":"Unauthorized"}`, challenge("the token does not have a valid issuer"), false},
		{"expired", "/open", []string{"Authorization", token(t, is, map[string]any{"exp": fixedNow.Add(-time.Second).Unix()})}, 401, `{"message":"Unauthorized"}`, challenge("the token has expired"), false},
		{"valid", "/open", []string{"Authorization", good}, 200, "ok", "", true},
		{"validWithBearer", "/open", []string{"Authorization", "Bearer " + good}, 200, "ok", "", true},
		{"scopedWithoutScope", "/scoped", []string{"Authorization", good}, 403, `{"message":"Forbidden"}`, "", false},
		{"scopedOtherScope", "/scoped", []string{"Authorization", token(t, is, map[string]any{"scope": "write:pets"})}, 403, `{"message":"Forbidden"}`, "", false},
		{"scopedWithScope", "/scoped", []string{"Authorization", scoped}, 200, "ok", "", true},
		{"scopedWithScp", "/scoped", []string{"Authorization", token(t, is, map[string]any{"scp": []string{"admin"}})}, 200, "ok", "", true},
		{"publicNeedsNothing", "/public", nil, 200, "ok", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.inv.reset()
			res := f.do(t, "GET", tt.path, tt.header...)
			if res.status != tt.status || res.body != tt.body {
				t.Errorf("GET %s = %v, want %d %q", tt.path, res, tt.status, tt.body)
			}
			if got := res.header.Get("Www-Authenticate"); got != tt.challenge {
				t.Errorf("GET %s www-authenticate = %q, want %q", tt.path, got, tt.challenge)
			}
			if tt.status != 200 && res.header.Get("Content-Type") != "application/json" {
				t.Errorf("GET %s content-type = %q, want application/json", tt.path, res.header.Get("Content-Type"))
			}
			_, integ := f.inv.split()
			if got := len(integ) > 0; got != tt.integrated {
				t.Errorf("GET %s invoked the integration = %v, want %v", tt.path, got, tt.integrated)
			}
		})
	}
}

// §8.2: claims stringified; scopes null on unscoped routes and the
// token's full list on scoped ones; 1.0 puts claims and scopes directly
// under requestContext.authorizer.
func TestJWTClaimsInEvent(t *testing.T) {
	is := newTestIssuer(t)
	tok := token(t, is, map[string]any{"scope": "openid read:pets", "email_verified": true, "nothing": nil})
	wantClaims := map[string]any{
		"iss": is.URL, "aud": "my-api", "sub": "user-1", "cognito:groups": "[admin poweruser]",
		"iat": "1744668556", "exp": "1744672216", "scope": "openid read:pets", "email_verified": "true",
	}
	tests := []struct {
		version, path string
		at            []string
		wantScopes    any
	}{
		{"2.0", "/open", []string{"requestContext", "authorizer", "jwt"}, nil},
		{"2.0", "/scoped", []string{"requestContext", "authorizer", "jwt"}, []any{"openid", "read:pets"}},
		{"1.0", "/open", []string{"requestContext", "authorizer"}, nil},
		{"1.0", "/scoped", []string{"requestContext", "authorizer"}, []any{"openid", "read:pets"}},
	}
	for _, tt := range tests {
		t.Run(tt.version+tt.path, func(t *testing.T) {
			f := jwtFixture(t, is, tt.version)
			if res := f.do(t, "GET", tt.path, "Authorization", tok); res.status != 200 {
				t.Fatalf("GET %s = %v, want 200", tt.path, res)
			}
			auth, ok := jpath(f.lastEvent(t), tt.at...).(map[string]any)
			if !ok {
				t.Fatalf("event has no %v", tt.at)
			}
			if d := cmp.Diff(wantClaims, auth["claims"]); d != "" {
				t.Errorf("claims differ (-want +got):\n%s", d)
			}
			scopes, present := auth["scopes"]
			if !present || !cmp.Equal(scopes, tt.wantScopes) {
				t.Errorf("scopes = %v (present %v), want %v", scopes, present, tt.wantScopes)
			}
		})
	}
}

// The JWKS is fetched once and reused across requests.
func TestJWTKeysCached(t *testing.T) {
	is := newTestIssuer(t)
	f := jwtFixture(t, is, "2.0")
	tok := token(t, is, nil)
	for range 5 {
		if res := f.do(t, "GET", "/open", "Authorization", tok); res.status != 200 {
			t.Fatalf("GET /open = %v, want 200", res)
		}
	}
	if got := is.JWKSFetches.Load(); got != 1 {
		t.Errorf("JWKS fetches for 5 requests = %d, want 1", got)
	}
}

// Claims reach request mapping as $context.authorizer.claims.*.
func TestJWTClaimsInMapping(t *testing.T) {
	is := newTestIssuer(t)
	f := jwtFixture(t, is, "2.0")
	ctx := context.Background()
	igs, err := f.svc.ListIntegrations(ctx, f.apiID)
	if err != nil || len(igs) != 1 {
		t.Fatalf("ListIntegrations = %v, %v", igs, err)
	}
	params := map[string]string{"overwrite:header.x-user": "$context.authorizer.claims.sub"}
	if _, err := f.svc.UpdateIntegration(ctx, f.apiID, igs[0].IntegrationID, apigw.UpdateIntegrationInput{RequestParameters: params}); err != nil {
		t.Fatalf("UpdateIntegration: %v", err)
	}
	if res := f.do(t, "GET", "/open", "Authorization", token(t, is, nil)); res.status != 200 {
		t.Fatalf("GET /open = %v, want 200", res)
	}
	if got := jpath(f.lastEvent(t), "headers", "x-user"); got != "user-1" {
		t.Errorf("headers.x-user = %v, want user-1", got)
	}
}

// Access logs see $context.authorizer.error and the claims.
func TestJWTAccessLog(t *testing.T) {
	is := newTestIssuer(t)
	sink := &logSink{}
	f := newAuthFixture(t, returning(integrationResult), authSetup{
		authorizer: &apigw.CreateAuthorizerInput{Name: "jwt", AuthorizerType: "JWT", IdentitySource: []string{"$request.header.Authorization"},
			JWTConfiguration: &apigw.JWTConfiguration{Issuer: is.URL, Audience: []string{"my-api"}}},
		routes: []apigw.CreateRouteInput{{RouteKey: "GET /open", AuthorizationType: "JWT"}},
		config: func(c *apigw.Config) { c.AccessLogs = sink },
	})
	if _, err := f.svc.UpdateStage(context.Background(), f.apiID, "$default", apigw.UpdateStageInput{AccessLogSettings: &apigw.AccessLogSettings{
		DestinationARN: "arn:aws:logs:us-east-1:123456789012:log-group:api-logs",
		Format:         `$context.requestId $context.status [$context.authorizer.error] [$context.authorizer.claims.sub]`,
	}}); err != nil {
		t.Fatalf("UpdateStage: %v", err)
	}
	f.do(t, "GET", "/open", "Authorization", token(t, is, map[string]any{"aud": "x"}))
	f.do(t, "GET", "/open", "Authorization", token(t, is, nil))
	sink.mu.Lock()
	defer sink.mu.Unlock()
	want := []string{
		"api-logs|" + f.apiID + "_$default|JCInWhFRvHcEJdA= 401 [the token does not have a valid audience] [-]",
		"api-logs|" + f.apiID + "_$default|JCInWhFRvHcEJdA= 200 [-] [user-1]",
	}
	if d := cmp.Diff(want, sink.lines); d != "" {
		t.Errorf("access log lines differ (-want +got):\n%s", d)
	}
}
