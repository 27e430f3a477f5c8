package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opClass groups the condition operators by how they compare.
type opClass uint8

const (
	classString opClass = iota
	classStringFold
	classStringLike
	classNumeric
	classDate
	classBool
	classBinary
	classIP
	classARN
	classNull
)

// cmp is how a numeric or date operator compares request to policy value.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// operator is one condition operator without set qualifier or IfExists.
type operator struct {
	class   opClass
	cmp     cmp
	negated bool // StringNotEquals & co: true when nothing matches
}

var operators = map[string]operator{
	"StringEquals":              {class: classString},
	"StringNotEquals":           {class: classString, negated: true},
	"StringEqualsIgnoreCase":    {class: classStringFold},
	"StringNotEqualsIgnoreCase": {class: classStringFold, negated: true},
	"StringLike":                {class: classStringLike},
	"StringNotLike":             {class: classStringLike, negated: true},
	"NumericEquals":             {class: classNumeric},
	"NumericNotEquals":          {class: classNumeric, negated: true},
	"NumericLessThan":           {class: classNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {class: classNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {class: classNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {class: classNumeric, cmp: cmpGe},
	"DateEquals":                {class: classDate},
	"DateNotEquals":             {class: classDate, negated: true},
	"DateLessThan":              {class: classDate, cmp: cmpLt},
	"DateLessThanEquals":        {class: classDate, cmp: cmpLe},
	"DateGreaterThan":           {class: classDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {class: classDate, cmp: cmpGe},
	"Bool":                      {class: classBool},
	"BinaryEquals":              {class: classBinary},
	"IpAddress":                 {class: classIP},
	"NotIpAddress":              {class: classIP, negated: true},
	"ArnEquals":                 {class: classARN},
	"ArnLike":                   {class: classARN},
	"ArnNotEquals":              {class: classARN, negated: true},
	"ArnNotLike":                {class: classARN, negated: true},
	"Null":                      {class: classNull},
}

// setQualifier is the ForAnyValue:/ForAllValues: prefix, for keys with
// several values.
type setQualifier uint8

const (
	setNone setQualifier = iota
	setAny
	setAll
)

// splitOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func splitOperator(name string) (op operator, set setQualifier, ifExists, ok bool) {
	switch {
	case strings.HasPrefix(name, "ForAnyValue:"):
		set, name = setAny, name[len("ForAnyValue:"):]
	case strings.HasPrefix(name, "ForAllValues:"):
		set, name = setAll, name[len("ForAllValues:"):]
	}
	if base, found := strings.CutSuffix(name, "IfExists"); found && base != "Null" {
		ifExists, name = true, base
	}
	op, ok = operators[name]
	return op, set, ifExists, ok
}

// decodeConditions decodes {"Operator": {"key": value-or-values}}. Values
// may be strings, numbers or booleans, alone or in a list.
func decodeConditions(raw json.RawMessage) ([]rawCondition, bool) {
	var ops map[string]json.RawMessage
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &ops) != nil {
		return nil, false
	}
	var out []rawCondition
	for name, body := range ops {
		if _, _, _, ok := splitOperator(name); !ok {
			return nil, false
		}
		var keys map[string]json.RawMessage
		if body = bytes.TrimSpace(body); len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &keys) != nil {
			return nil, false
		}
		for key, v := range keys {
			vals, ok := conditionValues(v)
			if !ok {
				return nil, false
			}
			out = append(out, rawCondition{operator: name, key: key, values: vals})
		}
	}
	return out, true
}

func conditionValues(raw json.RawMessage) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil, false
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := scalar(it)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(raw)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

// scalar renders a JSON string, number or boolean as the text IAM compares.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	case c == 't' || c == 'f':
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return "", false
		}
		return strconv.FormatBool(b), true
	case c == '-' || (c >= '0' && c <= '9'):
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return "", false
		}
		return n.String(), true
	}
	return "", false
}

// valid reports whether v is a value this operator can compare; IAM refuses
// the others as failing legacy parsing.
func (op operator) valid(v string) bool {
	switch op.class {
	case classNumeric:
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case classDate:
		_, ok := parseDate(v)
		return ok
	case classIP:
		_, ok := parseIPPrefix(v)
		return ok
	}
	return true
}

// condition is one compiled key test: operator, key and the policy values.
type condition struct {
	op       operator
	set      setQualifier
	ifExists bool
	key      string
	values   []condValue
}

type condValue struct {
	pat  pattern // string and ARN classes; raw text for the others
	num  float64
	date time.Time
	ip   netip.Prefix
	arn  *[6]glob // ArnLike without variables, precompiled per segment
}

func compileCondition(c rawCondition, vars bool) condition {
	op, set, ifExists, _ := splitOperator(c.operator)
	out := condition{op: op, set: set, ifExists: ifExists, key: c.key, values: make([]condValue, len(c.values))}
	expand := vars && (op.class == classString || op.class == classStringFold || op.class == classStringLike || op.class == classARN)
	for i, v := range c.values {
		cv := condValue{pat: newPattern(v, false, expand)}
		switch op.class {
		case classNumeric:
			cv.num, _ = strconv.ParseFloat(v, 64)
		case classDate:
			cv.date, _ = parseDate(v)
		case classIP:
			cv.ip, _ = parseIPPrefix(v)
		case classARN:
			if !cv.pat.vars {
				cv.arn = compileARN(v)
			}
		}
		out.values[i] = cv
	}
	return out
}

// eval reports whether the condition holds for r. A key missing from the
// request makes positive operators false and negated ones true, except
// under IfExists (true) and the set qualifiers (ForAllValues true,
// ForAnyValue false) — IAM's documented rules.
func (c *condition) eval(r *Request) bool {
	vals, present := r.lookup(c.key)
	if c.op.class == classNull {
		for _, v := range c.values {
			if strings.EqualFold(v.pat.raw, "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.ifExists:
			return true
		case c.set == setAll:
			return true
		case c.set == setAny:
			return false
		}
		return c.op.negated
	}
	switch c.set {
	case setAny:
		for _, v := range vals {
			if c.matchesAny(v, r) != c.op.negated {
				return true
			}
		}
		return false
	case setAll:
		for _, v := range vals {
			if c.matchesAny(v, r) == c.op.negated {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchesAny(v, r) {
			return !c.op.negated
		}
	}
	return c.op.negated
}

// matchesAny reports whether request value v matches any policy value in
// the operator's positive sense (StringNotEquals compares as StringEquals).
func (c *condition) matchesAny(v string, r *Request) bool {
	for i := range c.values {
		if c.matchOne(v, &c.values[i], r) {
			return true
		}
	}
	return false
}

func (c *condition) matchOne(v string, pv *condValue, r *Request) bool {
	switch c.op.class {
	case classString:
		s, ok := pv.pat.literal(r)
		return ok && s == v
	case classStringFold:
		s, ok := pv.pat.literal(r)
		return ok && strings.EqualFold(s, v)
	case classStringLike:
		return pv.pat.match(v, r)
	case classNumeric:
		n, err := strconv.ParseFloat(v, 64)
		return err == nil && compare(c.op.cmp, n, pv.num)
	case classDate:
		d, ok := parseDate(v)
		return ok && compareTime(c.op.cmp, d, pv.date)
	case classBool:
		return strings.EqualFold(v, pv.pat.raw)
	case classBinary:
		return v == pv.pat.raw || base64.StdEncoding.EncodeToString([]byte(v)) == pv.pat.raw
	case classIP:
		ip, err := netip.ParseAddr(v)
		return err == nil && pv.ip.Contains(ip.Unmap())
	case classARN:
		segs := pv.arn
		if segs == nil {
			s, ok := pv.pat.literal(r)
			if !ok {
				return false
			}
			if segs = compileARN(s); segs == nil {
				return false
			}
		}
		return matchARN(segs, v)
	}
	return false
}

func compare(op cmp, a, b float64) bool {
	switch op {
	case cmpLt:
		return a < b
	case cmpLe:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGe:
		return a >= b
	}
	return a == b
}

func compareTime(op cmp, a, b time.Time) bool {
	switch op {
	case cmpLt:
		return a.Before(b)
	case cmpLe:
		return !a.After(b)
	case cmpGt:
		return a.After(b)
	case cmpGe:
		return !a.Before(b)
	}
	return a.Equal(b)
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// parseDate reads the ISO 8601 forms IAM accepts, or seconds since the
// epoch (what aws:EpochTime carries).
func parseDate(s string) (time.Time, bool) {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseIPPrefix reads a CIDR block or a single address (a /32 or /128).
func parseIPPrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// compileARN splits an ARN pattern into its six colon-separated parts,
// each matched on its own as ArnLike requires; nil when s is not an ARN.
// The sixth part keeps any further colons (function:name:alias).
func compileARN(s string) *[6]glob {
	var segs [6]glob
	for i := 0; i < 5; i++ {
		n := strings.IndexByte(s, ':')
		if n < 0 {
			return nil
		}
		segs[i] = compileGlob(s[:n], false)
		s = s[n+1:]
	}
	segs[5] = compileGlob(s, false)
	return &segs
}

func matchARN(segs *[6]glob, v string) bool {
	for i := 0; i < 5; i++ {
		n := strings.IndexByte(v, ':')
		if n < 0 || !segs[i].match(v[:n]) {
			return false
		}
		v = v[n+1:]
	}
	return segs[5].match(v)
}
