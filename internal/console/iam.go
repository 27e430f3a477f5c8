package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

func roleURL(name string) string { return Prefix + "iam/roles/" + url.PathEscape(name) }

// allRoles pages through ListRoles.
func (c *Console) allRoles(ctx context.Context) ([]iam.Role, error) {
	var out []iam.Role
	in := iam.ListRolesInput{MaxItems: 1000}
	for {
		page, err := c.cfg.IAM.ListRoles(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list roles: %w", err)
		}
		out = append(out, page.Roles...)
		if !page.IsTruncated || page.Marker == "" {
			return out, nil
		}
		in.Marker = page.Marker
	}
}

func (c *Console) roleList(w http.ResponseWriter, r *http.Request) error {
	roles, err := c.allRoles(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "roles", "IAM roles", "iam", roles)
	return nil
}

type namedPolicy struct {
	Name, ARN, Version string
	Document           string
}

type rolePage struct {
	Role     *iam.Role
	Inline   []namedPolicy
	Attached []namedPolicy
	Denials  []denial
}

func (c *Console) rolePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	name := r.PathValue("name")
	role, err := c.cfg.IAM.GetRole(ctx, name)
	if err != nil {
		return err
	}
	p := rolePage{Role: role}
	names, err := c.cfg.IAM.ListRolePolicies(ctx, name)
	if err != nil {
		return fmt.Errorf("role %s: list inline policies: %w", name, err)
	}
	for _, n := range names {
		rp, err := c.cfg.IAM.GetRolePolicy(ctx, name, n)
		if err != nil {
			return fmt.Errorf("role %s: policy %s: %w", name, n, err)
		}
		p.Inline = append(p.Inline, namedPolicy{Name: n, Document: rp.PolicyDocument})
	}
	attached, err := c.cfg.IAM.ListAttachedRolePolicies(ctx, name)
	if err != nil {
		return fmt.Errorf("role %s: list attached policies: %w", name, err)
	}
	for _, a := range attached {
		np := namedPolicy{Name: a.PolicyName, ARN: a.PolicyARN}
		if pol, err := c.cfg.IAM.GetPolicy(ctx, a.PolicyARN); err == nil {
			np.Version = pol.DefaultVersionID
			if v, err := c.cfg.IAM.GetPolicyVersion(ctx, a.PolicyARN, pol.DefaultVersionID); err == nil {
				np.Document = v.Document
			}
		}
		p.Attached = append(p.Attached, np)
	}
	for _, d := range c.explainDenials() {
		if d.RoleName == role.RoleName {
			p.Denials = append(p.Denials, d)
		}
	}
	c.render(w, r, http.StatusOK, "role", role.RoleName, "iam", p)
	return nil
}

// denial is a recent denial with an explanation a person can act on.
type denial struct {
	iam.DeniedDecision
	Who string
	// RoleName is set when the principal is a role of this account.
	RoleName string
	// Why restates the evaluator's reason; Fix suggests a change.
	Why, Fix string
}

func (c *Console) denials(w http.ResponseWriter, r *http.Request) error {
	c.render(w, r, http.StatusOK, "denials", "Why was this denied?", "iam", c.explainDenials())
	return nil
}

func (c *Console) explainDenials() []denial {
	var out []denial
	for _, d := range c.cfg.IAM.RecentDenials() {
		out = append(out, explain(d))
	}
	return out
}

// explain turns a denial into advice, following the order in which IAM
// evaluates: an explicit Deny wins, then some policy must allow.
func explain(d iam.DeniedDecision) denial {
	out := denial{DeniedDecision: d, Who: d.Principal.ARN}
	p := d.Principal
	switch {
	case p.Service != "":
		out.Who = p.Service
	case out.Who == "":
		out.Who = p.Kind
	}
	roleARN := p.RoleARN
	if roleARN == "" && p.Kind == iam.KindRole {
		roleARN = p.ARN
	}
	if i := strings.LastIndex(roleARN, "/"); i >= 0 {
		out.RoleName = roleARN[i+1:]
	}
	reason := d.Reason
	switch {
	case strings.HasPrefix(reason, "explicitly denied by "):
		out.Why = "An explicit Deny statement matched: " + strings.TrimPrefix(reason, "explicitly denied by ") + ". A Deny wins over every Allow."
		out.Fix = "Remove or narrow that Deny statement (its Action, Resource or Condition)."
	case p.Service != "" && strings.HasPrefix(d.Action, "lambda:"):
		out.Why = "No statement allows " + p.Service + " to perform " + d.Action + " on " + d.Resource + ": " + reason + "."
		out.Fix = "A service principal is allowed by the function's resource-based policy: add an AWS::Lambda::Permission with Action " +
			d.Action + ", Principal " + p.Service + " and a SourceArn matching the caller — or give the integration a credentials role (CredentialsArn) whose policy allows " + d.Action + "."
	case p.Service != "":
		out.Why = "No statement allows " + p.Service + " to perform " + d.Action + " on " + d.Resource + ": " + reason + "."
		out.Fix = "Add a statement for Principal {Service: " + p.Service + "} to the resource's policy."
	case out.RoleName != "":
		out.Why = "No policy of role " + out.RoleName + " allows " + d.Action + " on " + d.Resource + ": " + reason + "."
		out.Fix = "Add a statement with Effect Allow, Action " + d.Action + " and a Resource matching " + d.Resource + " to one of the role's policies (inline, attached, or the template's Policies)."
	default:
		out.Why = reason + "."
		out.Fix = "Allow " + d.Action + " on " + d.Resource + " in a policy that applies to " + out.Who + "."
	}
	return out
}
