package iam

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/iam/policy"
)

// Principal is who makes a request; see policy.Principal for the fields.
// Callers may leave AccountID empty when ARN carries it, and RoleARN empty
// for sessions of this account's roles: Authorize fills both in. A Root
// principal with neither ARN nor AccountID is this account's root user.
type Principal = policy.Principal

// Principal kinds.
const (
	KindRoot        = policy.KindRoot
	KindRole        = policy.KindRole
	KindAssumedRole = policy.KindAssumedRole
	KindService     = policy.KindService
	KindAnonymous   = policy.KindAnonymous
)

// Request asks whether Principal may perform Action on Resource.
type Request struct {
	Principal Principal
	// Action is service:Action, e.g. lambda:InvokeFunction.
	Action string
	// Resource is the ARN acted on. For a Lambda invoke it is the ARN the
	// caller invoked: unqualified, or qualified with the version or alias.
	Resource string
	// Context holds condition keys such as aws:SourceArn, aws:SourceAccount,
	// aws:SourceIp, aws:SecureTransport. aws:CurrentTime, aws:EpochTime and
	// the aws:Principal* keys are derived when absent.
	Context map[string][]string
	// ResourcePolicy is the target's resource-based policy (a Lambda
	// function policy), or nil when it has none.
	ResourcePolicy []byte
}

// Decision is Authorize's answer.
type Decision struct {
	Allowed bool
	// Reason says which statement of which policy allowed or explicitly
	// denied the request, or starts with "no statement allows".
	Reason string
}

// DeniedDecision is a remembered denial, for "why was this denied?".
type DeniedDecision struct {
	Time      time.Time
	Principal Principal
	Action    string
	Resource  string
	Reason    string
}

// labeledPolicy is a parsed document with the name a human knows it by.
type labeledPolicy struct {
	label string
	doc   *policy.Policy
}

// compiledRole is a role with every document that applies to it parsed,
// cached until the next write.
type compiledRole struct {
	role     Role
	identity []labeledPolicy
	boundary *labeledPolicy
	trust    *policy.Policy
}

// Authorize decides req the way AWS does: an explicit deny in any
// applicable policy wins; otherwise, within one account, an allow from the
// principal's identity policies (within its permissions boundary) or from
// a resource policy statement naming the principal suffices; across
// accounts both must allow. The error is non-nil only when the decision
// could not be made (a malformed resource policy, a store failure).
func (s *Service) Authorize(ctx context.Context, req Request) (Decision, error) {
	var rp *labeledPolicy
	if len(req.ResourcePolicy) > 0 {
		doc, err := s.resourcePolicy(req.ResourcePolicy)
		if err != nil {
			return Decision{}, fmt.Errorf("authorize %s on %s: resource policy: %w", req.Action, req.Resource, err)
		}
		rp = &labeledPolicy{label: "the resource policy", doc: doc}
	}
	d, err := s.decide(ctx, req.Principal, req.Action, req.Resource, req.Context, rp, false)
	if err != nil {
		return Decision{}, fmt.Errorf("authorize %s on %s: %w", req.Action, req.Resource, err)
	}
	return d, nil
}

// CanAssume reports whether by may assume the role: the role's trust
// policy must allow sts:AssumeRole for it — naming it, or naming its
// account when its own identity policies also allow sts:AssumeRole on the
// role. Unlike Authorize, this holds for the account's root user too. A
// service principal is taken to act for this account (aws:SourceAccount);
// aws:SourceArn is absent, so trust conditions on it do not hold.
// Errors: NoSuchEntity when the role does not exist.
func (s *Service) CanAssume(ctx context.Context, roleARN string, by Principal) (bool, error) {
	cr, err := s.roleByARN(ctx, roleARN)
	if err != nil {
		return false, fmt.Errorf("can assume %s: %w", roleARN, err)
	}
	trust := &labeledPolicy{label: fmt.Sprintf("the trust policy of role %q", cr.role.RoleName), doc: cr.trust}
	d, err := s.decide(ctx, by, "sts:AssumeRole", roleARN, nil, trust, true)
	if err != nil {
		return false, fmt.Errorf("can assume %s: %w", roleARN, err)
	}
	return d.Allowed, nil
}

// decide evaluates and, on a denial, remembers it. With assume the
// resource policy is a trust policy and must itself grant.
func (s *Service) decide(ctx context.Context, p Principal, action, resource string, reqCtx map[string][]string, rp *labeledPolicy, assume bool) (Decision, error) {
	if p.AccountID == "" {
		p.AccountID = accountOf(p.ARN)
	}
	if p.Kind == KindRoot && p.ARN == "" && p.AccountID == "" {
		// A bare Root is this account's root user: cloudlet's own CLI
		// and console.
		p.AccountID = s.account
	}
	if p.Kind == KindRoot && p.ARN == "" {
		p.ARN = "arn:" + s.partition + ":iam::" + p.AccountID + ":root"
	}
	own := p.AccountID == s.account
	var role *compiledRole
	missing := ""
	switch p.Kind {
	case KindRoot, KindService, KindAnonymous:
	case KindRole, KindAssumedRole:
		if own {
			var err error
			if role, missing, err = s.roleForPrincipal(ctx, &p); err != nil {
				return Decision{}, err
			}
		}
	default:
		return Decision{}, fmt.Errorf("unknown principal kind %q", p.Kind)
	}
	req := policy.Request{Principal: p, Action: action, Resource: resource, Context: reqCtx, Now: s.now()}
	if p.Kind == KindService {
		// A service acts for the one account cloudlet serves; trust and
		// function policies guarding against confused deputies check
		// aws:SourceAccount.
		req.SourceAccount = s.account
	}
	d := evaluate(&req, role, rp, own, s.account, assume)
	if missing != "" && !d.Allowed {
		d.Reason += ": role " + missing + " does not exist"
	}
	if !d.Allowed {
		s.recordDenial(DeniedDecision{Time: req.Now, Principal: p, Action: action, Resource: resource, Reason: d.Reason})
	}
	return d, nil
}

const noStatement = "no statement allows"

// evaluate is the combining algorithm, free of I/O.
func evaluate(req *policy.Request, role *compiledRole, rp *labeledPolicy, own bool, account string, assume bool) Decision {
	p := &req.Principal
	// An explicit deny anywhere decides.
	if role != nil {
		docs := role.identity
		if role.boundary != nil {
			docs = append(docs[:len(docs):len(docs)], *role.boundary)
		}
		for _, lp := range docs {
			if m := lp.doc.Evaluate(req); m.Effect == policy.Deny {
				return denied(lp, m)
			}
		}
	}
	var rm policy.Match
	if rp != nil {
		if rm = rp.doc.Evaluate(req); rm.Effect == policy.Deny {
			return denied(*rp, rm)
		}
	}

	var idAllow *Decision
	boundaryBlocked := ""
	if role != nil {
		for _, lp := range role.identity {
			if m := lp.doc.Evaluate(req); m.Effect == policy.Allow {
				idAllow = &Decision{Allowed: true, Reason: "allowed by " + describe(lp, m)}
				break
			}
		}
		if idAllow != nil && role.boundary != nil {
			if m := role.boundary.doc.Evaluate(req); m.Effect != policy.Allow {
				idAllow, boundaryBlocked = nil, role.boundary.label
			}
		}
	}
	rootOwn := p.Kind == KindRoot && own
	// Another account's identity policies are not ours to read: its
	// principals are taken to be allowed by their own account, and only
	// our resource policy decides.
	foreign := !own && (p.Kind == KindRoot || p.Kind == KindRole || p.Kind == KindAssumedRole)
	identityOK := idAllow != nil || rootOwn || foreign
	resExact := rm.Effect == policy.Allow && !rm.ByAccount
	resAccount := rm.Effect == policy.Allow && rm.ByAccount
	var resAllow Decision
	if rm.Effect == policy.Allow {
		resAllow = Decision{Allowed: true, Reason: "allowed by " + describe(*rp, rm)}
	}

	resourceAccount := accountOf(req.Resource)
	if resourceAccount == "" {
		resourceAccount = account
	}
	cross := p.AccountID != "" && p.AccountID != resourceAccount

	switch {
	case assume:
		// A trust policy must grant: naming the principal is enough;
		// naming its account delegates to its identity policies.
		if resExact || (resAccount && identityOK) {
			return resAllow
		}
		if resAccount {
			return Decision{Reason: noStatement + ": the trust policy names only the account, and no identity policy allows sts:AssumeRole"}
		}
	case cross:
		if identityOK && (resExact || resAccount) {
			if idAllow != nil {
				return Decision{Allowed: true, Reason: idAllow.Reason + " and " + resAllow.Reason}
			}
			return resAllow
		}
		if identityOK {
			return Decision{Reason: noStatement + ": a cross-account request also needs the resource policy to allow it"}
		}
	default:
		if rootOwn {
			return Decision{Allowed: true, Reason: "allowed: the root user of account " + account + " may perform any action"}
		}
		if idAllow != nil {
			return *idAllow
		}
		if resExact {
			return resAllow
		}
	}
	if boundaryBlocked != "" {
		return Decision{Reason: noStatement + ": " + boundaryBlocked + " does not allow it"}
	}
	if resAccount && !assume {
		return Decision{Reason: noStatement + ": the resource policy names only the account, and no identity policy allows it"}
	}
	return Decision{Reason: noStatement}
}

func denied(lp labeledPolicy, m policy.Match) Decision {
	return Decision{Reason: "explicitly denied by " + describe(lp, m)}
}

func describe(lp labeledPolicy, m policy.Match) string {
	st := m.Statement(lp.doc)
	return "statement " + st.Label(m.Index) + " of " + lp.label
}

// roleForPrincipal finds the role a Role or AssumedRole principal acts
// as, filling in p.RoleARN for sessions. missing names the role when it
// does not exist (then role is nil and only resource policies can allow).
func (s *Service) roleForPrincipal(ctx context.Context, p *Principal) (role *compiledRole, missing string, err error) {
	_, _, _, _, resource, ok := arnParts(p.ARN)
	if !ok {
		return nil, p.ARN, nil
	}
	var name string
	if p.Kind == KindRole {
		if _, name, ok = splitPathName(resource, "role"); !ok {
			return nil, p.ARN, nil
		}
	} else {
		// assumed-role/NAME/SESSION: sessions carry no path.
		parts := strings.Split(resource, "/")
		if len(parts) != 3 || parts[0] != "assumed-role" {
			return nil, p.ARN, nil
		}
		name = parts[1]
	}
	cr, err := s.compiled(ctx, name)
	if err != nil {
		return nil, "", err
	}
	if cr == nil {
		return nil, strconv.Quote(name), nil
	}
	if p.Kind == KindRole && cr.role.ARN != p.ARN {
		return nil, p.ARN, nil
	}
	if p.Kind == KindAssumedRole {
		if p.RoleARN == "" {
			p.RoleARN = cr.role.ARN
		} else if p.RoleARN != cr.role.ARN {
			return nil, p.RoleARN, nil
		}
	}
	return cr, "", nil
}

// roleByARN resolves a role ARN of this account. Errors: NoSuchEntity.
func (s *Service) roleByARN(ctx context.Context, arn string) (*compiledRole, error) {
	_, service, _, account, resource, _ := arnParts(arn)
	_, name, ok := splitPathName(resource, "role")
	if !ok {
		return nil, errNoSuchRole(arn)
	}
	if service != "iam" || account != s.account {
		return nil, errNoSuchRole(name)
	}
	cr, err := s.compiled(ctx, name)
	if err != nil {
		return nil, err
	}
	if cr == nil || cr.role.ARN != arn {
		return nil, errNoSuchRole(name)
	}
	return cr, nil
}

// recordDenial remembers d in the ring and logs it.
func (s *Service) recordDenial(d DeniedDecision) {
	s.log.Debug("iam denied", "principal", principalName(d.Principal), "action", d.Action, "resource", d.Resource, "reason", d.Reason)
	s.mu.Lock()
	s.denials[s.denialAt] = d
	s.denialAt = (s.denialAt + 1) % len(s.denials)
	if s.denialN < len(s.denials) {
		s.denialN++
	}
	s.mu.Unlock()
}

func principalName(p Principal) string {
	switch {
	case p.ARN != "":
		return p.ARN
	case p.Service != "":
		return p.Service
	}
	return p.Kind
}

// RecentDenials returns the most recent denials, newest first.
func (s *Service) RecentDenials() []DeniedDecision {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DeniedDecision, 0, s.denialN)
	for i := 1; i <= s.denialN; i++ {
		out = append(out, s.denials[(s.denialAt-i+len(s.denials))%len(s.denials)])
	}
	return out
}
