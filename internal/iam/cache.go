package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/iam/policy"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Cache bounds: generous for a laptop's worth of roles and functions; a
// full cache is simply dropped and refilled.
const (
	maxCachedRoles     = 4096
	maxCachedResources = 1024
)

// compiled returns the role named name with its documents parsed, or nil
// when there is no such role. The answer (absence included) is cached
// until the next write.
func (s *Service) compiled(ctx context.Context, name string) (*compiledRole, error) {
	key := roleKey(name)
	s.mu.Lock()
	cr, ok := s.roles[key]
	gen := s.gen
	s.mu.Unlock()
	if ok {
		return cr, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var rec *roleRecord
	var managed []*managedDoc
	var boundary *managedDoc
	err := s.db.View(func(tx *store.Tx) error {
		r, err := loadRole(tx, name)
		if err != nil {
			if e, ok := awserr.As(err); ok && e.Code == awserr.CodeNoSuchEntity {
				return nil
			}
			return err
		}
		rec = r
		for _, a := range r.Attached {
			d, err := s.managedDocument(tx, a.PolicyARN)
			if err != nil {
				return fmt.Errorf("attached policy %s: %w", a.PolicyARN, err)
			}
			managed = append(managed, d)
		}
		if b := r.Role.PermissionsBoundary; b != nil {
			if boundary, err = s.managedDocument(tx, b.PermissionsBoundaryARN); err != nil {
				return fmt.Errorf("permissions boundary %s: %w", b.PermissionsBoundaryARN, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load role %s: %w", name, err)
	}
	if rec != nil {
		if cr, err = compileRole(rec, managed, boundary); err != nil {
			return nil, fmt.Errorf("load role %s: %w", name, err)
		}
	}

	s.mu.Lock()
	if s.gen == gen {
		if len(s.roles) >= maxCachedRoles {
			clear(s.roles)
		}
		s.roles[key] = cr
	}
	s.mu.Unlock()
	return cr, nil
}

// compileRole parses every document of a stored role. Stored documents
// were validated when written, so a failure here means a damaged store.
func compileRole(rec *roleRecord, managed []*managedDoc, boundary *managedDoc) (*compiledRole, error) {
	cr := &compiledRole{role: rec.Role}
	var err error
	if cr.trust, err = policy.Parse(rec.Role.AssumeRolePolicyDocument, policy.Trust); err != nil {
		return nil, fmt.Errorf("trust policy: %w", err)
	}
	names := make([]string, 0, len(rec.Inline))
	for n := range rec.Inline {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		doc, err := policy.Parse(rec.Inline[n], policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("inline policy %s: %w", n, err)
		}
		cr.identity = append(cr.identity, labeledPolicy{
			label: "inline policy " + strconv.Quote(n) + " of role " + strconv.Quote(rec.Role.RoleName),
			doc:   doc,
		})
	}
	for _, d := range managed {
		lp, err := d.labeled("managed policy ")
		if err != nil {
			return nil, err
		}
		cr.identity = append(cr.identity, lp)
	}
	if boundary != nil {
		lp, err := boundary.labeled("permissions boundary ")
		if err != nil {
			return nil, err
		}
		cr.boundary = &lp
	}
	return cr, nil
}

func (d *managedDoc) labeled(prefix string) (labeledPolicy, error) {
	doc := d.parsed
	if doc == nil {
		var err error
		if doc, err = policy.Parse(d.document, policy.Identity); err != nil {
			return labeledPolicy{}, fmt.Errorf("managed policy %s: %w", d.arn, err)
		}
	}
	return labeledPolicy{label: prefix + d.arn, doc: doc}, nil
}

// resourcePolicy parses a resource-based policy, caching by its text:
// a function's policy changes rarely and is evaluated on every invoke.
// Errors: MalformedPolicyDocument.
func (s *Service) resourcePolicy(raw []byte) (*policy.Policy, error) {
	s.mu.Lock()
	doc, ok := s.resources[string(raw)]
	s.mu.Unlock()
	if ok {
		return doc, nil
	}
	doc, err := policy.Parse(string(raw), policy.Resource)
	if err != nil {
		var perr *policy.Error
		if errors.As(err, &perr) {
			return nil, errMalformed(perr.Message)
		}
		return nil, err
	}
	s.mu.Lock()
	if len(s.resources) >= maxCachedResources {
		clear(s.resources)
	}
	s.resources[string(raw)] = doc
	s.mu.Unlock()
	return doc, nil
}
