package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

// apigwIAM checks the callers of API Gateway AWS_IAM routes (spec
// http-api §8.4): Signature Version 4 for the execute-api service, made
// with the account root's key pair or with session keys IAM issued, and
// IAM's evaluation of execute-api:Invoke. HTTP APIs have no resource
// policies, so only the caller's identity policies (or root) decide.
type apigwIAM struct {
	iam                 *iam.Service
	account             string
	rootKey, rootSecret string
	now                 func() time.Time
}

var _ apigw.IAMAuthenticator = apigwIAM{}

// newAPIGWIAM builds the authenticator; empty root keys mean the
// defaults the AWS API adapter uses (test/test).
func newAPIGWIAM(svc *iam.Service, account, rootKey, rootSecret string) apigwIAM {
	if rootKey == "" {
		rootKey, rootSecret = awsapi.DefaultRootAccessKey, awsapi.DefaultRootSecretKey
	}
	return apigwIAM{iam: svc, account: account, rootKey: rootKey, rootSecret: rootSecret, now: time.Now}
}

func (a apigwIAM) Authenticate(ctx context.Context, r *http.Request, body []byte) (*apigw.IAMCaller, error) {
	sig, err := sigv4.Parse(r)
	if err != nil {
		return nil, err
	}
	if sig.Scope.Service != "execute-api" {
		return nil, fmt.Errorf("signed for service %q, want execute-api", sig.Scope.Service)
	}
	var secret string
	var p iam.Principal
	if sig.AccessKeyID == a.rootKey {
		secret = a.rootSecret
		p = iam.Principal{Kind: iam.KindRoot, ARN: "arn:aws:iam::" + a.account + ":root", AccountID: a.account}
	} else {
		creds, pr, err := a.iam.LookupAccessKey(ctx, sig.AccessKeyID)
		if err != nil {
			return nil, fmt.Errorf("access key %s: %w", sig.AccessKeyID, err)
		}
		if sig.SecurityToken != creds.SessionToken {
			return nil, errors.New("the session token does not belong to the access key")
		}
		secret, p = creds.SecretAccessKey, pr
	}
	if err := sig.Verify(r, secret, payloadHash(r, sig, body), false, a.now()); err != nil {
		// A presigned URL may have been signed over the body's hash
		// rather than UNSIGNED-PAYLOAD; both are accepted.
		if !sig.Presigned || sig.Verify(r, secret, sigv4.HashHex(body), false, a.now()) != nil {
			return nil, err
		}
	}
	c := &apigw.IAMCaller{AccessKey: sig.AccessKeyID, AccountID: p.AccountID, UserARN: p.ARN, Principal: p}
	switch p.Kind {
	case iam.KindRoot:
		c.CallerID = a.account
	case iam.KindAssumedRole:
		// "{roleId}:{session}", as AWS shows a role session's caller.
		_, sess, _ := strings.Cut(p.ARN, ":assumed-role/")
		role, session, _ := strings.Cut(sess, "/")
		c.CallerID = session
		if r, err := a.iam.GetRole(ctx, role); err == nil {
			c.CallerID = r.RoleID + ":" + session
		}
	default:
		c.CallerID = p.ARN
	}
	c.UserID = c.CallerID
	return c, nil
}

// payloadHash is the value the canonical request ends with: the signed
// X-Amz-Content-Sha256 (which must then match the body, unless
// UNSIGNED-PAYLOAD), else the body's hash; UNSIGNED-PAYLOAD for a
// presigned URL unless its query names a hash.
func payloadHash(r *http.Request, sig *sigv4.Signature, body []byte) string {
	if sig.Presigned {
		if h := r.URL.Query().Get("X-Amz-Content-Sha256"); h != "" {
			return h
		}
		return sigv4.UnsignedPayload
	}
	sum := sigv4.HashHex(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && (h == sigv4.UnsignedPayload || h == sum) {
		return h
	}
	return sum // a wrong X-Amz-Content-Sha256 then fails verification
}

func (a apigwIAM) Authorize(ctx context.Context, c *apigw.IAMCaller, action, resource string, conditions map[string]string) (bool, error) {
	p, ok := c.Principal.(iam.Principal)
	if !ok {
		return false, fmt.Errorf("caller %s was not authenticated by this authenticator", c.UserARN)
	}
	conds := make(map[string][]string, len(conditions))
	for k, v := range conditions {
		conds[k] = []string{v}
	}
	d, err := a.iam.Authorize(ctx, iam.Request{Principal: p, Action: action, Resource: resource, Context: conds})
	if err != nil {
		return false, fmt.Errorf("authorize %s on %s: %w", action, resource, err)
	}
	return d.Allowed, nil
}
