package apigw

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/payload"
)

// authResult is what an authorizer established about a request: the
// integration sees it as requestContext.authorizer (and, for AWS_IAM on
// 1.0, requestContext.identity), and mappings and access logs as
// $context.authorizer.* and $context.identity.*.
type authResult struct {
	kind string // AuthorizationJWT, AuthorizationCustom or AuthorizationIAM

	// JWT: the stringified claims, and the token's scopes, sent only on
	// routes with authorizationScopes (§8.2, FLOCI measured).
	claims     map[string]string
	scopes     []string
	sendScopes bool

	// Lambda: the context the function returned, JSON types kept, and
	// the principalId of an IAM-policy response.
	lambdaCtx    map[string]json.RawMessage
	principalID  string
	hasPrincipal bool

	// AWS_IAM: the verified caller.
	caller *IAMCaller
}

// eventJSON is requestContext.authorizer for an integration of payload
// format version; nil keeps the format's default.
func (a *authResult) eventJSON(version string) []byte {
	if a == nil {
		return nil
	}
	v1 := version == "1.0"
	var v any
	switch a.kind {
	case AuthorizationJWT:
		jwt := jwtAuthorizer{Claims: a.claims}
		if a.sendScopes {
			jwt.Scopes = a.scopes
			if jwt.Scopes == nil {
				jwt.Scopes = []string{}
			}
		}
		if v1 {
			v = jwt // {"claims": {...}, "scopes": ...} (§5.1)
		} else {
			v = map[string]any{"jwt": jwt}
		}
	case AuthorizationCustom:
		if v1 {
			// §8.3 [EMU]: 1.0 flattens the context, values stringified,
			// beside principalId.
			m := make(map[string]string, len(a.lambdaCtx)+1)
			for k, raw := range a.lambdaCtx {
				m[k] = rawString(raw)
			}
			if a.hasPrincipal {
				m["principalId"] = a.principalID
			}
			v = m
		} else {
			m := make(map[string]json.RawMessage, len(a.lambdaCtx)+1)
			for k, raw := range a.lambdaCtx {
				m[k] = raw
			}
			if a.hasPrincipal {
				if _, taken := m["principalId"]; !taken {
					m["principalId"], _ = json.Marshal(a.principalID)
				}
			}
			v = map[string]any{"lambda": m}
		}
	case AuthorizationIAM:
		if v1 {
			return nil // the caller goes to requestContext.identity
		}
		c := a.caller
		v = map[string]any{"iam": iamAuthorizer{
			AccessKey: c.AccessKey, AccountID: c.AccountID, CallerID: c.CallerID,
			PrincipalOrgID: nullable(c.PrincipalOrgID), UserARN: c.UserARN, UserID: c.UserID,
		}}
	default:
		return nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // AWS keeps <, > and & as they are
	if err := enc.Encode(v); err != nil {
		return nil
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

type jwtAuthorizer struct {
	Claims map[string]string `json:"claims"`
	Scopes []string          `json:"scopes"`
}

// iamAuthorizer is 2.0's requestContext.authorizer.iam (GO-EVENTS).
type iamAuthorizer struct {
	AccessKey       string  `json:"accessKey"`
	AccountID       string  `json:"accountId"`
	CallerID        string  `json:"callerId"`
	CognitoIdentity any     `json:"cognitoIdentity"`
	PrincipalOrgID  *string `json:"principalOrgId"`
	UserARN         string  `json:"userArn"`
	UserID          string  `json:"userId"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// identity is 1.0's requestContext.identity caller of an AWS_IAM route.
func (a *authResult) identity() *payload.Identity {
	if a == nil || a.caller == nil {
		return nil
	}
	c := a.caller
	return &payload.Identity{AccessKey: c.AccessKey, AccountID: c.AccountID, Caller: c.CallerID,
		User: c.UserID, UserARN: c.UserARN, PrincipalOrgID: c.PrincipalOrgID}
}

// contextVar resolves $context.authorizer.* and the caller's
// $context.identity.* (DG-logvars).
func (a *authResult) contextVar(name string) (string, bool) {
	if a == nil {
		return "", false
	}
	if rest, ok := strings.CutPrefix(name, "identity."); ok {
		if a.caller == nil {
			return "", false
		}
		c := a.caller
		v := map[string]string{"accessKey": c.AccessKey, "accountId": c.AccountID, "caller": c.CallerID,
			"user": c.UserID, "userArn": c.UserARN, "principalOrgId": c.PrincipalOrgID}[rest]
		return v, v != ""
	}
	rest, ok := strings.CutPrefix(name, "authorizer.")
	if !ok {
		return "", false
	}
	if claim, ok := strings.CutPrefix(rest, "claims."); ok && a.kind == AuthorizationJWT {
		v, ok := a.claims[claim]
		return v, ok
	}
	if rest == "principalId" && a.hasPrincipal {
		return a.principalID, true
	}
	if raw, ok := a.lambdaCtx[rest]; ok {
		return rawString(raw), true
	}
	return "", false
}

// rawString is a JSON value as text: a string's contents, anything else
// as its JSON.
func rawString(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
