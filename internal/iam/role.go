package iam

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/iam/policy"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Quotas IAM enforces on roles (IAM User Guide, "IAM and AWS STS quotas").
const (
	maxTrustPolicySize   = 2048  // ACLSizePerRole
	maxInlinePolicySize  = 10240 // aggregate of a role's inline policies
	maxAttachedPolicies  = 10    // PoliciesPerRole
	maxTags              = 50
	defaultSessionLength = 3600
	maxSessionLength     = 43200
)

// Tag is a key/value pair on a role or policy.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// PermissionsBoundary is the managed policy that caps what a role's own
// policies can grant.
type PermissionsBoundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"` // always "Policy"
	PermissionsBoundaryARN  string `json:"PermissionsBoundaryArn"`
}

// Role is an IAM role in GetRole's shape.
type Role struct {
	Path     string `json:"Path"`
	RoleName string `json:"RoleName"`
	// RoleID is the role's unique ID: "AROA" and 17 upper-case characters.
	RoleID     string    `json:"RoleId"`
	ARN        string    `json:"Arn"`
	CreateDate time.Time `json:"CreateDate"`
	// AssumeRolePolicyDocument is the trust policy as the JSON text given.
	// (The Query API URL-encodes it on the wire; that is the adapter's job.)
	AssumeRolePolicyDocument string               `json:"AssumeRolePolicyDocument"`
	Description              string               `json:"Description,omitempty"`
	MaxSessionDuration       int32                `json:"MaxSessionDuration"`
	PermissionsBoundary      *PermissionsBoundary `json:"PermissionsBoundary,omitempty"`
	Tags                     []Tag                `json:"Tags,omitempty"`
}

// roleRecord is a role as stored, with its inline and attached policies.
type roleRecord struct {
	Role     Role              `json:"Role"`
	Inline   map[string]string `json:"Inline,omitempty"` // policy name → document
	Attached []AttachedPolicy  `json:"Attached,omitempty"`
}

// AttachedPolicy is a managed policy attached to a role.
type AttachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyARN  string `json:"PolicyArn"`
}

// CreateRoleInput is CreateRole's request.
type CreateRoleInput struct {
	RoleName string
	// Path defaults to "/".
	Path                     string
	AssumeRolePolicyDocument string
	Description              string
	// MaxSessionDuration is in seconds, 3600–43200; zero means 3600.
	MaxSessionDuration int32
	// PermissionsBoundary is a managed policy ARN, or empty.
	PermissionsBoundary string
	Tags                []Tag
}

func roleKey(name string) string { return strings.ToLower(name) }

// CreateRole creates a role. Errors: ValidationError, MalformedPolicyDocument,
// LimitExceeded, NoSuchEntity (boundary), EntityAlreadyExists.
func (s *Service) CreateRole(ctx context.Context, in CreateRoleInput) (*Role, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = defaultSessionLength
	}
	if err := checkRoleInput(in); err != nil {
		return nil, err
	}
	if err := checkTrustPolicy(in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	now := s.timestamp()
	rec := roleRecord{Role: Role{
		Path:                     in.Path,
		RoleName:                 in.RoleName,
		RoleID:                   newRoleID(),
		ARN:                      fmt.Sprintf("arn:%s:iam::%s:role%s%s", s.partition, s.account, in.Path, in.RoleName),
		CreateDate:               now,
		AssumeRolePolicyDocument: in.AssumeRolePolicyDocument,
		Description:              in.Description,
		MaxSessionDuration:       in.MaxSessionDuration,
		Tags:                     in.Tags,
	}}
	err := s.db.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketRoles, roleKey(in.RoleName)) != nil {
			return errRoleExists(in.RoleName)
		}
		if in.PermissionsBoundary != "" {
			if _, err := s.managedDocument(tx, in.PermissionsBoundary); err != nil {
				return awserr.WithStatus(http.StatusNotFound, awserr.CodeNoSuchEntity,
					"Scope ARN: %s does not exist or is not attachable.", in.PermissionsBoundary)
			}
			rec.Role.PermissionsBoundary = &PermissionsBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryARN: in.PermissionsBoundary}
		}
		return tx.Put(bucketRoles, roleKey(in.RoleName), rec)
	})
	if err != nil {
		return nil, fmt.Errorf("create role %s: %w", in.RoleName, err)
	}
	s.changed()
	return &rec.Role, nil
}

func checkRoleInput(in CreateRoleInput) error {
	if err := checkName(in.RoleName, "roleName", 64); err != nil {
		return err
	}
	if err := checkPath(in.Path); err != nil {
		return err
	}
	if err := checkSessionDuration(in.MaxSessionDuration); err != nil {
		return err
	}
	if err := checkDescription(in.Description); err != nil {
		return err
	}
	return checkTags(in.Tags)
}

func checkSessionDuration(d int32) error {
	switch {
	case d < defaultSessionLength:
		return validationError(fmt.Sprint(d), "maxSessionDuration", "must have value greater than or equal to 3600")
	case d > maxSessionLength:
		return validationError(fmt.Sprint(d), "maxSessionDuration", "must have value less than or equal to 43200")
	}
	return nil
}

func checkDescription(d string) error {
	if len([]rune(d)) > 1000 {
		return validationError(d, "description", "must have length less than or equal to 1000")
	}
	return nil
}

func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return errLimit("The number of tags has reached the maximum limit.")
	}
	for _, t := range tags {
		if len(t.Key) < 1 || len(t.Key) > 128 {
			return validationError(t.Key, "tags.member.key", "must have length less than or equal to 128")
		}
		if len(t.Value) > 256 {
			return validationError(t.Value, "tags.member.value", "must have length less than or equal to 256")
		}
	}
	return nil
}

func checkTrustPolicy(doc string) error {
	if doc == "" {
		return validationError("", "assumeRolePolicyDocument", "must have length greater than or equal to 1")
	}
	if _, err := policy.Parse(doc, policy.Trust); err != nil {
		return errMalformed(err.Error())
	}
	if policySize(doc) > maxTrustPolicySize {
		return errLimit("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return nil
}

// loadRole reads a role record inside tx.
func loadRole(tx *store.Tx, name string) (*roleRecord, error) {
	rec, ok, err := store.Get[roleRecord](tx, bucketRoles, roleKey(name))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchRole(name)
	}
	return &rec, nil
}

// updateRole applies fn to a stored role in one transaction.
func (s *Service) updateRole(ctx context.Context, op, name string, fn func(tx *store.Tx, rec *roleRecord) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		rec, err := loadRole(tx, name)
		if err != nil {
			return err
		}
		if err := fn(tx, rec); err != nil {
			return err
		}
		return tx.Put(bucketRoles, roleKey(name), rec)
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, name, err)
	}
	s.changed()
	return nil
}

// GetRole returns a role by name. Errors: NoSuchEntity.
func (s *Service) GetRole(ctx context.Context, name string) (*Role, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var role Role
	err := s.db.View(func(tx *store.Tx) error {
		rec, err := loadRole(tx, name)
		if err != nil {
			return err
		}
		role = rec.Role
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get role %s: %w", name, err)
	}
	return &role, nil
}

// DeleteRole deletes a role that has no policies left. Errors:
// NoSuchEntity, DeleteConflict.
func (s *Service) DeleteRole(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		rec, err := loadRole(tx, name)
		if err != nil {
			return err
		}
		if len(rec.Inline) > 0 {
			return errDeleteConflict("Cannot delete entity, must delete policies first.")
		}
		if len(rec.Attached) > 0 {
			return errDeleteConflict("Cannot delete entity, must detach all policies first.")
		}
		return tx.Delete(bucketRoles, roleKey(name))
	})
	if err != nil {
		return fmt.Errorf("delete role %s: %w", name, err)
	}
	s.changed()
	return nil
}

// ListRolesInput is ListRoles' request.
type ListRolesInput struct {
	// PathPrefix keeps roles whose path starts with it; empty means "/".
	PathPrefix string
	// Marker continues a truncated listing.
	Marker string
	// MaxItems caps the page, 1–1000; zero means 100.
	MaxItems int
}

// ListRolesOutput is ListRoles' answer.
type ListRolesOutput struct {
	Roles       []Role
	IsTruncated bool
	// Marker is set when IsTruncated: pass it back for the next page.
	Marker string
}

// ListRoles lists roles in name order (case-insensitive).
func (s *Service) ListRoles(ctx context.Context, in ListRolesInput) (*ListRolesOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	max, err := pageSize(in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListRolesOutput{}
	err = s.db.View(func(tx *store.Tx) error {
		return tx.Range(bucketRoles, "", in.Marker, func(key string, raw []byte) error {
			var rec roleRecord
			if err := jsonUnmarshal(raw, &rec); err != nil {
				return fmt.Errorf("load role %s: %w", key, err)
			}
			if !strings.HasPrefix(rec.Role.Path, in.PathPrefix) {
				return nil
			}
			if len(out.Roles) == max {
				out.IsTruncated, out.Marker = true, key
				return errStopRange
			}
			out.Roles = append(out.Roles, rec.Role)
			return nil
		})
	})
	if err != nil && err != errStopRange {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	return out, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy. Errors:
// NoSuchEntity, MalformedPolicyDocument, LimitExceeded.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, name, document string) error {
	if err := checkTrustPolicy(document); err != nil {
		return fmt.Errorf("update assume role policy %s: %w", name, err)
	}
	return s.updateRole(ctx, "update assume role policy", name, func(_ *store.Tx, rec *roleRecord) error {
		rec.Role.AssumeRolePolicyDocument = document
		return nil
	})
}

// UpdateRoleInput is UpdateRole's request; nil fields are left alone.
type UpdateRoleInput struct {
	RoleName           string
	Description        *string
	MaxSessionDuration *int32
}

// UpdateRole changes a role's description or maximum session duration.
func (s *Service) UpdateRole(ctx context.Context, in UpdateRoleInput) error {
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return fmt.Errorf("update role %s: %w", in.RoleName, err)
		}
	}
	if in.MaxSessionDuration != nil {
		if err := checkSessionDuration(*in.MaxSessionDuration); err != nil {
			return fmt.Errorf("update role %s: %w", in.RoleName, err)
		}
	}
	return s.updateRole(ctx, "update role", in.RoleName, func(_ *store.Tx, rec *roleRecord) error {
		if in.Description != nil {
			rec.Role.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			rec.Role.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
}

// TagRole adds or replaces tags on a role.
func (s *Service) TagRole(ctx context.Context, name string, tags []Tag) error {
	return s.updateRole(ctx, "tag role", name, func(_ *store.Tx, rec *roleRecord) error {
		merged := append([]Tag(nil), rec.Role.Tags...)
		for _, t := range tags {
			replaced := false
			for i := range merged {
				if merged[i].Key == t.Key {
					merged[i].Value, replaced = t.Value, true
					break
				}
			}
			if !replaced {
				merged = append(merged, t)
			}
		}
		if err := checkTags(merged); err != nil {
			return err
		}
		rec.Role.Tags = merged
		return nil
	})
}

// UntagRole removes tags from a role by key; absent keys are ignored.
func (s *Service) UntagRole(ctx context.Context, name string, keys []string) error {
	return s.updateRole(ctx, "untag role", name, func(_ *store.Tx, rec *roleRecord) error {
		kept := rec.Role.Tags[:0:0]
		for _, t := range rec.Role.Tags {
			drop := false
			for _, k := range keys {
				drop = drop || k == t.Key
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		rec.Role.Tags = kept
		return nil
	})
}

// PutRolePermissionsBoundary sets a role's permissions boundary to a
// managed policy. Errors: NoSuchEntity.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, name, policyARN string) error {
	return s.updateRole(ctx, "put role permissions boundary", name, func(tx *store.Tx, rec *roleRecord) error {
		if _, err := s.managedDocument(tx, policyARN); err != nil {
			return awserr.WithStatus(http.StatusNotFound, awserr.CodeNoSuchEntity,
				"Scope ARN: %s does not exist or is not attachable.", policyARN)
		}
		rec.Role.PermissionsBoundary = &PermissionsBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryARN: policyARN}
		return nil
	})
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, name string) error {
	return s.updateRole(ctx, "delete role permissions boundary", name, func(_ *store.Tx, rec *roleRecord) error {
		rec.Role.PermissionsBoundary = nil
		return nil
	})
}
