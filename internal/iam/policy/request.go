package policy

import (
	"strconv"
	"strings"
	"time"
)

// Principal kinds, as the caller identifies who is asking.
const (
	KindRoot        = "Root"        // an account's root user
	KindRole        = "Role"        // a role acting directly (API Gateway's credentials role)
	KindAssumedRole = "AssumedRole" // a session of a role (sts assumed-role)
	KindService     = "Service"     // an AWS service principal such as apigateway.amazonaws.com
	KindAnonymous   = "Anonymous"   // an unsigned caller
)

// Principal is who makes a request.
type Principal struct {
	// Kind is one of the Kind constants.
	Kind string
	// ARN is the principal's ARN: arn:aws:iam::123456789012:root,
	// arn:aws:iam::123456789012:role/path/name, or for a session
	// arn:aws:sts::123456789012:assumed-role/name/session. Empty for
	// services and anonymous callers.
	ARN string
	// Service is the service principal's name (apigateway.amazonaws.com);
	// empty for other kinds.
	Service string
	// AccountID is the 12-digit account the principal belongs to; empty
	// for services and anonymous callers.
	AccountID string
	// RoleARN is, for an assumed-role session, the ARN of its role (with
	// its path, which the session ARN lacks): a policy naming the role
	// matches its sessions. Empty otherwise.
	RoleARN string
}

// Request is what is being asked, in the terms policies speak.
type Request struct {
	Principal Principal
	// Action is service:Action, e.g. lambda:InvokeFunction.
	Action string
	// Resource is the ARN acted on.
	Resource string
	// Context holds the request's condition keys (aws:SourceArn, …). Keys
	// compare case-insensitively, as IAM's do. Nil means none.
	Context map[string][]string
	// Now answers aws:CurrentTime and aws:EpochTime when Context does not
	// carry them; the zero time leaves them absent.
	Now time.Time
	// SourceAccount answers aws:SourceAccount when Context does not carry
	// it: the account on whose behalf a service principal acts. Empty
	// leaves it absent.
	SourceAccount string
}

// lookup returns the values of a condition key: from Context first, then
// the global keys IAM derives from the request itself.
func (r *Request) lookup(key string) ([]string, bool) {
	for k, v := range r.Context {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	p := &r.Principal
	switch strings.ToLower(key) {
	case "aws:currenttime":
		if !r.Now.IsZero() {
			return []string{r.Now.UTC().Format(time.RFC3339)}, true
		}
	case "aws:epochtime":
		if !r.Now.IsZero() {
			return []string{strconv.FormatInt(r.Now.Unix(), 10)}, true
		}
	case "aws:principalarn":
		// For a session IAM reports the role's ARN, not the session's.
		if p.Kind == KindAssumedRole && p.RoleARN != "" {
			return []string{p.RoleARN}, true
		}
		if p.ARN != "" {
			return []string{p.ARN}, true
		}
	case "aws:sourceaccount":
		if r.SourceAccount != "" {
			return []string{r.SourceAccount}, true
		}
	case "aws:principalaccount":
		if p.AccountID != "" {
			return []string{p.AccountID}, true
		}
	case "aws:principalservicename":
		if p.Kind == KindService && p.Service != "" {
			return []string{p.Service}, true
		}
	case "aws:principaltype":
		switch p.Kind {
		case KindRoot:
			return []string{"Account"}, true
		case KindRole, KindAssumedRole:
			return []string{"AssumedRole"}, true
		case KindAnonymous:
			return []string{"Anonymous"}, true
		}
	}
	return nil, false
}
