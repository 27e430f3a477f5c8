package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Session length limits STS applies to AssumeRole.
const (
	minSessionDuration = 15 * time.Minute
	// pruneEvery bounds how often IssueCredentials sweeps expired sessions
	// out of the store.
	pruneEvery = 10 * time.Minute
)

// Credentials are temporary keys for a role session, in STS's shape.
type Credentials struct {
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	SessionToken    string    `json:"SessionToken"`
	Expiration      time.Time `json:"Expiration"`
}

// sessionRecord is an issued session as stored.
type sessionRecord struct {
	Credentials Credentials `json:"Credentials"`
	Principal   Principal   `json:"Principal"`
	// AssumedRoleID is STS's AssumedRoleUser.AssumedRoleId:
	// the role ID, a colon, the session name.
	AssumedRoleID string `json:"AssumedRoleId"`
}

// IssueCredentials issues temporary credentials for a session of the role,
// as sts:AssumeRole does. It does not check the trust policy — callers
// acting for someone decide that with CanAssume first. d zero means one
// hour; otherwise it must lie between 15 minutes and the role's
// MaxSessionDuration. Errors: NoSuchEntity, ValidationError.
func (s *Service) IssueCredentials(ctx context.Context, roleARN, sessionName string, d time.Duration) (*Credentials, error) {
	if err := checkSessionName(sessionName); err != nil {
		return nil, fmt.Errorf("issue credentials for %s: %w", roleARN, err)
	}
	cr, err := s.roleByARN(ctx, roleARN)
	if err != nil {
		return nil, fmt.Errorf("issue credentials for %s: %w", roleARN, err)
	}
	if d == 0 {
		d = defaultSessionLength * time.Second
	}
	switch {
	case d < minSessionDuration:
		return nil, fmt.Errorf("issue credentials for %s: %w", roleARN,
			validationError(fmt.Sprint(int64(d/time.Second)), "durationSeconds", "must have value greater than or equal to 900"))
	case d > time.Duration(cr.role.MaxSessionDuration)*time.Second:
		return nil, fmt.Errorf("issue credentials for %s: %w", roleARN, awserr.WithStatus(http.StatusBadRequest, awserr.CodeValidationError,
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."))
	}
	now := s.timestamp()
	rec := &sessionRecord{
		Credentials: Credentials{
			AccessKeyID:     newAccessKeyID(),
			SecretAccessKey: randomString(secretAlphabet, 40),
			SessionToken:    newSessionToken(),
			Expiration:      now.Add(d),
		},
		Principal: Principal{
			Kind:      KindAssumedRole,
			ARN:       fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", s.partition, s.account, cr.role.RoleName, sessionName),
			AccountID: s.account,
			RoleARN:   cr.role.ARN,
		},
		AssumedRoleID: cr.role.RoleID + ":" + sessionName,
	}
	prune := false
	s.mu.Lock()
	if now.Sub(s.lastPrune) >= pruneEvery {
		prune, s.lastPrune = true, now
	}
	s.mu.Unlock()
	err = s.db.Update(func(tx *store.Tx) error {
		if prune {
			if err := deleteExpired(tx, now); err != nil {
				return err
			}
		}
		return tx.Put(bucketSessions, rec.Credentials.AccessKeyID, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("issue credentials for %s: %w", roleARN, err)
	}
	s.mu.Lock()
	if prune {
		for k, r := range s.sessions {
			if !now.Before(r.Credentials.Expiration) {
				delete(s.sessions, k)
			}
		}
	}
	s.sessions[rec.Credentials.AccessKeyID] = rec
	s.mu.Unlock()
	creds := rec.Credentials
	return &creds, nil
}

// newSessionToken returns an opaque token about as long as STS's.
func newSessionToken() string {
	buf := make([]byte, 264)
	rand.Read(buf)
	return base64.StdEncoding.EncodeToString(buf)
}

func checkSessionName(name string) error {
	switch {
	case len(name) < 2:
		return validationError(name, "roleSessionName", "must have length greater than or equal to 2")
	case len(name) > 64:
		return validationError(name, "roleSessionName", "must have length less than or equal to 64")
	}
	for _, r := range name {
		if !isNameRune(r) {
			return validationError(name, "roleSessionName", `must satisfy regular expression pattern: [\w+=,.@-]*`)
		}
	}
	return nil
}

// LookupAccessKey returns the credentials an access key ID belongs to and
// the principal they act as, for SigV4 verification. Errors:
// InvalidClientTokenId (403) for an unknown key, ExpiredToken (403) for an
// expired one.
func (s *Service) LookupAccessKey(ctx context.Context, accessKeyID string) (*Credentials, Principal, error) {
	s.mu.Lock()
	rec, ok := s.sessions[accessKeyID]
	s.mu.Unlock()
	if !ok {
		if err := ctx.Err(); err != nil {
			return nil, Principal{}, err
		}
		var found bool
		err := s.db.View(func(tx *store.Tx) error {
			r, ok, err := store.Get[sessionRecord](tx, bucketSessions, accessKeyID)
			rec, found = &r, ok
			return err
		})
		if err != nil {
			return nil, Principal{}, fmt.Errorf("lookup access key %s: %w", accessKeyID, err)
		}
		if !found {
			return nil, Principal{}, awserr.WithStatus(http.StatusForbidden, CodeInvalidClientTokenID,
				"The security token included in the request is invalid.")
		}
		s.mu.Lock()
		s.sessions[accessKeyID] = rec
		s.mu.Unlock()
	}
	if !s.now().Before(rec.Credentials.Expiration) {
		return nil, Principal{}, awserr.WithStatus(http.StatusForbidden, CodeExpiredToken,
			"The security token included in the request is expired")
	}
	creds := rec.Credentials
	return &creds, rec.Principal, nil
}

// pruneSessions drops expired sessions from the store at start-up.
func (s *Service) pruneSessions() error {
	now := s.now()
	s.lastPrune = now
	return s.db.Update(func(tx *store.Tx) error { return deleteExpired(tx, now) })
}

func deleteExpired(tx *store.Tx, now time.Time) error {
	var expired []string
	err := tx.ForEach(bucketSessions, "", func(key string, raw []byte) error {
		var rec sessionRecord
		if err := jsonUnmarshal(raw, &rec); err != nil || !now.Before(rec.Credentials.Expiration) {
			expired = append(expired, key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	for _, k := range expired {
		if err := tx.Delete(bucketSessions, k); err != nil {
			return fmt.Errorf("prune sessions: %w", err)
		}
	}
	return nil
}
