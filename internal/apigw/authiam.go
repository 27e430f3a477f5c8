package apigw

import (
	"context"
	"net/http"
	"strconv"
)

// IAMAuthenticator checks the callers of AWS_IAM routes (§8.4) against
// cloudlet's credentials and IAM. The platform implements it with the
// SigV4 verifier and the IAM service; apigw only asks.
type IAMAuthenticator interface {
	// Authenticate verifies r's Signature Version 4 for the execute-api
	// service — header or presigned form, over body (already read from
	// r) — and returns who signed. Any error refuses the request with 403
	// {"message":"Forbidden"}: no signature, a malformed one, an unknown
	// key, a wrong signature or service, a stale date.
	Authenticate(ctx context.Context, r *http.Request, body []byte) (*IAMCaller, error)
	// Authorize reports whether caller may perform action
	// (execute-api:Invoke) on resource
	// (arn:aws:execute-api:{region}:{acct}:{apiId}/{stage}/{METHOD}/{path});
	// conditions holds request condition keys (aws:SourceIp,
	// aws:SecureTransport). An error answers 500.
	Authorize(ctx context.Context, caller *IAMCaller, action, resource string, conditions map[string]string) (bool, error)
}

// IAMCaller is a SigV4 caller as the integration sees it: 2.0's
// requestContext.authorizer.iam and 1.0's requestContext.identity
// (§8.4).
type IAMCaller struct {
	AccessKey string
	AccountID string
	// CallerID is the caller's unique ID: the account ID for the root
	// user, "{roleId}:{session}" for a role session (2.0 callerId, 1.0
	// caller).
	CallerID string
	// UserID is 2.0's userId and 1.0's user; usually CallerID.
	UserID         string
	UserARN        string
	PrincipalOrgID string
	// Principal is the implementation's own handle on the caller, passed
	// back to Authorize; apigw never reads it.
	Principal any
}

// authorizeIAM applies AWS_IAM (§8.4): the body is read first, since the
// signature covers it; every authentication failure is 403 Forbidden, as
// is a caller without execute-api:Invoke on the request's ARN.
func (s *Service) authorizeIAM(x *exchange) bool {
	if s.cfg.IAM == nil {
		x.authError = "AWS_IAM authorization is not configured"
		s.log.Warn("apigw: AWS_IAM route but no IAMAuthenticator configured", "requestId", x.requestID, "routeKey", x.route.key)
		s.forbidden(x, "ACCESS_DENIED")
		return false
	}
	body, ok := s.readBody(x)
	if !ok {
		return false
	}
	x.body, x.bodyRead = body, true
	ctx := x.r.Context()
	start := s.now()
	caller, err := s.cfg.IAM.Authenticate(ctx, x.r, body)
	if err != nil {
		x.authLatency = s.now().Sub(start)
		x.authError = err.Error()
		s.log.Debug("apigw: SigV4 refused", "requestId", x.requestID, "err", err)
		s.forbidden(x, "MISSING_AUTHENTICATION_TOKEN")
		return false
	}
	conds := map[string]string{"aws:SourceIp": sourceIP(x.r), "aws:SecureTransport": strconv.FormatBool(x.r.TLS != nil)}
	allowed, err := s.cfg.IAM.Authorize(ctx, caller, "execute-api:Invoke", x.requestARN(), conds)
	x.authLatency = s.now().Sub(start)
	switch {
	case err != nil:
		x.authError = err.Error()
		s.log.Warn("apigw: IAM authorization failed", "requestId", x.requestID, "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "AUTHORIZER_FAILURE")
		return false
	case !allowed:
		x.authError = "the caller is not allowed execute-api:Invoke on " + x.requestARN()
		s.forbidden(x, "ACCESS_DENIED")
		return false
	}
	x.auth = &authResult{kind: AuthorizationIAM, caller: caller}
	return true
}
