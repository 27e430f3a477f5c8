package template

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// More messages of Validate. [inf]: AWS's wording was not found; they follow
// the style of their recorded neighbours.
const (
	msgFormatVersion   = "Template format error: AWSTemplateFormatVersion must be 2010-09-09"                      // [inf]
	msgDescriptionLen  = "Template format error: Description must be no longer than 1024 bytes"                    // [inf]
	msgTransformShape  = "Template format error: Transform must be a string or a list of strings"                  // [inf]
	msgSectionNotMap   = "Template format error: The %s section must be an object"                                 // [inf]
	msgMemberNotMap    = "Template format error: Any %s member must be an object."                                 // [inf], after Resources'
	msgNameTooLong     = "Template format error: %s name %s is longer than 255 characters"                         // [inf]
	msgNameClash       = "Template format error: Duplicate logical ID %s: used by both a parameter and a resource" // [inf]
	msgTypeNotString   = "Template format error: [%s] Type must be a String"                                       // [inf]
	msgPropsNotMap     = "Template format error: [%s] Properties must be an object"                                // [inf]
	msgDeletionPolicy  = "Template format error: Unrecognized %s %s for resource %s"                               // [inf]
	msgBadOutputProp   = "Template format error: Invalid template output property '%s'"                            // [inf]
	msgParamDefault    = "Template format error: Every Default member must be a string."                           // [inf], after Description's
	msgParamNumProp    = "Template format error: Parameter %s %s must be a number"                                 // [inf]
	msgParamAllowedLst = "Template format error: Parameter %s AllowedValues must be a list"                        // [inf]
	msgRulesResources  = "Template format error: Unresolved dependencies [%s]. Cannot reference resources in the Rules block of the template"
	msgTransformFn     = "Template error: Fn::Transform is not supported: cloudlet does not run macros such as AWS::Include"
)

var (
	sections = []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules",
		"Mappings", "Conditions", "Transform", "Resources", "Outputs"}
	resourceAttrs = []string{"Type", "Properties", "DependsOn", "Condition", "DeletionPolicy",
		"UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy", "Metadata"}
	parameterProps = []string{"Type", "Default", "AllowedValues", "AllowedPattern", "MinLength",
		"MaxLength", "MinValue", "MaxValue", "NoEcho", "Description", "ConstraintDescription"}
	outputProps      = []string{"Value", "Description", "Export", "Condition"}
	deletionPolicies = []string{"Delete", "Retain", "RetainExceptOnCreate", "Snapshot"}
	replacePolicies  = []string{"Delete", "Retain", "Snapshot"}
	logicalIDRe      = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	exportNameRe     = regexp.MustCompile(`^[A-Za-z0-9:-]+$`)
)

// Limits of spec §1.1.
const (
	maxResources  = 500
	maxParameters = 200
	maxOutputs    = 200
	maxMappings   = 200
)

// validator collects every static problem of a template.
type validator struct {
	t    *Template
	errs []error
}

func (v *validator) add(n *Node, format string, args ...any) {
	v.errs = append(v.errs, errAt(n, format, args...))
}

// addAt reports a problem at an explicit position and logical ID.
func (v *validator) addAt(p Pos, id, format string, args ...any) {
	v.errs = append(v.errs, &Error{Pos: p, LogicalID: id, Message: fmt.Sprintf(format, args...)})
}

// Validate reports every static error it can find, in one pass, joined
// with errors.Join in template order: the section structure, logical IDs,
// parameter declarations and defaults, mappings, conditions, the resources'
// attributes, outputs, rules, the shape of every intrinsic function call,
// references to nothing, and circular dependencies (spec §1.1, §1.4, §1.5,
// §1.8, §3, §4). Each error names the file, line and logical ID and has
// AWS's wording; AWSError gives the first as the wire error. Resource types
// and properties are the stack engine's to check.
func (t *Template) Validate() error {
	v := &validator{t: t}
	v.topLevel()
	v.parameters()
	v.mappings()
	v.conditions()
	v.resources()
	v.outputs()
	v.rules()
	if len(v.errs) == 0 {
		// Cycles only: unresolved references were reported above, with
		// better positions.
		if _, err := t.Order(nil); err != nil {
			v.errs = append(v.errs, err)
		}
	}
	return errors.Join(v.errs...)
}

func (v *validator) topLevel() {
	root := v.t.Root
	var unknown []string
	var first *Node
	for _, p := range root.Pairs {
		if !slices.Contains(sections, p.Key) {
			unknown = append(unknown, p.Key)
			if first == nil {
				first = &Node{Pos: p.KeyPos}
			}
		}
	}
	if len(unknown) > 0 {
		v.add(first, msgBadSections, strings.Join(unknown, ", "))
	}
	if n := root.Get("AWSTemplateFormatVersion"); n != nil {
		if s, _ := n.Text(); s != "2010-09-09" {
			v.add(n, msgFormatVersion)
		}
	}
	if n := root.Get("Description"); n != nil {
		if n.Kind != KindString && n.Kind != KindNumber && n.Kind != KindBool {
			v.add(n, msgDescription)
		} else if len(n.Value) > 1024 {
			v.add(n, msgDescriptionLen)
		}
	}
	if n := root.Get("Transform"); n != nil && !isStringOrList(n) {
		v.add(n, msgTransformShape)
	}
	for _, sec := range []string{"Parameters", "Mappings", "Conditions", "Outputs", "Rules"} {
		if n := root.Get(sec); n != nil && n.Kind != KindMap {
			v.add(n, msgSectionNotMap, sec)
		}
	}
	res := root.Get("Resources")
	if res == nil || res.Kind != KindMap || len(res.Pairs) == 0 {
		at := res
		if at == nil {
			at = root
		}
		v.add(at, msgNoResources)
	}
	for _, c := range []struct {
		what  string
		count int
		max   int
	}{
		{"resources", len(v.t.Resources), maxResources},
		{"parameters", len(v.t.Parameters), maxParameters},
		{"outputs", len(v.t.Outputs), maxOutputs},
		{"mappings", len(root.Get("Mappings").pairsOrNil()), maxMappings},
	} {
		if c.count > c.max {
			v.add(root, msgTooMany, c.what, c.count, c.max)
		}
	}
}

func (n *Node) pairsOrNil() []Pair {
	if n == nil || n.Kind != KindMap {
		return nil
	}
	return n.Pairs
}

// isStringOrList reports whether n is a string or a list of strings.
func isStringOrList(n *Node) bool {
	if n.IsScalar() && n.Kind != KindNull {
		return true
	}
	if n.Kind != KindSeq {
		return false
	}
	for _, it := range n.Items {
		if !it.IsScalar() || it.Kind == KindNull {
			return false
		}
	}
	return true
}

// checkName checks a logical ID: ASCII alphanumeric, at most 255 long.
func (v *validator) checkName(kind, name string, p Pos) {
	switch {
	case !logicalIDRe.MatchString(name):
		v.addAt(p, name, msgNonAlnum, kind, name)
	case len(name) > 255:
		v.addAt(p, name, msgNameTooLong, kind, name)
	}
}

// pointer is a JSON pointer path element, escaped.
func pointer(base, key string) string {
	key = strings.ReplaceAll(key, "~", "~0")
	return base + "/" + strings.ReplaceAll(key, "/", "~1")
}

func (v *validator) parameters() {
	for _, p := range v.t.Root.Get("Parameters").pairsOrNil() {
		v.checkName("Parameter", p.Key, p.KeyPos)
		if v.t.resources[p.Key] != nil {
			v.addAt(p.KeyPos, p.Key, msgNameClash, p.Key)
		}
		n := p.Value
		if n.Kind != KindMap {
			v.add(n, msgMemberNotMap, "Parameters")
			continue
		}
		for _, q := range n.Pairs {
			if !slices.Contains(parameterProps, q.Key) {
				v.add(q.Value, msgBadParamProp, q.Key)
			}
		}
		pm := v.t.params[p.Key]
		typ := n.Get("Type")
		switch {
		case typ == nil:
			v.add(n, msgParamNoType, pointer("/Parameters", p.Key))
			continue
		case !typ.IsScalar() || typ.Kind == KindNull:
			v.add(typ, msgParamType, typ.String())
			continue
		}
		if _, ok := classify(pm.Type); !ok {
			v.add(typ, msgParamType, pm.Type)
			continue
		}
		for _, q := range []struct {
			prop string
			set  bool
			text string
		}{
			{"MinLength", pm.MinLength != nil, pm.minLenText},
			{"MaxLength", pm.MaxLength != nil, pm.maxLenText},
			{"MinValue", pm.MinValue != nil, pm.minValText},
			{"MaxValue", pm.MaxValue != nil, pm.maxValText},
		} {
			if pn := n.Get(q.prop); pn != nil && !q.set {
				v.add(pn, msgParamNumProp, p.Key, q.prop)
			}
		}
		if av := n.Get("AllowedValues"); av != nil && !isStringOrList(av) {
			v.add(av, msgParamAllowedLst, p.Key)
		}
		d := n.Get("Default")
		if d == nil {
			continue
		}
		if !d.IsScalar() || d.Kind == KindNull {
			v.add(d, msgParamDefault)
			continue
		}
		// A Default must satisfy the parameter's own constraints
		// (cfn-lint E2015).
		if err := pm.check(*pm.Default); err != nil {
			err.Pos = d.Pos
			v.errs = append(v.errs, err)
		}
	}
}

func (v *validator) mappings() {
	for _, m := range v.t.Root.Get("Mappings").pairsOrNil() {
		v.checkName("Mapping", m.Key, m.KeyPos)
		if m.Value.Kind != KindMap {
			v.add(m.Value, msgMappingNotMap, m.Key)
			continue
		}
		for _, top := range m.Value.Pairs {
			if top.Value.Kind != KindMap {
				v.add(top.Value, msgMappingNotMap, top.Key)
				continue
			}
			for _, attr := range top.Value.Pairs {
				if !isStringOrList(attr.Value) {
					v.add(attr.Value, msgMappingAttr)
				}
			}
		}
	}
}

func (v *validator) conditions() {
	for _, c := range v.t.Root.Get("Conditions").pairsOrNil() {
		v.checkName("Condition", c.Key, c.KeyPos)
		fn, _, ok := c.Value.condCall()
		if !ok || !isConditionFunction(fn) {
			v.add(c.Value, msgCondShape)
			continue
		}
		v.walk(c.Value, "Conditions", pointer("/Conditions", c.Key))
	}
	v.conditionCycles()
}

// conditionCycles reports conditions that depend on themselves.
func (v *validator) conditionCycles() {
	uses := map[string][]string{}
	for _, c := range v.t.Conditions {
		var walk func(n *Node)
		walk = func(n *Node) {
			if n == nil {
				return
			}
			if name, arg, ok := n.condCall(); ok {
				switch name {
				case "Condition":
					if s, ok := arg.Text(); ok {
						uses[c.Name] = append(uses[c.Name], s)
					}
				case "Fn::If":
					if arg.Kind == KindSeq && len(arg.Items) > 0 {
						if s, ok := arg.Items[0].Text(); ok {
							uses[c.Name] = append(uses[c.Name], s)
						}
					}
				}
			}
			for _, p := range n.Pairs {
				walk(p.Value)
			}
			for _, it := range n.Items {
				walk(it)
			}
		}
		walk(c.Expr)
	}
	const (
		unvisited = iota
		visiting
		visited
	)
	state := map[string]int{}
	var stack []string
	var visit func(name string) bool
	visit = func(name string) bool {
		switch state[name] {
		case visiting:
			i := slices.Index(stack, name)
			cycle := append(append([]string{}, stack[i:]...), name)
			c := v.t.conditions[stack[i]]
			v.addAt(c.Pos, c.Name, msgCondCycle, strings.Join(cycle, ", "))
			return true
		case visited:
			return false
		}
		state[name] = visiting
		stack = append(stack, name)
		for _, u := range uses[name] {
			if v.t.conditions[u] != nil && visit(u) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = visited
		return false
	}
	for _, c := range v.t.Conditions {
		if state[c.Name] == unvisited && visit(c.Name) {
			return // one cycle report is enough; the rest would repeat it
		}
	}
}
