package apigw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

// BenchmarkAuthorizers measures the gateway's own work per request on a
// route with each kind of authorization, the function stubbed: none (the
// baseline, as BenchmarkGatewayStub), a JWT verified against a cached
// JWKS, and a Lambda authorizer answered from its cache or invoked each
// time.
func BenchmarkAuthorizers(b *testing.B) {
	is := newTestIssuer(b)
	lift := func(c *apigw.Config) { c.AccountRateLimit, c.AccountBurstLimit = 1e12, 1<<30 }
	allow := routedInvoker(func(apigw.Invocation) (*apigw.InvokeResult, error) {
		return &apigw.InvokeResult{Payload: []byte(`{"isAuthorized":true,"context":{"user":"u1"}}`)}, nil
	})
	cases := []struct {
		name   string
		inv    *stubInvoker
		setup  authSetup
		header []string
	}{
		{"none", returning(integrationResult), authSetup{config: lift,
			routes: []apigw.CreateRouteInput{{RouteKey: "GET /pets"}}}, nil},
		{"jwt", returning(integrationResult), authSetup{config: lift,
			authorizer: &apigw.CreateAuthorizerInput{Name: "jwt", AuthorizerType: "JWT", IdentitySource: []string{"$request.header.Authorization"},
				JWTConfiguration: &apigw.JWTConfiguration{Issuer: is.URL, Audience: []string{"my-api"}}},
			routes: []apigw.CreateRouteInput{{RouteKey: "GET /pets", AuthorizationType: "JWT"}}},
			[]string{"Authorization", "Bearer " + token(b, is, nil)}},
		{"lambdaCached", allow, authSetup{config: lift,
			authorizer: requestAuthorizer("2.0", true, 300, "$request.header.Authorization"),
			routes:     []apigw.CreateRouteInput{{RouteKey: "GET /pets", AuthorizationType: "CUSTOM"}}},
			[]string{"Authorization", "token"}},
		{"lambdaUncached", allow, authSetup{config: lift,
			authorizer: requestAuthorizer("2.0", true, 0, "$request.header.Authorization"),
			routes:     []apigw.CreateRouteInput{{RouteKey: "GET /pets", AuthorizationType: "CUSTOM"}}},
			[]string{"Authorization", "token"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := newAuthFixture(b, c.inv, c.setup)
			req := httptest.NewRequest("GET", "http://"+f.apiID+".execute-api.localhost:4566/pets", nil)
			req.Header.Set("User-Agent", "curl/8.5.0")
			for i := 0; i+1 < len(c.header); i += 2 {
				req.Header.Set(c.header[i], c.header[i+1])
			}
			w := &discardWriter{h: http.Header{}}
			// The stub records every call; drop them so memory stays flat.
			c.inv.reset()
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				f.svc.ServeAPI(w, req, f.apiID, "/pets")
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
				if len(c.inv.calls) > 1024 {
					c.inv.reset()
				}
			}
		})
	}
}
