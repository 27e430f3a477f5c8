package template

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Masked is what DescribeStacks, DescribeStackEvents and DescribeChangeSet
// show instead of a NoEcho parameter's value (spec §3.3).
const Masked = "****"

// MaskedValue returns value, or Masked when the template declares the
// parameter NoEcho. Outputs and Metadata are never masked.
func (t *Template) MaskedValue(name, value string) string {
	if p := t.params[name]; p != nil && p.NoEcho {
		return Masked
	}
	return value
}

// awsParamTypes are the AWS-specific parameter types (spec §3.2). cloudlet
// has no account to look the values up in, so they are plain strings.
var awsParamTypes = map[string]bool{
	"AWS::EC2::AvailabilityZone::Name":   true,
	"AWS::EC2::Image::Id":                true,
	"AWS::EC2::Instance::Id":             true,
	"AWS::EC2::KeyPair::KeyName":         true,
	"AWS::EC2::SecurityGroup::GroupName": true,
	"AWS::EC2::SecurityGroup::Id":        true,
	"AWS::EC2::Subnet::Id":               true,
	"AWS::EC2::Volume::Id":               true,
	"AWS::EC2::VPC::Id":                  true,
	"AWS::Route53::HostedZone::Id":       true,
}

// paramKind is what a parameter type means for its value.
type paramKind struct {
	list   bool // the value is a comma-separated list
	number bool // every item must be a number
	ssm    bool // the value is an SSM parameter name to read
}

// classify interprets a parameter type; ok is false for unknown types.
func classify(typ string) (k paramKind, ok bool) {
	switch {
	case typ == "String", typ == "AWS::SSM::Parameter::Name", awsParamTypes[typ]:
		return paramKind{}, true
	case typ == "Number":
		return paramKind{number: true}, true
	case typ == "List<Number>":
		return paramKind{list: true, number: true}, true
	case typ == "CommaDelimitedList":
		return paramKind{list: true}, true
	}
	if inner, ok := strings.CutPrefix(typ, "List<"); ok && strings.HasSuffix(inner, ">") {
		return paramKind{list: true}, awsParamTypes[strings.TrimSuffix(inner, ">")]
	}
	if inner, ok := strings.CutPrefix(typ, "AWS::SSM::Parameter::Value<"); ok && strings.HasSuffix(inner, ">") {
		inner = strings.TrimSuffix(inner, ">")
		switch {
		case inner == "String", awsParamTypes[inner]:
			return paramKind{ssm: true}, true
		case inner == "List<String>", inner == "CommaDelimitedList":
			return paramKind{ssm: true, list: true}, true
		}
		if el, ok := strings.CutPrefix(inner, "List<"); ok && strings.HasSuffix(el, ">") {
			return paramKind{ssm: true, list: true}, awsParamTypes[strings.TrimSuffix(el, ">")]
		}
	}
	return paramKind{}, false
}

// splitList splits a list parameter's value: count = commas + 1, items
// space-trimmed (spec §3.2).
func splitList(s string) []string {
	items := strings.Split(s, ",")
	for i, it := range items {
		items[i] = strings.TrimSpace(it)
	}
	return items
}

// ResolveParameters computes every parameter's value from the supplied
// values and the Defaults, checks them against their constraints, and
// reads AWS::SSM::Parameter::Value<...> parameters through ssm (which
// returns an error when the name does not exist; nil means no SSM). The
// stack engine handles UsePreviousValue by passing the previous value.
// Errors are ValidationErrors in AWS's wording (spec §3.3, §3.4); only the
// first problem is reported, as AWS does.
func (t *Template) ResolveParameters(supplied map[string]string, ssm func(name string) (string, error)) (map[string]Value, error) {
	var unknown []string
	for k := range supplied {
		if t.params[k] == nil {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, &Error{Message: fmt.Sprintf(msgParamsUnknown, strings.Join(unknown, ", "))}
	}
	var missing []string
	raw := make(map[string]string, len(t.Parameters))
	for _, p := range t.Parameters {
		if _, ok := classify(p.Type); !ok {
			return nil, &Error{Pos: p.Pos, LogicalID: p.Name, Message: fmt.Sprintf(msgParamType, p.Type)}
		}
		switch v, ok := supplied[p.Name]; {
		case ok:
			raw[p.Name] = v
		case p.Default != nil:
			raw[p.Name] = *p.Default
		default:
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return nil, &Error{Message: fmt.Sprintf(msgParamsMissing, strings.Join(missing, ", "))}
	}
	for _, p := range t.Parameters {
		if err := p.check(raw[p.Name]); err != nil {
			return nil, err
		}
	}
	out := make(map[string]Value, len(t.Parameters))
	var unfetched []string
	var cause error
	for _, p := range t.Parameters {
		k, _ := classify(p.Type)
		s := raw[p.Name]
		v := Value{String: s}
		if k.ssm {
			v.SSMKey = s
			var err error
			if ssm == nil {
				err = fmt.Errorf("no parameter store")
			} else {
				s, err = ssm(s)
			}
			if err != nil {
				unfetched = append(unfetched, v.SSMKey)
				cause = err
				continue
			}
			v.String = s
		}
		if k.list {
			v.List = splitList(s)
		}
		out[p.Name] = v
	}
	if len(unfetched) > 0 {
		return nil, &Error{Message: fmt.Sprintf(msgSSMFetch, strings.Join(unfetched, ", ")), Err: cause}
	}
	return out, nil
}

// check tests a value (for SSM types, the parameter name) against the
// parameter's type and constraints (spec §3.4). For list types every item
// is checked.
func (p *Parameter) check(value string) *Error {
	k, _ := classify(p.Type)
	items := []string{value}
	if k.list && !k.ssm {
		items = splitList(value)
	}
	fail := func(format string, args ...any) *Error {
		e := &Error{Pos: p.Pos, LogicalID: p.Name, Message: fmt.Sprintf(format, args...)}
		if p.ConstraintDescription != "" {
			e.Message = fmt.Sprintf(msgParamConstraint, p.Name, p.ConstraintDescription)
		}
		return e
	}
	var re *regexp.Regexp
	if p.AllowedPattern != "" {
		// AWS uses Java regular expressions. A pattern RE2 cannot compile
		// (lookarounds, backreferences) is not checked rather than
		// rejecting a template AWS accepts.
		re, _ = regexp.Compile(`^(?:` + p.AllowedPattern + `)$`)
	}
	for _, it := range items {
		var num float64
		if k.number {
			f, ok := parseNumber(it)
			if !ok {
				return &Error{Pos: p.Pos, LogicalID: p.Name, Message: fmt.Sprintf(msgParamNumber, p.Name)}
			}
			num = f
		}
		if len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, it) {
			return fail(msgParamAllowed, p.Name)
		}
		if re != nil && !re.MatchString(it) {
			return fail(msgParamPattern, p.Name, p.AllowedPattern)
		}
		if n := utf8.RuneCountInString(it); p.MinLength != nil && n < *p.MinLength {
			return fail(msgParamMinLen, p.Name, p.minLenText)
		}
		if n := utf8.RuneCountInString(it); p.MaxLength != nil && n > *p.MaxLength {
			return fail(msgParamMaxLen, p.Name, p.maxLenText)
		}
		if k.number && p.MinValue != nil && num < *p.MinValue {
			return fail(msgParamMinValue, p.Name, p.minValText)
		}
		if k.number && p.MaxValue != nil && num > *p.MaxValue {
			return fail(msgParamMaxValue, p.Name, p.maxValText)
		}
	}
	return nil
}
