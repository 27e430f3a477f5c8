package policy

// Match is what one document says about one request.
type Match struct {
	// Effect is Deny when a statement explicitly denies, Allow when one
	// allows and none denies, and "" when no statement applies.
	Effect Effect
	// Index is the deciding statement's position in Statements.
	Index int
	// ByAccount is set on an Allow from a resource or trust policy whose
	// Principal named only the principal's account. IAM reads that as a
	// delegation: the account's own identity policies must also allow.
	ByAccount bool
}

// Statement returns the deciding statement, or nil when none applied.
func (m Match) Statement(p *Policy) *Statement {
	if m.Effect == "" {
		return nil
	}
	return &p.Statements[m.Index]
}

// Evaluate reports which statement of p decides r. An explicit deny wins
// over any allow; among allows, one naming the principal itself is
// preferred to one naming only its account. Principal elements are
// consulted only for resource and trust documents.
func (p *Policy) Evaluate(r *Request) Match {
	best := Match{}
	for i := range p.Statements {
		s := &p.Statements[i]
		pm := matchExact
		if p.kind != Identity {
			if pm = s.matchPrincipal(&r.Principal); pm == noMatch {
				continue
			}
		}
		if !s.matchAction(r.Action) || !s.matchResource(r) || !s.matchConditions(r) {
			continue
		}
		if s.Effect == Deny {
			return Match{Effect: Deny, Index: i}
		}
		byAccount := pm == matchAccount
		if best.Effect == "" || (best.ByAccount && !byAccount) {
			best = Match{Effect: Allow, Index: i, ByAccount: byAccount}
		}
	}
	return best
}

func (s *Statement) matchPrincipal(p *Principal) principalMatch {
	if s.principal == nil {
		return noMatch
	}
	m := s.principal.match(p)
	if !s.notPrincipal {
		return m
	}
	// NotPrincipal applies to everyone it does not name; naming the
	// account excludes every principal in it.
	if m == noMatch {
		return matchExact
	}
	return noMatch
}

func (s *Statement) matchAction(action string) bool {
	for i := range s.actions {
		if s.actions[i].match(action) {
			return !s.notAction
		}
	}
	return s.notAction
}

func (s *Statement) matchResource(r *Request) bool {
	if !s.hasResource {
		return true
	}
	for i := range s.resources {
		if s.resources[i].match(r.Resource, r) {
			return !s.notResource
		}
	}
	return s.notResource
}

func (s *Statement) matchConditions(r *Request) bool {
	for i := range s.conditions {
		if !s.conditions[i].eval(r) {
			return false
		}
	}
	return true
}
