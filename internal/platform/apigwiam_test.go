package platform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// eventRecorder is an apigw.Invoker that answers 200 and keeps the last
// event; the function is not what these tests are about.
type eventRecorder struct {
	mu   sync.Mutex
	last []byte
}

func (e *eventRecorder) InvokeForAPI(_ context.Context, in apigw.Invocation) (*apigw.InvokeResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.last = in.Payload
	return &apigw.InvokeResult{Payload: []byte(`{"statusCode":200,"body":"ok"}`)}, nil
}

// AWS_IAM routes verified with real SigV4 signatures (aws-sdk-go-v2's
// signer) against cloudlet's root keys and IAM-issued session keys, and
// authorized by IAM (spec http-api §8.4).
func TestAPIGatewayIAMAuthenticator(t *testing.T) {
	ctx := context.Background()
	const region, account = "us-east-1", DefaultAccountID
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ids, err := iam.New(iam.Config{DB: db, AccountID: account})
	if err != nil {
		t.Fatal(err)
	}
	role, err := ids.CreateRole(ctx, iam.CreateRoleInput{RoleName: "caller",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if err := ids.PutRolePolicy(ctx, "caller", "invoke-get",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/*/GET/*"}]}`); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	session, err := ids.IssueCredentials(ctx, role.ARN, "sess", 0)
	if err != nil {
		t.Fatalf("IssueCredentials: %v", err)
	}

	rec := &eventRecorder{}
	gw, err := apigw.New(apigw.Config{DB: db, Region: region, AccountID: account, Invoker: rec,
		IAM: newAPIGWIAM(ids, account, "", "")})
	if err != nil {
		t.Fatal(err)
	}
	api, err := gw.CreateAPI(ctx, apigw.CreateAPIInput{Name: "iam", ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	ig, err := gw.CreateIntegration(ctx, api.APIID, apigw.CreateIntegrationInput{IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0",
		IntegrationURI: "arn:aws:lambda:us-east-1:" + account + ":function:f"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gw.CreateRoute(ctx, api.APIID, apigw.CreateRouteInput{RouteKey: "ANY /pets/{id}", AuthorizationType: "AWS_IAM", Target: "integrations/" + ig.IntegrationID}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.CreateStage(ctx, api.APIID, apigw.CreateStageInput{StageName: "$default", AutoDeploy: true}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gw.ServeAPI(w, r, api.APIID, r.URL.Path)
	}))
	defer srv.Close()
	host := api.APIID + ".execute-api.localhost"

	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	sess := aws.Credentials{AccessKeyID: session.AccessKeyID, SecretAccessKey: session.SecretAccessKey, SessionToken: session.SessionToken}
	noToken := sess
	noToken.SessionToken = ""
	wrongSecret := root
	wrongSecret.SecretAccessKey = "nope"
	now := time.Now()

	tests := []struct {
		name, method, body string
		signedBody         string           // "" signs body
		creds              *aws.Credentials // nil: unsigned
		service            string
		when               time.Time
		presign            bool
		status             int
		wantUserARN        string
		wantCallerPrefix   string
	}{
		{name: "rootGet", method: "GET", creds: &root, status: 200, wantUserARN: "arn:aws:iam::" + account + ":root", wantCallerPrefix: account},
		{name: "rootPostWithBody", method: "POST", body: `{"a":1}`, creds: &root, status: 200, wantUserARN: "arn:aws:iam::" + account + ":root"},
		{name: "bodyTampered", method: "POST", body: `{"a":2}`, signedBody: `{"a":1}`, creds: &root, status: 403},
		{name: "rootPresigned", method: "GET", creds: &root, presign: true, status: 200},
		{name: "sessionGet", method: "GET", creds: &sess, status: 200,
			wantUserARN: "arn:aws:sts::" + account + ":assumed-role/caller/sess", wantCallerPrefix: role.RoleID + ":sess"},
		{name: "sessionPostNotAllowed", method: "POST", creds: &sess, status: 403},
		{name: "sessionWithoutToken", method: "GET", creds: &noToken, status: 403},
		{name: "unsigned", method: "GET", status: 403},
		{name: "wrongSecret", method: "GET", creds: &wrongSecret, status: 403},
		{name: "otherService", method: "GET", creds: &root, service: "lambda", status: 403},
		{name: "staleDate", method: "GET", creds: &root, when: now.Add(-20 * time.Minute), status: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+"/pets/7?x=1", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = host
			req.Header.Set("Content-Type", "application/json")
			if tt.creds != nil {
				service, when := tt.service, tt.when
				if service == "" {
					service = "execute-api"
				}
				if when.IsZero() {
					when = now
				}
				signed := tt.body
				if tt.signedBody != "" {
					signed = tt.signedBody
				}
				sum := sha256.Sum256([]byte(signed))
				signer := v4.NewSigner()
				if tt.presign {
					u, hdr, err := signer.PresignHTTP(ctx, *tt.creds, req, hex.EncodeToString(sum[:]), service, region, when)
					if err != nil {
						t.Fatal(err)
					}
					req, _ = http.NewRequest(tt.method, u, nil)
					req.Host, req.Header = host, hdr
					req.URL.Host = strings.TrimPrefix(srv.URL, "http://")
				} else if err := signer.SignHTTP(ctx, *tt.creds, req, hex.EncodeToString(sum[:]), service, region, when); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := map[int]string{200: "ok", 403: `{"message":"Forbidden"}`}[tt.status]
			if resp.StatusCode != tt.status || string(body) != want {
				t.Fatalf("%s /pets/7 = %d %q, want %d %q", tt.method, resp.StatusCode, body, tt.status, want)
			}
			if tt.wantUserARN == "" {
				return
			}
			var ev struct {
				Body           string `json:"body"`
				RequestContext struct {
					Authorizer struct {
						IAM struct {
							AccessKey, AccountID, CallerID, UserARN, UserID string
						} `json:"iam"`
					} `json:"authorizer"`
				} `json:"requestContext"`
			}
			rec.mu.Lock()
			err = json.Unmarshal(rec.last, &ev)
			rec.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			got := ev.RequestContext.Authorizer.IAM
			if got.UserARN != tt.wantUserARN || got.AccountID != account || got.AccessKey != tt.creds.AccessKeyID ||
				!strings.HasPrefix(got.CallerID, tt.wantCallerPrefix) || got.UserID != got.CallerID {
				t.Errorf("authorizer.iam = %+v, want userArn %s, account %s, callerId %s…", got, tt.wantUserARN, account, tt.wantCallerPrefix)
			}
			if !bytes.Equal([]byte(ev.Body), []byte(tt.body)) {
				t.Errorf("event body = %q, want %q", ev.Body, tt.body)
			}
		})
	}
}
