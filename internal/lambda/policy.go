package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Statement is one statement of a function's resource-based policy, in
// the JSON shape AWS shows (spec lambda §8.4 AddPermission).
type Statement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Principal any            `json:"Principal"`
	Action    string         `json:"Action"`
	Resource  string         `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// PermissionInput is an AddPermission request.
type PermissionInput struct {
	StatementID, Action, Principal string
	SourceArn, SourceAccount       string
	PrincipalOrgID                 string
	FunctionURLAuthType            string
	Qualifier                      string
}

var sidRE = regexp.MustCompile(`^[a-zA-Z0-9-_.]+$`)

// AddPermission adds a statement to the function's policy and returns it
// as the JSON string AWS answers with.
func (s *Service) AddPermission(ctx context.Context, functionName string, in PermissionInput) (string, error) {
	name := nameOf(functionName)
	if in.Qualifier == "$LATEST" {
		return "", invalid("We currently do not support adding policies for $LATEST.")
	}
	if in.StatementID == "" {
		in.StatementID = newUUID()
	}
	if !sidRE.MatchString(in.StatementID) || len(in.StatementID) > 100 {
		return "", validation("statementId", in.StatementID, "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)")
	}
	principal, err := principalOf(in.Principal)
	if err != nil {
		return "", err
	}
	if !strings.Contains(in.Action, ":") && in.Action != "*" {
		return "", validation("action", in.Action, "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])")
	}
	st := Statement{Sid: in.StatementID, Effect: "Allow", Principal: principal, Action: in.Action,
		Resource: s.functionARN(name)}
	if in.Qualifier != "" {
		st.Resource += ":" + in.Qualifier
	}
	cond := map[string]any{}
	if in.SourceArn != "" {
		cond["ArnLike"] = map[string]string{"AWS:SourceArn": in.SourceArn}
	}
	if in.SourceAccount != "" {
		cond["StringEquals"] = map[string]string{"AWS:SourceAccount": in.SourceAccount}
	}
	if in.PrincipalOrgID != "" {
		cond["StringEquals"] = map[string]string{"aws:PrincipalOrgID": in.PrincipalOrgID}
	}
	if in.FunctionURLAuthType != "" {
		cond["StringEquals"] = map[string]string{"lambda:FunctionUrlAuthType": in.FunctionURLAuthType}
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	err = s.cfg.DB.Update(func(tx *store.Tx) error {
		fn, ok, err := store.Get[function](tx, bucketFunctions, name)
		if err != nil {
			return err
		}
		if !ok {
			return s.notFound(name)
		}
		for _, old := range fn.Policy {
			if old.Sid == st.Sid {
				e := awserr.WithStatus(409, awserr.CodeResourceConflict, "The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", st.Sid)
				e.Fields = map[string]string{"Type": "User"}
				return e
			}
		}
		fn.Policy = append(fn.Policy, st)
		return tx.Put(bucketFunctions, name, fn)
	})
	if err != nil {
		return "", err
	}
	raw, _ := json.Marshal(st)
	return string(raw), nil
}

// principalOf turns AddPermission's Principal into the policy's form.
func principalOf(p string) (any, error) {
	switch {
	case p == "*":
		return "*", nil
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn"):
		return map[string]string{"Service": p}, nil
	case regexp.MustCompile(`^\d{12}$`).MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}, nil
	case strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": p}, nil
	}
	return nil, invalid("The provided principal was invalid. Please check the principal and try again.")
}

// RemovePermission removes a statement by its ID.
func (s *Service) RemovePermission(ctx context.Context, functionName, sid string) error {
	name := nameOf(functionName)
	return s.cfg.DB.Update(func(tx *store.Tx) error {
		fn, ok, err := store.Get[function](tx, bucketFunctions, name)
		if err != nil {
			return err
		}
		if !ok {
			return s.notFound(name)
		}
		for i, st := range fn.Policy {
			if st.Sid == sid {
				fn.Policy = append(fn.Policy[:i], fn.Policy[i+1:]...)
				return tx.Put(bucketFunctions, name, fn)
			}
		}
		e := awserr.WithStatus(404, awserr.CodeResourceNotFound, "Statement %s is not found in resource policy.", sid)
		e.Fields = map[string]string{"Type": "User"}
		return e
	})
}

// GetPolicy returns the function's resource policy as AWS's JSON string.
func (s *Service) GetPolicy(ctx context.Context, functionName string) (string, error) {
	fn, err := s.load(nameOf(functionName))
	if err != nil {
		return "", err
	}
	if len(fn.Policy) == 0 {
		e := awserr.WithStatus(404, awserr.CodeResourceNotFound, "The resource you requested does not exist.")
		e.Fields = map[string]string{"Type": "User"}
		return "", e
	}
	return string(policyDocument(fn.Policy)), nil
}

func policyDocument(sts []Statement) []byte {
	if len(sts) == 0 {
		return nil
	}
	raw, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": sts})
	return raw
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
