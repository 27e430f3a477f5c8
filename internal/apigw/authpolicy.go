package apigw

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// authPolicy is the policy document a Lambda authorizer returns (§8.3):
// statements of execute-api:Invoke Allow or Deny on route ARNs, with *
// and ? wildcards. An explicit Deny wins; no matching Allow denies.
type authPolicy struct {
	statements []policyStatement
}

type policyStatement struct {
	allow     bool
	actions   []string
	resources []string
}

func (p *authPolicy) allows(action, resource string) bool {
	if p == nil {
		return false
	}
	allowed := false
	for _, st := range p.statements {
		if !matchesAny(st.actions, action, true) || !matchesAny(st.resources, resource, false) {
			continue
		}
		if !st.allow {
			return false
		}
		allowed = true
	}
	return allowed
}

func matchesAny(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			if wildcardMatch(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcardMatch reports whether s matches pattern, where * matches any
// run of characters (slashes included, as in IAM) and ? any one.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// parsePolicy reads {"Version": ..., "Statement": [...] | {...}}; Action
// and Resource may be a string or a list.
func parsePolicy(raw json.RawMessage) (*authPolicy, error) {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("not an object: %w", err)
	}
	var stmts []json.RawMessage
	switch {
	case len(doc.Statement) == 0:
		return nil, errors.New("no Statement")
	case doc.Statement[0] == '[':
		if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
			return nil, fmt.Errorf("statement list: %w", err)
		}
	default:
		stmts = []json.RawMessage{doc.Statement}
	}
	p := &authPolicy{}
	for i, raw := range stmts {
		var st struct {
			Effect   string          `json:"Effect"`
			Action   json.RawMessage `json:"Action"`
			Resource json.RawMessage `json:"Resource"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
		var ps policyStatement
		switch {
		case strings.EqualFold(st.Effect, "Allow"):
			ps.allow = true
		case strings.EqualFold(st.Effect, "Deny"):
		default:
			return nil, fmt.Errorf("statement %d: Effect %q is neither Allow nor Deny", i, st.Effect)
		}
		var err error
		if ps.actions, err = stringOrList(st.Action); err != nil {
			return nil, fmt.Errorf("statement %d: Action: %w", i, err)
		}
		if ps.resources, err = stringOrList(st.Resource); err != nil {
			return nil, fmt.Errorf("statement %d: Resource: %w", i, err)
		}
		p.statements = append(p.statements, ps)
	}
	return p, nil
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, errors.New("missing")
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("want a string or a list of strings")
	}
	return many, nil
}
