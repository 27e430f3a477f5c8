package iam

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/iam/policy"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Quotas on customer managed policies.
const (
	maxManagedPolicySize = 6144
	maxPolicyVersions    = 5
)

// Policy is a managed policy in GetPolicy's shape.
type Policy struct {
	PolicyName string `json:"PolicyName"`
	// PolicyID is the unique ID: "ANPA" and 17 upper-case characters.
	PolicyID         string `json:"PolicyId"`
	ARN              string `json:"Arn"`
	Path             string `json:"Path"`
	DefaultVersionID string `json:"DefaultVersionId"`
	// AttachmentCount is how many roles the policy is attached to,
	// counted when asked.
	AttachmentCount               int32     `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int32     `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool      `json:"IsAttachable"`
	Description                   string    `json:"Description,omitempty"`
	CreateDate                    time.Time `json:"CreateDate"`
	UpdateDate                    time.Time `json:"UpdateDate"`
	Tags                          []Tag     `json:"Tags,omitempty"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	// Document is the JSON text as given (URL-encoded on the Query wire by
	// the adapter).
	Document         string    `json:"Document"`
	VersionID        string    `json:"VersionId"`
	IsDefaultVersion bool      `json:"IsDefaultVersion"`
	CreateDate       time.Time `json:"CreateDate"`
}

type policyRecord struct {
	Policy   Policy          `json:"Policy"`
	Versions []PolicyVersion `json:"Versions"` // newest first
	// NextVersion numbers the next version: IAM never reuses v2 after
	// deleting it.
	NextVersion int `json:"NextVersion"`
}

// CreatePolicyInput is CreatePolicy's request.
type CreatePolicyInput struct {
	PolicyName string
	// Path defaults to "/".
	Path           string
	PolicyDocument string
	Description    string
	Tags           []Tag
}

// managedDoc is the default document of an attachable managed policy.
type managedDoc struct {
	name, arn, document string
	parsed              *policy.Policy // catalog policies only; nil means parse document
}

// managedDocument resolves an attachable policy ARN inside tx: the AWS
// catalog first, then this account's customer managed policies.
func (s *Service) managedDocument(tx *store.Tx, arn string) (*managedDoc, error) {
	if cp, ok := s.catalog.byARN[arn]; ok {
		return &managedDoc{name: cp.policy.PolicyName, arn: arn, document: cp.document, parsed: cp.parsed}, nil
	}
	rec, err := s.loadPolicy(tx, arn)
	if err != nil {
		return nil, errNotAttachable(arn)
	}
	for _, v := range rec.Versions {
		if v.IsDefaultVersion {
			return &managedDoc{name: rec.Policy.PolicyName, arn: arn, document: v.Document}, nil
		}
	}
	return nil, errNotAttachable(arn)
}

// loadPolicy reads a customer managed policy by ARN. Errors: NoSuchEntity.
func (s *Service) loadPolicy(tx *store.Tx, arn string) (*policyRecord, error) {
	partition, service, _, account, resource, ok := arnParts(arn)
	if !ok || partition != s.partition || service != "iam" || account != s.account {
		return nil, errNoSuchPolicy(arn)
	}
	_, name, ok := splitPathName(resource, "policy")
	if !ok {
		return nil, errNoSuchPolicy(arn)
	}
	rec, found, err := store.Get[policyRecord](tx, bucketPolicies, strings.ToLower(name))
	if err != nil {
		return nil, err
	}
	if !found || rec.Policy.ARN != arn {
		return nil, errNoSuchPolicy(arn)
	}
	return &rec, nil
}

// errAWSManaged refuses changes to AWS managed policies, as IAM does for
// anything AWS owns.
func (s *Service) errAWSManaged(action, arn string) error {
	return awserr.WithStatus(http.StatusForbidden, awserr.CodeAccessDenied,
		"User: arn:%s:iam::%s:root is not authorized to perform: iam:%s on resource: policy %s", s.partition, s.account, action, arn)
}

func checkManagedDocument(doc string) error {
	if _, err := policy.Parse(doc, policy.Identity); err != nil {
		return errMalformed(err.Error())
	}
	if policySize(doc) > maxManagedPolicySize {
		return errLimit("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

// CreatePolicy creates a customer managed policy with version v1 as its
// default. Errors: ValidationError, MalformedPolicyDocument, LimitExceeded,
// EntityAlreadyExists.
func (s *Service) CreatePolicy(ctx context.Context, in CreatePolicyInput) (*Policy, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	for _, check := range []func() error{
		func() error { return checkName(in.PolicyName, "policyName", 128) },
		func() error { return checkPath(in.Path) },
		func() error { return checkDescription(in.Description) },
		func() error { return checkTags(in.Tags) },
		func() error { return checkManagedDocument(in.PolicyDocument) },
	} {
		if err := check(); err != nil {
			return nil, fmt.Errorf("create policy %s: %w", in.PolicyName, err)
		}
	}
	now := s.timestamp()
	rec := policyRecord{
		Policy: Policy{
			PolicyName:       in.PolicyName,
			PolicyID:         newPolicyID(),
			ARN:              fmt.Sprintf("arn:%s:iam::%s:policy%s%s", s.partition, s.account, in.Path, in.PolicyName),
			Path:             in.Path,
			DefaultVersionID: "v1",
			IsAttachable:     true,
			Description:      in.Description,
			CreateDate:       now,
			UpdateDate:       now,
			Tags:             in.Tags,
		},
		Versions:    []PolicyVersion{{Document: in.PolicyDocument, VersionID: "v1", IsDefaultVersion: true, CreateDate: now}},
		NextVersion: 2,
	}
	err := s.db.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketPolicies, strings.ToLower(in.PolicyName)) != nil {
			return errPolicyExists(in.PolicyName)
		}
		return tx.Put(bucketPolicies, strings.ToLower(in.PolicyName), rec)
	})
	if err != nil {
		return nil, fmt.Errorf("create policy %s: %w", in.PolicyName, err)
	}
	return &rec.Policy, nil
}

// policyUsage counts, for every policy ARN, the roles it is attached to
// and the roles it bounds.
func policyUsage(tx *store.Tx) (attached, boundaries map[string]int32, err error) {
	attached, boundaries = make(map[string]int32), make(map[string]int32)
	err = tx.ForEach(bucketRoles, "", func(key string, raw []byte) error {
		var rec roleRecord
		if err := jsonUnmarshal(raw, &rec); err != nil {
			return fmt.Errorf("load role %s: %w", key, err)
		}
		for _, a := range rec.Attached {
			attached[a.PolicyARN]++
		}
		if b := rec.Role.PermissionsBoundary; b != nil {
			boundaries[b.PermissionsBoundaryARN]++
		}
		return nil
	})
	return attached, boundaries, err
}

// GetPolicy returns a managed policy, AWS or customer. Errors: NoSuchEntity.
func (s *Service) GetPolicy(ctx context.Context, arn string) (*Policy, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out Policy
	err := s.db.View(func(tx *store.Tx) error {
		if cp, ok := s.catalog.byARN[arn]; ok {
			out = cp.policy
		} else {
			rec, err := s.loadPolicy(tx, arn)
			if err != nil {
				return err
			}
			out = rec.Policy
		}
		attached, bounded, err := policyUsage(tx)
		out.AttachmentCount, out.PermissionsBoundaryUsageCount = attached[arn], bounded[arn]
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get policy %s: %w", arn, err)
	}
	return &out, nil
}

// updatePolicy applies fn to a stored customer managed policy.
func (s *Service) updatePolicy(ctx context.Context, op, arn string, fn func(tx *store.Tx, rec *policyRecord) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		rec, err := s.loadPolicy(tx, arn)
		if err != nil {
			return err
		}
		if err := fn(tx, rec); err != nil {
			return err
		}
		return tx.Put(bucketPolicies, strings.ToLower(rec.Policy.PolicyName), rec)
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, arn, err)
	}
	s.changed()
	return nil
}

// DeletePolicy deletes a customer managed policy that is attached to no
// role and has only its default version left. Errors: NoSuchEntity,
// DeleteConflict.
func (s *Service) DeletePolicy(ctx context.Context, arn string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, ok := s.catalog.byARN[arn]; ok {
		return fmt.Errorf("delete policy %s: %w", arn, s.errAWSManaged("DeletePolicy", arn))
	}
	err := s.db.Update(func(tx *store.Tx) error {
		rec, err := s.loadPolicy(tx, arn)
		if err != nil {
			return err
		}
		attached, bounded, err := policyUsage(tx)
		if err != nil {
			return err
		}
		if attached[arn]+bounded[arn] > 0 {
			return errDeleteConflict("Cannot delete a policy attached to entities.")
		}
		if len(rec.Versions) > 1 {
			return errDeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return tx.Delete(bucketPolicies, strings.ToLower(rec.Policy.PolicyName))
	})
	if err != nil {
		return fmt.Errorf("delete policy %s: %w", arn, err)
	}
	s.changed()
	return nil
}

// ListPoliciesInput is ListPolicies' request.
type ListPoliciesInput struct {
	// Scope is "All" (or empty), "AWS" or "Local".
	Scope string
	// OnlyAttached keeps policies attached to at least one role.
	OnlyAttached bool
	// PathPrefix keeps policies whose path starts with it.
	PathPrefix string
	Marker     string
	// MaxItems caps the page, 1–1000; zero means 100.
	MaxItems int
}

// ListPoliciesOutput is ListPolicies' answer.
type ListPoliciesOutput struct {
	Policies    []Policy
	IsTruncated bool
	Marker      string
}

// ListPolicies lists AWS and customer managed policies by name.
func (s *Service) ListPolicies(ctx context.Context, in ListPoliciesInput) (*ListPoliciesOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	max, err := pageSize(in.MaxItems)
	if err != nil {
		return nil, err
	}
	switch in.Scope {
	case "", "All", "AWS", "Local":
	default:
		return nil, validationError(in.Scope, "scope", "must satisfy enum value set: [All, AWS, Local]")
	}
	var all []Policy
	err = s.db.View(func(tx *store.Tx) error {
		attached, bounded, err := policyUsage(tx)
		if err != nil {
			return err
		}
		if in.Scope != "Local" {
			for _, cp := range s.catalog.sorted {
				all = append(all, cp.policy)
			}
		}
		if in.Scope != "AWS" {
			local, err := store.List[policyRecord](tx, bucketPolicies, "")
			if err != nil {
				return err
			}
			for _, rec := range local {
				all = append(all, rec.Policy)
			}
		}
		kept := all[:0]
		for _, p := range all {
			p.AttachmentCount, p.PermissionsBoundaryUsageCount = attached[p.ARN], bounded[p.ARN]
			if strings.HasPrefix(p.Path, in.PathPrefix) && (!in.OnlyAttached || p.AttachmentCount > 0) {
				kept = append(kept, p)
			}
		}
		all = kept
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := strings.ToLower(all[i].PolicyName), strings.ToLower(all[j].PolicyName)
		if a != b {
			return a < b
		}
		return all[i].ARN < all[j].ARN
	})
	start := 0
	if in.Marker != "" {
		start = len(all)
		for i, p := range all {
			if p.ARN == in.Marker {
				start = i
				break
			}
		}
	}
	out := &ListPoliciesOutput{Policies: all[start:]}
	if len(out.Policies) > max {
		out.IsTruncated, out.Marker = true, out.Policies[max].ARN
		out.Policies = out.Policies[:max]
	}
	return out, nil
}
