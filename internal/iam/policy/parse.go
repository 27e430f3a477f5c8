package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Parse parses and validates doc as a document of the given kind. A
// document IAM would refuse yields an *Error with IAM's message.
//
// The checks run in the order IAM's answers imply: JSON syntax, Version,
// structure, values that "fail legacy parsing", unique Sids, then each
// statement's required elements and value formats.
func Parse(doc string, kind Kind) (*Policy, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil || top == nil {
		return nil, &Error{msgSyntax}
	}
	p := &Policy{kind: kind}

	if raw, ok := top["Version"]; ok {
		if !decodeString(raw, &p.Version) {
			return nil, &Error{msgSyntax}
		}
	}
	switch p.Version {
	case Version2012:
	case Version2008, "":
		// IAM refuses the 2008 grammar for identity policies; role trust and
		// resource policies written in it are still common and accepted.
		if kind == Identity {
			return nil, &Error{msgVersion}
		}
	default:
		return nil, &Error{msgSyntax}
	}

	for k, raw := range top {
		switch k {
		case "Version":
		case "Id":
			if !decodeString(raw, &p.ID) {
				return nil, &Error{msgSyntax}
			}
		case "Statement":
		default:
			return nil, &Error{msgSyntax}
		}
	}
	raws, ok := objectOrList(top["Statement"])
	if !ok || len(raws) == 0 {
		return nil, &Error{msgSyntax}
	}

	vars := p.Version == Version2012
	raw := make([]rawStatement, len(raws))
	for i, r := range raws {
		if err := raw[i].decode(r); err != nil {
			return nil, err
		}
	}
	// Values that IAM's older parser chokes on are reported before anything
	// about required elements.
	for i := range raw {
		if err := raw[i].checkLegacy(); err != nil {
			return nil, err
		}
	}
	seen := make(map[string]bool, len(raw))
	for i := range raw {
		if sid := raw[i].sid; sid != "" {
			if seen[sid] {
				return nil, &Error{msgSidUnique}
			}
			seen[sid] = true
		}
	}
	p.Statements = make([]Statement, len(raw))
	for i := range raw {
		if err := raw[i].compile(kind, vars, &p.Statements[i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// rawStatement is a statement after the structural pass, before its
// values are checked and compiled.
type rawStatement struct {
	sid                  string
	effect               string
	principal            *rawPrincipal
	notPrincipal         bool
	actions              []string
	hasAction, notAction bool
	resources            []string
	hasResource, notRes  bool
	conditions           []rawCondition
}

type rawCondition struct {
	operator string
	key      string
	values   []string
}

func (s *rawStatement) decode(data json.RawMessage) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil || m == nil {
		return &Error{msgSyntax}
	}
	if _, ok := m["Effect"]; !ok {
		return &Error{msgSyntax}
	}
	for k, raw := range m {
		var ok bool
		switch k {
		case "Sid":
			ok = decodeString(raw, &s.sid)
		case "Effect":
			ok = decodeString(raw, &s.effect)
		case "Principal", "NotPrincipal":
			if s.principal != nil {
				return &Error{msgSyntax}
			}
			s.notPrincipal = k == "NotPrincipal"
			s.principal, ok = decodePrincipal(raw)
		case "Action", "NotAction":
			if s.hasAction {
				return &Error{msgSyntax}
			}
			s.hasAction, s.notAction = true, k == "NotAction"
			s.actions, ok = stringOrList(raw)
		case "Resource", "NotResource":
			if s.hasResource {
				return &Error{msgSyntax}
			}
			s.hasResource, s.notRes = true, k == "NotResource"
			s.resources, ok = stringOrList(raw)
		case "Condition":
			s.conditions, ok = decodeConditions(raw)
		}
		if !ok {
			return &Error{msgSyntax}
		}
	}
	return nil
}

func (s *rawStatement) checkLegacy() error {
	if s.effect != string(Allow) && s.effect != string(Deny) {
		return &Error{msgLegacy}
	}
	for _, c := range s.conditions {
		op, _, _, _ := splitOperator(c.operator)
		for _, v := range c.values {
			if !op.valid(v) {
				return &Error{msgLegacy}
			}
		}
	}
	for _, r := range s.resources {
		// Five- and four-part ARNs are what the legacy parser rejects;
		// shorter and longer ones get their own messages below.
		if n := strings.Count(r, ":"); strings.HasPrefix(r, "arn:") && (n == 3 || n == 4) {
			return &Error{msgLegacy}
		}
	}
	return nil
}

func (s *rawStatement) compile(kind Kind, vars bool, out *Statement) error {
	switch kind {
	case Identity:
		if s.principal != nil {
			return &Error{msgPrincipalBanned}
		}
	case Trust:
		if s.hasResource {
			if s.notRes {
				return &Error{msgTrustNotResource}
			}
			return &Error{msgTrustResource}
		}
		fallthrough
	case Resource:
		if s.principal == nil {
			return &Error{msgPrincipalMissing}
		}
	}
	if len(s.actions) == 0 {
		return &Error{msgNoActions}
	}
	if kind != Trust && len(s.resources) == 0 {
		return &Error{msgNoResources}
	}
	for _, a := range s.actions {
		if err := checkAction(a); err != nil {
			return err
		}
		if kind == Trust && !s.notAction && a != "*" && !strings.EqualFold(a[:strings.IndexByte(a, ':')], "sts") {
			return &Error{msgTrustAction}
		}
	}
	for _, r := range s.resources {
		if err := checkResource(r); err != nil {
			return err
		}
	}
	if s.principal != nil {
		if err := s.principal.check(); err != nil {
			return err
		}
	}

	*out = Statement{
		Sid:          s.sid,
		Effect:       Effect(s.effect),
		notPrincipal: s.notPrincipal,
		notAction:    s.notAction,
		notResource:  s.notRes,
		hasResource:  s.hasResource,
	}
	if s.principal != nil {
		out.principal = s.principal.compile()
	}
	out.actions = make([]glob, len(s.actions))
	for i, a := range s.actions {
		out.actions[i] = compileGlob(a, true)
	}
	if s.hasResource {
		out.resources = make([]pattern, len(s.resources))
		for i, r := range s.resources {
			out.resources[i] = newPattern(r, false, vars)
		}
	}
	out.conditions = make([]condition, len(s.conditions))
	for i, c := range s.conditions {
		out.conditions[i] = compileCondition(c, vars)
	}
	return nil
}

var vendorRE = regexp.MustCompile(`^[a-zA-Z0-9\-.*]+$`)

func checkAction(a string) error {
	if a == "*" {
		return nil
	}
	vendor, rest, ok := strings.Cut(a, ":")
	switch {
	case !ok || vendor == "":
		return &Error{msgVendor}
	case strings.Contains(rest, ":"):
		return &Error{msgColon}
	case !vendorRE.MatchString(vendor):
		return &Error{fmt.Sprintf(msgVendorInvalid, vendor)}
	}
	return nil
}

// partitions IAM knows; a resource naming another is refused.
var partitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true,
	"aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

func checkResource(r string) error {
	if r == "*" {
		return nil
	}
	if !strings.HasPrefix(r, "arn:") {
		return &Error{fmt.Sprintf(msgResourceARN, r)}
	}
	parts := strings.SplitN(r, ":", 3)
	if len(parts) < 3 {
		return &Error{msgResourceVendor}
	}
	if p := parts[1]; !partitions[p] && !strings.ContainsAny(p, "*?") && !strings.Contains(p, "${") {
		return &Error{fmt.Sprintf(msgPartition, p, r)}
	}
	return nil
}

// decodeString decodes a JSON string into *out.
func decodeString(raw json.RawMessage, out *string) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return false
	}
	return json.Unmarshal(raw, out) == nil
}

// stringOrList decodes "x" or ["x", …]; an empty list is allowed (the
// statement then lacks the element).
func stringOrList(raw json.RawMessage) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return []string{s}, true
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil, false
		}
		out := make([]string, len(items))
		for i, it := range items {
			if !decodeString(it, &out[i]) {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// objectOrList decodes {…} or [{…}, …] into the raw objects.
func objectOrList(raw json.RawMessage) ([]json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '{':
		return []json.RawMessage{raw}, true
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil, false
		}
		for _, it := range items {
			if it = bytes.TrimSpace(it); len(it) == 0 || it[0] != '{' {
				return nil, false
			}
		}
		return items, true
	}
	return nil, false
}
