package apigw

import (
	"errors"
	"slices"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/jwtauth"
)

// authorizeJWT applies a JWT authorizer (§8.2): steps 1–6 fail with 401
// and a www-authenticate challenge, a route scope the token lacks with
// 403.
func (s *Service) authorizeJWT(x *exchange, a *liveAuthorizer) bool {
	var token string
	if vals, ok := x.identityValues(a.sources); ok && len(vals) > 0 {
		token = vals[0]
	}
	var issuer string
	var audiences []string
	if a.JWTConfiguration != nil {
		issuer, audiences = a.JWTConfiguration.Issuer, a.JWTConfiguration.Audience
	}
	start := s.now()
	tok, err := s.jwt.Verify(x.r.Context(), issuer, audiences, token)
	x.authLatency = s.now().Sub(start)
	if err != nil {
		desc := jwtauth.DescMalformed
		var f *jwtauth.Failure
		if errors.As(err, &f) {
			desc = f.Description
		}
		x.authError = desc
		s.log.Debug("apigw: JWT refused", "requestId", x.requestID, "authorizer", a.AuthorizerID, "err", err)
		s.unauthorized(x, `Bearer scope="" error="invalid_token" error_description="`+desc+`"`)
		return false
	}
	if len(x.route.scopes) > 0 && !slices.ContainsFunc(tok.Scopes, func(sc string) bool { return slices.Contains(x.route.scopes, sc) }) {
		// §8.2 step 7: at least one of the route's scopes.
		x.authError = "the token does not have the required scopes"
		s.forbidden(x, "ACCESS_DENIED")
		return false
	}
	x.auth = &authResult{kind: AuthorizationJWT, claims: tok.Claims, scopes: tok.Scopes, sendScopes: len(x.route.scopes) > 0}
	return true
}
