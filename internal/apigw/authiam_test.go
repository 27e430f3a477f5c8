package apigw_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

// stubIAM accepts "AWS4-HMAC-SHA256 Credential=AKIDGOOD/..." headers and
// allows the resources in allowed. It stands in for the platform's SigV4
// verifier, which is tested with real signatures in internal/platform.
type stubIAM struct {
	allowed map[string]bool
	fail    error // Authorize's error, when set

	mu    sync.Mutex
	body  []byte
	conds map[string]string
	asked []string
}

var errNoSignature = errors.New("sigv4: missing")

func (s *stubIAM) Authenticate(_ context.Context, r *http.Request, body []byte) (*apigw.IAMCaller, error) {
	s.mu.Lock()
	s.body = body
	s.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDGOOD/") {
		return nil, errNoSignature
	}
	return &apigw.IAMCaller{AccessKey: "AKIDGOOD", AccountID: testAccount, CallerID: "AROAEXAMPLE:session",
		UserID: "AROAEXAMPLE:session", UserARN: "arn:aws:sts::123456789012:assumed-role/caller/session", Principal: "opaque"}, nil
}

func (s *stubIAM) Authorize(_ context.Context, c *apigw.IAMCaller, action, resource string, conds map[string]string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, action+" "+resource)
	s.conds = conds
	if c.Principal != "opaque" {
		return false, errors.New("the caller's handle was not passed back")
	}
	if s.fail != nil {
		return false, s.fail
	}
	return s.allowed[resource], nil
}

func iamFixture(t *testing.T, version string, iam apigw.IAMAuthenticator) *authFixture {
	t.Helper()
	return newAuthFixture(t, returning(integrationResult), authSetup{
		payloadVersion: version,
		routes:         []apigw.CreateRouteInput{{RouteKey: "ANY /pets/{id}", AuthorizationType: "AWS_IAM"}},
		config:         func(c *apigw.Config) { c.IAM = iam },
	})
}

const goodSig = "AWS4-HMAC-SHA256 Credential=AKIDGOOD/20250414/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=abc"

// §8.4: missing or invalid signatures, and callers without
// execute-api:Invoke, get 403 Forbidden; the signer reaches the event.
func TestIAMAuthorization(t *testing.T) {
	iam := &stubIAM{}
	f := iamFixture(t, "2.0", iam)
	arn := "arn:aws:execute-api:us-east-1:123456789012:" + f.apiID + "/$default/POST/pets/7"
	iam.allowed = map[string]bool{arn: true}
	tests := []struct {
		name, method, authz string
		status              int
		body                string
	}{
		{"noHeader", "POST", "", 403, `{"message":"Forbidden"}`},
		{"bearer", "POST", "Bearer x", 403, `{"message":"Forbidden"}`},
		{"invalidToken", "POST", "invalid-token bla=test", 403, `{"message":"Forbidden"}`},
		{"credentialOnly", "POST", "Credential=AKIDGOOD/x", 403, `{"message":"Forbidden"}`},
		{"signatureOnly", "POST", "Signature=random", 403, `{"message":"Forbidden"}`},
		{"noSignaturePart", "POST", "AWS4-HMAC-SHA256 Credential=AKIDBAD/20250414/us-east-1/execute-api/aws4_request", 403, `{"message":"Forbidden"}`},
		{"signedButNotAllowed", "GET", goodSig, 403, `{"message":"Forbidden"}`},
		{"signedAndAllowed", "POST", goodSig, 200, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.inv.reset()
			var hdr []string
			if tt.authz != "" {
				hdr = []string{"Authorization", tt.authz}
			}
			res := do(t, f.srv.Client(), tt.method, f.srv.URL+"/pets/7", strings.NewReader("payload"),
				append([]string{"Host", f.apiID + ".execute-api.localhost"}, hdr...)...)
			if res.status != tt.status || res.body != tt.body {
				t.Errorf("%s /pets/7 = %v, want %d %q", tt.method, res, tt.status, tt.body)
			}
			if string(iam.body) != "payload" {
				t.Errorf("Authenticate got body %q, want %q", iam.body, "payload")
			}
			_, integ := f.inv.split()
			if got := len(integ) == 1; got != (tt.status == 200) {
				t.Errorf("integration invoked = %v, want %v", got, tt.status == 200)
			}
		})
	}
	if want := "execute-api:Invoke " + arn; iam.asked[len(iam.asked)-1] != want {
		t.Errorf("Authorize asked %q, want %q", iam.asked[len(iam.asked)-1], want)
	}
	if got := iam.conds["aws:SourceIp"]; got != "127.0.0.1" {
		t.Errorf("conditions aws:SourceIp = %q, want 127.0.0.1", got)
	}
	// The body read for the signature still reaches the integration.
	if got := jpath(f.lastEvent(t), "body"); got != "cGF5bG9hZA==" {
		t.Errorf("event body = %v, want the base64 of payload", got)
	}
}

func TestIAMCallerInEvent(t *testing.T) {
	tests := []struct {
		version string
		at      []string
		want    string
	}{
		{"2.0", []string{"requestContext", "authorizer"},
			`{"iam":{"accessKey":"AKIDGOOD","accountId":"123456789012","callerId":"AROAEXAMPLE:session","cognitoIdentity":null,"principalOrgId":null,"userArn":"arn:aws:sts::123456789012:assumed-role/caller/session","userId":"AROAEXAMPLE:session"}}`},
		{"1.0", []string{"requestContext", "identity"},
			`{"accessKey":"AKIDGOOD","accountId":"123456789012","caller":"AROAEXAMPLE:session","cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,"cognitoIdentityId":null,"cognitoIdentityPoolId":null,"principalOrgId":null,"sourceIp":"127.0.0.1","user":"AROAEXAMPLE:session","userAgent":"Go-http-client/1.1","userArn":"arn:aws:sts::123456789012:assumed-role/caller/session"}`},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			iam := &stubIAM{}
			f := iamFixture(t, tt.version, iam)
			iam.allowed = map[string]bool{"arn:aws:execute-api:us-east-1:123456789012:" + f.apiID + "/$default/GET/pets/1": true}
			if res := f.do(t, "GET", "/pets/1", "Authorization", goodSig); res.status != 200 {
				t.Fatalf("GET /pets/1 = %v, want 200", res)
			}
			if got := jsonText(t, jpath(f.lastEvent(t), tt.at...)); got != tt.want {
				t.Errorf("event %v = %s, want %s", tt.at, got, tt.want)
			}
		})
	}
}

func TestIAMEdgeCases(t *testing.T) {
	t.Run("notConfigured", func(t *testing.T) {
		f := iamFixture(t, "2.0", nil)
		if res := f.do(t, "GET", "/pets/1", "Authorization", goodSig); res.status != 403 || res.body != `{"message":"Forbidden"}` {
			t.Errorf("GET /pets/1 without an IAMAuthenticator = %v, want 403 Forbidden", res)
		}
	})
	t.Run("authorizeFails", func(t *testing.T) {
		f := iamFixture(t, "2.0", &stubIAM{fail: errors.New("store closed")})
		if res := f.do(t, "GET", "/pets/1", "Authorization", goodSig); res.status != 500 || res.body != `{"message":"Internal Server Error"}` {
			t.Errorf("GET /pets/1 when Authorize fails = %v, want 500", res)
		}
	})
	t.Run("bodyTooLarge", func(t *testing.T) {
		iam := &stubIAM{}
		f := iamFixture(t, "2.0", iam)
		big := io.LimitReader(zeros{}, 10<<20+1)
		res := do(t, f.srv.Client(), "POST", f.srv.URL+"/pets/1", big, "Host", f.apiID+".execute-api.localhost", "Authorization", goodSig)
		if res.status != 413 {
			t.Errorf("POST /pets/1 with 10 MB + 1 = %v, want 413", res)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
