package iam

import (
	"context"
	"fmt"
	"sort"

	"github.com/cloudlet-dev/cloudlet/internal/iam/policy"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// RolePolicy is an inline policy in GetRolePolicy's shape.
type RolePolicy struct {
	RoleName       string `json:"RoleName"`
	PolicyName     string `json:"PolicyName"`
	PolicyDocument string `json:"PolicyDocument"`
}

// PutRolePolicy adds or replaces an inline policy on a role (what
// AWS::IAM::Role Policies and AWS::IAM::Policy do). Errors: NoSuchEntity,
// ValidationError, MalformedPolicyDocument, LimitExceeded.
func (s *Service) PutRolePolicy(ctx context.Context, roleName, policyName, document string) error {
	if err := checkName(policyName, "policyName", 128); err != nil {
		return fmt.Errorf("put role policy %s: %w", policyName, err)
	}
	if _, err := policy.Parse(document, policy.Identity); err != nil {
		return fmt.Errorf("put role policy %s: %w", policyName, errMalformed(err.Error()))
	}
	return s.updateRole(ctx, "put role policy", roleName, func(_ *store.Tx, rec *roleRecord) error {
		// The quota counts every inline policy of the role together.
		total := policySize(document)
		for name, doc := range rec.Inline {
			if name != policyName {
				total += policySize(doc)
			}
		}
		if total > maxInlinePolicySize {
			return errLimit("Maximum policy size of %d bytes exceeded for role %s", maxInlinePolicySize, rec.Role.RoleName)
		}
		if rec.Inline == nil {
			rec.Inline = make(map[string]string)
		}
		rec.Inline[policyName] = document
		return nil
	})
}

// GetRolePolicy returns one inline policy. Errors: NoSuchEntity.
func (s *Service) GetRolePolicy(ctx context.Context, roleName, policyName string) (*RolePolicy, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *RolePolicy
	err := s.db.View(func(tx *store.Tx) error {
		rec, err := loadRole(tx, roleName)
		if err != nil {
			return err
		}
		doc, ok := rec.Inline[policyName]
		if !ok {
			return errNoSuchRolePolicy(policyName)
		}
		out = &RolePolicy{RoleName: rec.Role.RoleName, PolicyName: policyName, PolicyDocument: doc}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get role policy %s/%s: %w", roleName, policyName, err)
	}
	return out, nil
}

// DeleteRolePolicy removes an inline policy. Errors: NoSuchEntity.
func (s *Service) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	return s.updateRole(ctx, "delete role policy", roleName, func(_ *store.Tx, rec *roleRecord) error {
		if _, ok := rec.Inline[policyName]; !ok {
			return errNoSuchRolePolicy(policyName)
		}
		delete(rec.Inline, policyName)
		return nil
	})
}

// ListRolePolicies returns the names of a role's inline policies, sorted.
// Errors: NoSuchEntity.
func (s *Service) ListRolePolicies(ctx context.Context, roleName string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var names []string
	err := s.db.View(func(tx *store.Tx) error {
		rec, err := loadRole(tx, roleName)
		if err != nil {
			return err
		}
		for name := range rec.Inline {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list role policies %s: %w", roleName, err)
	}
	sort.Strings(names)
	return names, nil
}

// AttachRolePolicy attaches a managed policy — an AWS managed one from the
// catalog or a customer managed one — to a role. Attaching it twice is not
// an error. Errors: NoSuchEntity, LimitExceeded.
func (s *Service) AttachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	return s.updateRole(ctx, "attach role policy", roleName, func(tx *store.Tx, rec *roleRecord) error {
		doc, err := s.managedDocument(tx, policyARN)
		if err != nil {
			return err
		}
		for _, a := range rec.Attached {
			if a.PolicyARN == policyARN {
				return nil
			}
		}
		if len(rec.Attached) >= maxAttachedPolicies {
			return errLimit("Cannot exceed quota for PoliciesPerRole: %d", maxAttachedPolicies)
		}
		rec.Attached = append(rec.Attached, AttachedPolicy{PolicyName: doc.name, PolicyARN: policyARN})
		return nil
	})
}

// DetachRolePolicy detaches a managed policy from a role. Errors:
// NoSuchEntity.
func (s *Service) DetachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	return s.updateRole(ctx, "detach role policy", roleName, func(_ *store.Tx, rec *roleRecord) error {
		for i, a := range rec.Attached {
			if a.PolicyARN == policyARN {
				rec.Attached = append(rec.Attached[:i], rec.Attached[i+1:]...)
				return nil
			}
		}
		return errNoSuchPolicy(policyARN)
	})
}

// ListAttachedRolePolicies returns a role's attached managed policies in
// the order they were attached. Errors: NoSuchEntity.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, roleName string) ([]AttachedPolicy, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []AttachedPolicy
	err := s.db.View(func(tx *store.Tx) error {
		rec, err := loadRole(tx, roleName)
		if err != nil {
			return err
		}
		out = append(out, rec.Attached...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list attached role policies %s: %w", roleName, err)
	}
	return out, nil
}
