package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
)

var errUnknown = errors.New("no such key")

// keys knows creds (long-term) and a session key with its token.
func keys(_ context.Context, id string) (sigv4.Key, error) {
	switch id {
	case creds.AccessKeyID:
		return sigv4.Key{Secret: creds.SecretAccessKey}, nil
	case "ASIASESSION":
		return sigv4.Key{Secret: "session-secret", SessionToken: "token-1"}, nil
	case "ROOT":
		return sigv4.Key{Secret: "root-secret", AnyToken: true}, nil
	}
	return sigv4.Key{}, errUnknown
}

// TestVerifyRequest signs API Gateway calls with the SDK's signer and
// checks them whole, as an AWS_IAM route does.
func TestVerifyRequest(t *testing.T) {
	const url = "https://abc123.execute-api.localhost:4566/prod/items?b=2&a=1"
	session := aws.Credentials{AccessKeyID: "ASIASESSION", SecretAccessKey: "session-secret", SessionToken: "token-1"}
	tests := []struct {
		name      string
		cred      aws.Credentials
		service   string
		body      string // signed
		sent      string // sent instead, when set
		hashHead  bool   // send X-Amz-Content-Sha256
		now       time.Time
		wantKind  sigv4.Kind
		wantError error
	}{
		{name: "signed", cred: creds, service: "execute-api", body: `{"a":1}`},
		{name: "signed-with-hash-header", cred: creds, service: "execute-api", body: `{"a":1}`, hashHead: true},
		{name: "session", cred: session, service: "execute-api", body: "x"},
		{name: "root-any-token", cred: aws.Credentials{AccessKeyID: "ROOT", SecretAccessKey: "root-secret", SessionToken: "whatever"}, service: "execute-api"},
		{name: "other-service", cred: creds, service: "lambda", wantKind: sigv4.Mismatch},
		{name: "unknown-key", cred: aws.Credentials{AccessKeyID: "NOPE", SecretAccessKey: "x"}, service: "execute-api", wantError: errUnknown},
		{name: "session-without-token", cred: aws.Credentials{AccessKeyID: "ASIASESSION", SecretAccessKey: "session-secret"}, service: "execute-api", wantKind: sigv4.UnknownKey},
		{name: "body-changed", cred: creds, service: "execute-api", body: `{"a":1}`, sent: `{"a":2}`, wantKind: sigv4.Mismatch},
		{name: "body-changed-hash-header", cred: creds, service: "execute-api", body: `{"a":1}`, sent: `{"a":2}`, hashHead: true, wantKind: sigv4.BadPayload},
		{name: "late", cred: creds, service: "execute-api", now: signAt.Add(20 * time.Minute), wantKind: sigv4.Skewed},
	}
	signer := v4.NewSigner()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(tt.body))
			hash := sigv4.HashHex([]byte(tt.body))
			if tt.hashHead {
				req.Header.Set("X-Amz-Content-Sha256", hash)
			}
			if err := signer.SignHTTP(context.Background(), tt.cred, req, hash, tt.service, "us-east-1", signAt); err != nil {
				t.Fatal(err)
			}
			sent := tt.body
			if tt.sent != "" {
				sent = tt.sent
			}
			sr := serverSide(t, req)
			now := tt.now
			if now.IsZero() {
				now = signAt.Add(time.Minute)
			}
			sig, err := sigv4.VerifyRequest(context.Background(), sr, []byte(sent), sigv4.Check{Service: "execute-api", Lookup: keys, Now: now})
			switch {
			case tt.wantError != nil:
				if !errors.Is(err, tt.wantError) {
					t.Errorf("VerifyRequest = %v, want %v", err, tt.wantError)
				}
			case kindOf(err) != tt.wantKind:
				t.Errorf("VerifyRequest = %v (kind %d), want kind %d", err, kindOf(err), tt.wantKind)
			}
			if sig == nil || sig.AccessKeyID != tt.cred.AccessKeyID {
				t.Errorf("VerifyRequest signature = %+v, want the signer's key %s", sig, tt.cred.AccessKeyID)
			}
		})
	}
	unsigned, _ := http.NewRequest(http.MethodGet, url, nil)
	if _, err := sigv4.VerifyRequest(context.Background(), serverSide(t, unsigned), nil, sigv4.Check{Lookup: keys, Now: signAt}); kindOf(err) != sigv4.Missing {
		t.Errorf("VerifyRequest(unsigned) = %v, want Missing", err)
	}
}
