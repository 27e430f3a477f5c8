package template

import (
	"bytes"
	"fmt"
	"strconv"
)

// maxTemplateBytes is the largest template CloudFormation reads from S3
// (spec §1.1: "template in S3 ≤ 1 MB"; cfn-lint uses 1,000,000 bytes).
// The 51,200-byte limit on TemplateBody is the wire adapter's to enforce.
const maxTemplateBytes = 1_000_000

// Template is a parsed CloudFormation template. Parse fills it from any
// syntactically valid document and leaves judging its contents to
// Validate, so that Validate can report every problem at once. A Template is
// not modified after Parse and is safe for concurrent use.
type Template struct {
	Name          string // file name given to Parse
	Source        []byte // the bytes parsed
	FormatVersion string // AWSTemplateFormatVersion; empty when absent
	Description   string
	Transform     []string // declared transforms, recorded and not expanded
	Parameters    []*Parameter
	Mappings      *Node // nil when absent
	Conditions    []*Condition
	Resources     []*Resource
	Outputs       []*Output
	Metadata      *Node // nil when absent
	Rules         []*Rule
	// Root is the whole document.
	Root *Node

	resources  map[string]*Resource
	params     map[string]*Parameter
	conditions map[string]*Condition
}

// Resource is one entry of the Resources section.
type Resource struct {
	LogicalID, Type                        string
	Properties                             *Node // nil when absent
	DependsOn                              []string
	Condition                              string
	DeletionPolicy, UpdateReplacePolicy    string
	Metadata, UpdatePolicy, CreationPolicy *Node // nil when absent
	// Pos is the position of the logical ID.
	Pos  Pos
	node *Node
}

// Parameter is one entry of the Parameters section. Numeric constraints
// that are absent or not numbers are nil (Validate reports the latter).
type Parameter struct {
	Name, Type            string
	Default               *string // nil when there is no default
	NoEcho                bool
	Description           string
	AllowedValues         []string
	AllowedPattern        string
	MinLength, MaxLength  *int
	MinValue, MaxValue    *float64
	ConstraintDescription string
	Pos                   Pos

	// The constraints' source text, for messages ("not less than 1.50").
	minLenText, maxLenText, minValText, maxValText string
	node                                           *Node
}

// Output is one entry of the Outputs section.
type Output struct {
	Name        string
	Value       *Node // nil when absent
	Description string
	ExportName  *Node // Export.Name; nil when there is no export
	Condition   string
	Pos         Pos
	node        *Node
}

// Condition is one entry of the Conditions section.
type Condition struct {
	Name string
	Expr *Node
	Pos  Pos
}

// Rule is one entry of the Rules section (parameter validation rules).
type Rule struct {
	Name          string
	RuleCondition *Node // nil when the rule always applies
	Assertions    []*Assertion
	Pos           Pos
	node          *Node
}

// Assertion is one item of a rule's Assertions.
type Assertion struct {
	Assert            *Node
	AssertDescription string
	Pos               Pos
}

// Parse parses a template in JSON or YAML. JSON is tried first, as the AWS
// CLI does; a document that fails as both reports the JSON error when it
// starts with "{" and the YAML error otherwise. name is the file name used
// in positions and messages. YAML aliases and << merge keys are expanded
// (AWS rejects them; cloudlet allows them).
func Parse(name string, src []byte) (*Template, error) {
	if len(src) > maxTemplateBytes {
		return nil, &Error{Pos: Pos{File: name}, Message: fmt.Sprintf(msgTooLarge, maxTemplateBytes)}
	}
	body := bytes.TrimPrefix(src, []byte("\ufeff"))
	root, jerr := parseJSON(name, body)
	if jerr != nil {
		var yerr error
		root, yerr = parseYAML(name, body)
		if yerr != nil {
			if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '{' {
				return nil, jerr
			}
			return nil, yerr
		}
	}
	if root.Kind != KindMap {
		return nil, &Error{Pos: root.Pos, Message: msgStructure}
	}
	return build(name, src, root), nil
}

const msgStructure = "Template format error: unsupported structure."

func build(name string, src []byte, root *Node) *Template {
	t := &Template{
		Name: name, Source: src, Root: root,
		resources:  map[string]*Resource{},
		params:     map[string]*Parameter{},
		conditions: map[string]*Condition{},
	}
	for _, sec := range root.Pairs {
		v := sec.Value
		switch sec.Key {
		case "AWSTemplateFormatVersion":
			v.setOwner(&owner{t: t, section: sec.Key})
			t.FormatVersion, _ = v.Text()
		case "Description":
			v.setOwner(&owner{t: t, section: sec.Key})
			t.Description, _ = v.Text()
		case "Transform":
			v.setOwner(&owner{t: t, section: sec.Key})
			t.Transform = texts(v)
		case "Metadata":
			v.setOwner(&owner{t: t, section: sec.Key})
			t.Metadata = v
		case "Mappings":
			t.Mappings = v
			for _, p := range v.Pairs {
				p.Value.setOwner(&owner{t: t, section: sec.Key, logicalID: p.Key})
			}
		case "Parameters":
			for _, p := range v.Pairs {
				p.Value.setOwner(&owner{t: t, section: sec.Key, logicalID: p.Key})
				pm := buildParameter(p)
				t.Parameters = append(t.Parameters, pm)
				t.params[pm.Name] = pm
			}
		case "Conditions":
			for _, p := range v.Pairs {
				p.Value.setOwner(&owner{t: t, section: sec.Key, logicalID: p.Key})
				c := &Condition{Name: p.Key, Expr: p.Value, Pos: p.KeyPos}
				t.Conditions = append(t.Conditions, c)
				t.conditions[c.Name] = c
			}
		case "Resources":
			for _, p := range v.Pairs {
				p.Value.setOwner(&owner{t: t, section: sec.Key, logicalID: p.Key})
				r := buildResource(p)
				t.Resources = append(t.Resources, r)
				t.resources[r.LogicalID] = r
			}
		case "Outputs":
			for _, p := range v.Pairs {
				p.Value.setOwner(&owner{t: t, section: sec.Key, logicalID: p.Key})
				t.Outputs = append(t.Outputs, buildOutput(p))
			}
		case "Rules":
			for _, p := range v.Pairs {
				p.Value.setOwner(&owner{t: t, section: sec.Key, logicalID: p.Key})
				t.Rules = append(t.Rules, buildRule(p))
			}
		default:
			v.setOwner(&owner{t: t, section: sec.Key})
		}
	}
	return t
}

// Resource returns the resource with the logical ID, or nil.
func (t *Template) Resource(logicalID string) *Resource { return t.resources[logicalID] }

// Parameter returns the declared parameter, or nil.
func (t *Template) Parameter(name string) *Parameter { return t.params[name] }

// Condition returns the declared condition, or nil.
func (t *Template) Condition(name string) *Condition { return t.conditions[name] }

// texts is a string or list of strings as a slice; other shapes give nil.
func texts(n *Node) []string {
	if s, ok := n.Text(); ok && n.Kind != KindNull {
		return []string{s}
	}
	if n == nil || n.Kind != KindSeq {
		return nil
	}
	out := make([]string, 0, len(n.Items))
	for _, it := range n.Items {
		if s, ok := it.Text(); ok {
			out = append(out, s)
		}
	}
	return out
}

func text(n *Node) string {
	s, _ := n.Text()
	return s
}

func buildResource(p Pair) *Resource {
	n := p.Value
	r := &Resource{LogicalID: p.Key, Pos: p.KeyPos, node: n}
	r.Type = text(n.Get("Type"))
	r.Properties = n.Get("Properties")
	r.DependsOn = texts(n.Get("DependsOn"))
	r.Condition = text(n.Get("Condition"))
	r.DeletionPolicy = text(n.Get("DeletionPolicy"))
	r.UpdateReplacePolicy = text(n.Get("UpdateReplacePolicy"))
	r.Metadata = n.Get("Metadata")
	r.UpdatePolicy = n.Get("UpdatePolicy")
	r.CreationPolicy = n.Get("CreationPolicy")
	return r
}

func buildParameter(p Pair) *Parameter {
	n := p.Value
	pm := &Parameter{Name: p.Key, Pos: p.KeyPos, node: n}
	pm.Type = text(n.Get("Type"))
	if d := n.Get("Default"); d != nil && d.IsScalar() {
		s, _ := d.Text()
		pm.Default = &s
	}
	if ne := n.Get("NoEcho"); ne != nil {
		s, _ := ne.Text()
		pm.NoEcho = s == "true" || s == "True" || s == "TRUE"
	}
	pm.Description = text(n.Get("Description"))
	pm.ConstraintDescription = text(n.Get("ConstraintDescription"))
	pm.AllowedPattern = text(n.Get("AllowedPattern"))
	if av := n.Get("AllowedValues"); av != nil {
		pm.AllowedValues = texts(av)
	}
	pm.MinLength, pm.minLenText = intProp(n.Get("MinLength"))
	pm.MaxLength, pm.maxLenText = intProp(n.Get("MaxLength"))
	pm.MinValue, pm.minValText = floatProp(n.Get("MinValue"))
	pm.MaxValue, pm.maxValText = floatProp(n.Get("MaxValue"))
	return pm
}

// intProp reads a numeric parameter property, which may be a number or a
// numeric string (spec §3.1).
func intProp(n *Node) (*int, string) {
	s, ok := n.Text()
	if !ok || n.Kind == KindNull {
		return nil, ""
	}
	if v, err := strconv.Atoi(s); err == nil {
		return &v, s
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) {
		v := int(f)
		return &v, s
	}
	return nil, s
}

func floatProp(n *Node) (*float64, string) {
	s, ok := n.Text()
	if !ok || n.Kind == KindNull {
		return nil, ""
	}
	if f, ok := parseNumber(s); ok {
		return &f, s
	}
	return nil, s
}

func buildOutput(p Pair) *Output {
	n := p.Value
	o := &Output{Name: p.Key, Pos: p.KeyPos, node: n}
	o.Value = n.Get("Value")
	o.Description = text(n.Get("Description"))
	o.Condition = text(n.Get("Condition"))
	if ex := n.Get("Export"); ex != nil {
		o.ExportName = ex.Get("Name")
	}
	return o
}

func buildRule(p Pair) *Rule {
	n := p.Value
	r := &Rule{Name: p.Key, Pos: p.KeyPos, node: n}
	r.RuleCondition = n.Get("RuleCondition")
	if as := n.Get("Assertions"); as != nil && as.Kind == KindSeq {
		for _, it := range as.Items {
			r.Assertions = append(r.Assertions, &Assertion{
				Assert:            it.Get("Assert"),
				AssertDescription: text(it.Get("AssertDescription")),
				Pos:               it.Pos,
			})
		}
	}
	return r
}
