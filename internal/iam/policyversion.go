package iam

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// GetPolicyVersion returns one version of a managed policy. Errors:
// NoSuchEntity.
func (s *Service) GetPolicyVersion(ctx context.Context, arn, versionID string) (*PolicyVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cp, ok := s.catalog.byARN[arn]; ok {
		if versionID != cp.policy.DefaultVersionID {
			return nil, fmt.Errorf("get policy version %s %s: %w", arn, versionID, errNoSuchVersion(arn, versionID))
		}
		return &PolicyVersion{Document: cp.document, VersionID: versionID, IsDefaultVersion: true, CreateDate: cp.policy.UpdateDate}, nil
	}
	var out *PolicyVersion
	err := s.db.View(func(tx *store.Tx) error {
		rec, err := s.loadPolicy(tx, arn)
		if err != nil {
			return err
		}
		for _, v := range rec.Versions {
			if v.VersionID == versionID {
				out = &v
				return nil
			}
		}
		return errNoSuchVersion(arn, versionID)
	})
	if err != nil {
		return nil, fmt.Errorf("get policy version %s %s: %w", arn, versionID, err)
	}
	return out, nil
}

// ListPolicyVersions returns a managed policy's versions, newest first.
// Errors: NoSuchEntity.
func (s *Service) ListPolicyVersions(ctx context.Context, arn string) ([]PolicyVersion, error) {
	if cp, ok := s.catalog.byARN[arn]; ok {
		v, err := s.GetPolicyVersion(ctx, arn, cp.policy.DefaultVersionID)
		if err != nil {
			return nil, err
		}
		return []PolicyVersion{*v}, nil
	}
	var out []PolicyVersion
	err := s.db.View(func(tx *store.Tx) error {
		rec, err := s.loadPolicy(tx, arn)
		if err != nil {
			return err
		}
		out = rec.Versions
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list policy versions %s: %w", arn, err)
	}
	return out, nil
}

// CreatePolicyVersion adds a version to a customer managed policy, making
// it the default when setAsDefault. Errors: NoSuchEntity,
// MalformedPolicyDocument, LimitExceeded.
func (s *Service) CreatePolicyVersion(ctx context.Context, arn, document string, setAsDefault bool) (*PolicyVersion, error) {
	if _, ok := s.catalog.byARN[arn]; ok {
		return nil, fmt.Errorf("create policy version %s: %w", arn, s.errAWSManaged("CreatePolicyVersion", arn))
	}
	if err := checkManagedDocument(document); err != nil {
		return nil, fmt.Errorf("create policy version %s: %w", arn, err)
	}
	var out PolicyVersion
	err := s.updatePolicy(ctx, "create policy version", arn, func(_ *store.Tx, rec *policyRecord) error {
		if len(rec.Versions) >= maxPolicyVersions {
			return errLimit("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		now := s.timestamp()
		out = PolicyVersion{Document: document, VersionID: "v" + strconv.Itoa(rec.NextVersion), IsDefaultVersion: setAsDefault, CreateDate: now}
		rec.NextVersion++
		if setAsDefault {
			setDefault(rec, out.VersionID)
			rec.Policy.UpdateDate = now
		}
		rec.Versions = append([]PolicyVersion{out}, rec.Versions...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func setDefault(rec *policyRecord, versionID string) {
	for i := range rec.Versions {
		rec.Versions[i].IsDefaultVersion = rec.Versions[i].VersionID == versionID
	}
	rec.Policy.DefaultVersionID = versionID
}

// SetDefaultPolicyVersion makes an existing version the default. Errors:
// NoSuchEntity.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, arn, versionID string) error {
	if _, ok := s.catalog.byARN[arn]; ok {
		return fmt.Errorf("set default policy version %s: %w", arn, s.errAWSManaged("SetDefaultPolicyVersion", arn))
	}
	return s.updatePolicy(ctx, "set default policy version", arn, func(_ *store.Tx, rec *policyRecord) error {
		for _, v := range rec.Versions {
			if v.VersionID == versionID {
				setDefault(rec, versionID)
				rec.Policy.UpdateDate = s.timestamp()
				return nil
			}
		}
		return errNoSuchVersion(arn, versionID)
	})
}

// DeletePolicyVersion deletes a non-default version. Errors: NoSuchEntity,
// DeleteConflict.
func (s *Service) DeletePolicyVersion(ctx context.Context, arn, versionID string) error {
	if _, ok := s.catalog.byARN[arn]; ok {
		return fmt.Errorf("delete policy version %s: %w", arn, s.errAWSManaged("DeletePolicyVersion", arn))
	}
	return s.updatePolicy(ctx, "delete policy version", arn, func(_ *store.Tx, rec *policyRecord) error {
		for i, v := range rec.Versions {
			if v.VersionID != versionID {
				continue
			}
			if v.IsDefaultVersion {
				return errDeleteConflict("Cannot delete the default version of a policy.")
			}
			rec.Versions = append(rec.Versions[:i], rec.Versions[i+1:]...)
			return nil
		}
		return errNoSuchVersion(arn, versionID)
	})
}
