package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// rawPrincipal is a Principal element before validation: "*" or a map of
// principal types to names.
type rawPrincipal struct {
	any           bool
	aws           []string
	service       []string
	federated     []string
	canonicalUser []string
}

func decodePrincipal(raw json.RawMessage) (*rawPrincipal, bool) {
	raw = bytes.TrimSpace(raw)
	var s string
	if decodeString(raw, &s) {
		// Only the wildcard may stand alone; an ARN must sit under "AWS".
		return &rawPrincipal{any: true}, s == "*"
	}
	var m map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil, false
	}
	p := &rawPrincipal{}
	for k, v := range m {
		vals, ok := stringOrList(v)
		if !ok || len(vals) == 0 {
			return nil, false
		}
		switch k {
		case "AWS":
			p.aws = vals
		case "Service":
			p.service = vals
		case "Federated":
			p.federated = vals
		case "CanonicalUser":
			p.canonicalUser = vals
		default:
			return nil, false
		}
	}
	return p, true
}

var (
	accountRE = regexp.MustCompile(`^\d{12}$`)
	// A principal ARN names an account's root, a user, a role or a role
	// session: arn:partition:iam::123456789012:role/path/name.
	principalARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$`)
	serviceRE      = regexp.MustCompile(`^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$`)
)

func (p *rawPrincipal) check() error {
	for _, a := range p.aws {
		if a != "*" && !accountRE.MatchString(a) && !principalARNRE.MatchString(a) {
			return &Error{fmt.Sprintf(msgInvalidPrincipal, "AWS", a)}
		}
	}
	for _, s := range p.service {
		if s != "*" && !serviceRE.MatchString(s) {
			return &Error{fmt.Sprintf(msgInvalidPrincipal, "SERVICE", s)}
		}
	}
	for _, f := range p.federated {
		if f == "" {
			return &Error{fmt.Sprintf(msgInvalidPrincipal, "Federated", f)}
		}
	}
	return nil
}

// principalSet is a compiled Principal element.
type principalSet struct {
	any      bool
	accounts []string // 12-digit accounts, from "123456789012" or ".../root"
	arns     []string // role, user and session ARNs (not root)
	services []string
	others   []string // Federated and CanonicalUser names, matched against the ARN
}

func (p *rawPrincipal) compile() *principalSet {
	ps := &principalSet{any: p.any}
	for _, a := range p.aws {
		switch {
		case a == "*":
			// IAM documents "AWS": "*" as equivalent to "*".
			ps.any = true
		case accountRE.MatchString(a):
			ps.accounts = append(ps.accounts, a)
		case strings.HasSuffix(a, ":root") && strings.Count(a, ":") == 5:
			ps.accounts = append(ps.accounts, strings.Split(a, ":")[4])
		default:
			ps.arns = append(ps.arns, a)
		}
	}
	for _, s := range p.service {
		if s == "*" {
			ps.any = true
			continue
		}
		ps.services = append(ps.services, s)
	}
	ps.others = append(append(ps.others, p.federated...), p.canonicalUser...)
	return ps
}

// principalMatch says how a Principal element matched a request's
// principal.
type principalMatch uint8

const (
	noMatch principalMatch = iota
	// matchAccount: the element named the principal's account. For anyone
	// but that account's root this delegates to the account's identity
	// policies rather than granting anything by itself.
	matchAccount
	// matchExact: the element named the principal itself (or everyone).
	matchExact
)

func (ps *principalSet) match(p *Principal) principalMatch {
	if ps.any {
		return matchExact
	}
	switch p.Kind {
	case KindService:
		for _, s := range ps.services {
			if strings.EqualFold(s, p.Service) {
				return matchExact
			}
		}
		return noMatch
	case KindAnonymous:
		return noMatch
	}
	for _, a := range ps.arns {
		if a == p.ARN || (p.Kind == KindAssumedRole && p.RoleARN != "" && a == p.RoleARN) {
			return matchExact
		}
	}
	for _, o := range ps.others {
		if o == p.ARN {
			return matchExact
		}
	}
	for _, acct := range ps.accounts {
		if acct == p.AccountID && p.AccountID != "" {
			if p.Kind == KindRoot {
				return matchExact
			}
			return matchAccount
		}
	}
	return noMatch
}
