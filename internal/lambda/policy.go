package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
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

var (
	sidRE     = regexp.MustCompile(`^[a-zA-Z0-9-_.]+$`)
	accountRE = regexp.MustCompile(`^\d{12}$`)
)

// AddPermission adds a statement to the policy of the function or of
// one of its versions or aliases, and returns it as the JSON string AWS
// answers with. Statement IDs are unique per qualifier.
func (s *Service) AddPermission(ctx context.Context, functionName string, in PermissionInput) (string, error) {
	name, qualifier, err := splitName(functionName, in.Qualifier)
	if err != nil {
		return "", err
	}
	if qualifier == "$LATEST" {
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
		Resource: s.qualifiedARN(name, qualifier)}
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
	_, err = s.update(name, func(fn *function) error {
		if qualifier != "" && !hasQualifier(fn, qualifier) {
			if isVersionNumber(qualifier) {
				return s.notFound(name, qualifier)
			}
			return s.aliasNotFound(name, qualifier)
		}
		for _, old := range fn.Policy {
			if old.Sid == st.Sid && old.Resource == st.Resource {
				return conflict("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", st.Sid)
			}
		}
		fn.Policy = append(fn.Policy, st)
		fn.bumpRevision(qualifier)
		return nil
	})
	if err != nil {
		return "", err
	}
	raw, _ := json.Marshal(st)
	return string(raw), nil
}

// bumpRevision gives the qualifier's revision a new ID, as a change of
// its policy does on AWS.
func (fn *function) bumpRevision(qualifier string) {
	switch {
	case qualifier == "" || qualifier == "$LATEST":
		fn.Config.RevisionID = newUUID()
	case isVersionNumber(qualifier):
		for i := range fn.Versions {
			if fn.Versions[i].Config.Version == qualifier {
				fn.Versions[i].Config.RevisionID = newUUID()
			}
		}
	default:
		if a, ok := fn.Aliases[qualifier]; ok {
			a.RevisionID = newUUID()
			fn.Aliases[qualifier] = a
		}
	}
}

// principalOf turns AddPermission's Principal into the policy's form.
func principalOf(p string) (any, error) {
	switch {
	case p == "*":
		return "*", nil
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn"):
		return map[string]string{"Service": p}, nil
	case accountRE.MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}, nil
	case strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": p}, nil
	}
	return nil, invalid("The provided principal was invalid. Please check the principal and try again.")
}

// RemovePermission removes a statement by its ID from the policy of the
// function, or of the version or alias functionName is qualified with.
func (s *Service) RemovePermission(ctx context.Context, functionName, sid string) error {
	name, qualifier, err := splitName(functionName, "")
	if err != nil {
		return err
	}
	if _, err := s.load(name); err != nil {
		return resourceNotFound("No policy found for: %s", s.functionARN(name))
	}
	resource := s.qualifiedARN(name, qualifier)
	_, err = s.update(name, func(fn *function) error {
		found := false
		for i, st := range fn.Policy {
			if st.Resource == resource {
				found = true
				if st.Sid == sid {
					fn.Policy = slices.Delete(fn.Policy, i, i+1)
					fn.bumpRevision(qualifier)
					return nil
				}
			}
		}
		if !found {
			return resourceNotFound("No policy is associated with the given resource.")
		}
		return resourceNotFound("Statement %s is not found in resource policy.", sid)
	})
	return err
}

// PolicyOutput is GetPolicy's answer: the policy document as a JSON
// string, and the revision of the function, version or alias.
type PolicyOutput struct {
	Policy     string `json:"Policy"`
	RevisionID string `json:"RevisionId"`
}

// GetPolicy returns the resource policy of the function, or of the
// version or alias named by qualifier (or in functionName).
func (s *Service) GetPolicy(ctx context.Context, functionName, qualifier string) (*PolicyOutput, error) {
	name, qualifier, err := splitName(functionName, qualifier)
	if err != nil {
		return nil, err
	}
	fn, err := s.load(name)
	if err != nil {
		return nil, s.notFoundUnqualified(name)
	}
	resource := s.qualifiedARN(name, qualifier)
	if qualifier == "$LATEST" {
		resource = s.functionARN(name)
	}
	var sts []Statement
	for _, st := range fn.Policy {
		if st.Resource == resource {
			sts = append(sts, st)
		}
	}
	if len(sts) == 0 {
		return nil, resourceNotFound("The resource you requested does not exist.")
	}
	out := &PolicyOutput{Policy: string(policyDocument(sts)), RevisionID: fn.Config.RevisionID}
	if cfg, err := s.configAt(fn, qualifier); err == nil && qualifier != "" && !isVersionNumber(qualifier) && qualifier != "$LATEST" {
		out.RevisionID = fn.Aliases[qualifier].RevisionID
	} else if err == nil {
		out.RevisionID = cfg.RevisionID
	}
	return out, nil
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
