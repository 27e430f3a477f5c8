package template

import (
	"slices"
)

func (v *validator) resources() {
	for _, p := range v.t.Root.Get("Resources").pairsOrNil() {
		v.checkName("Resource", p.Key, p.KeyPos)
		n := p.Value
		path := pointer("/Resources", p.Key)
		if n.Kind != KindMap {
			v.add(n, msgResourceNotMap)
			continue
		}
		for _, a := range n.Pairs {
			if !slices.Contains(resourceAttrs, a.Key) {
				v.add(a.Value, msgBadResourceAttr, a.Key)
			}
		}
		switch typ := n.Get("Type"); {
		case typ == nil:
			v.add(n, msgResourceNoType, path)
		case typ.Kind != KindString:
			v.add(typ, msgTypeNotString, pointer(path, "Type"))
		}
		if props := n.Get("Properties"); props != nil {
			switch props.Kind {
			case KindNull:
				v.add(props, msgNull, pointer(path, "Properties"))
			case KindMap:
				v.walk(props, "Resources", pointer(path, "Properties"))
			default:
				if _, _, isFn := props.Intrinsic(); !isFn {
					v.add(props, msgPropsNotMap, pointer(path, "Properties"))
				} else {
					v.walk(props, "Resources", pointer(path, "Properties"))
				}
			}
		}
		for _, attr := range []string{"Metadata", "UpdatePolicy"} {
			if a := n.Get(attr); a != nil {
				v.walk(a, "Resources", pointer(path, attr))
			}
		}
		if d := n.Get("DependsOn"); d != nil {
			if !isStringOrList(d) || d.Kind == KindBool || d.Kind == KindNumber {
				v.add(d, msgDependsOnShape)
			} else {
				for _, name := range texts(d) {
					if v.t.resources[name] == nil {
						v.add(d, msgUnresolvedDeps, name, "Resources")
					}
				}
			}
		}
		v.conditionAttr(n, "Resources")
		for _, pol := range []struct {
			attr  string
			valid []string
		}{{"DeletionPolicy", deletionPolicies}, {"UpdateReplacePolicy", replacePolicies}} {
			if a := n.Get(pol.attr); a != nil {
				if s, ok := a.Text(); !ok || !slices.Contains(pol.valid, s) {
					shown := s
					if !ok {
						shown = a.String()
					}
					v.add(a, msgDeletionPolicy, pol.attr, shown, p.Key)
				}
			}
		}
	}
}

// conditionAttr checks the Condition attribute of a resource or output.
func (v *validator) conditionAttr(n *Node, block string) {
	c := n.Get("Condition")
	if c == nil {
		return
	}
	name, ok := c.Text()
	if !ok || c.Kind != KindString {
		v.add(c, msgConditionMember)
		return
	}
	if v.t.conditions[name] == nil {
		v.add(c, msgUnresolvedCondRs, name, block)
	}
}

func (v *validator) outputs() {
	for _, p := range v.t.Root.Get("Outputs").pairsOrNil() {
		v.checkName("Output", p.Key, p.KeyPos)
		n := p.Value
		path := pointer("/Outputs", p.Key)
		if n.Kind != KindMap {
			v.add(n, msgMemberNotMap, "Outputs")
			continue
		}
		for _, a := range n.Pairs {
			if !slices.Contains(outputProps, a.Key) {
				v.add(a.Value, msgBadOutputProp, a.Key)
			}
		}
		switch val := n.Get("Value"); {
		case val == nil:
			v.add(n, msgOutputNoValue)
		case val.Kind == KindNull:
			v.add(val, msgNull, pointer(path, "Value"))
		default:
			v.walk(val, "Outputs", pointer(path, "Value"))
		}
		if d := n.Get("Description"); d != nil && (!d.IsScalar() || d.Kind == KindNull) {
			v.add(d, msgDescription)
		}
		if ex := n.Get("Export"); ex != nil {
			name := ex.Get("Name")
			switch {
			case ex.Kind != KindMap || name == nil || name.Kind == KindNull:
				v.add(ex, msgExportName, p.Key)
			case name.IsScalar():
				if s, _ := name.Text(); !exportNameRe.MatchString(s) {
					v.add(name, msgExportName, p.Key)
				}
			default:
				v.walk(name, "Outputs", pointer(pointer(path, "Export"), "Name"))
				if v.dependsOnResources(name) {
					v.add(name, msgImportDepends)
				}
			}
		}
		v.conditionAttr(n, "Outputs")
	}
}

func (v *validator) rules() {
	for _, p := range v.t.Root.Get("Rules").pairsOrNil() {
		v.checkName("Rule", p.Key, p.KeyPos)
		n := p.Value
		path := pointer("/Rules", p.Key)
		as := n.Get("Assertions")
		if n.Kind != KindMap || as == nil || as.Kind != KindSeq {
			v.add(n, msgRulesShape)
			continue
		}
		for _, a := range n.Pairs {
			if a.Key != "RuleCondition" && a.Key != "Assertions" {
				v.add(a.Value, msgRuleBadField, a.Key, p.Key)
			}
		}
		if rc := n.Get("RuleCondition"); rc != nil {
			v.walk(rc, "Rules", pointer(path, "RuleCondition"))
		}
		for i, it := range as.Items {
			assert := it.Get("Assert")
			if it.Kind != KindMap || assert == nil {
				v.add(it, msgAssertShape, p.Key)
				continue
			}
			for _, a := range it.Pairs {
				if a.Key != "Assert" && a.Key != "AssertDescription" {
					v.add(a.Value, msgRuleBadField, a.Key, p.Key)
				}
			}
			if d := it.Get("AssertDescription"); d != nil && (!d.IsScalar() || d.Kind == KindNull) {
				v.add(d, msgDescription)
			}
			v.walk(assert, "Rules", pointer(pointer(pointer(path, "Assertions"), itoa(i)), "Assert"))
		}
	}
}

// dependsOnResources reports whether n refers to a resource, or uses
// Fn::GetAtt, Fn::ImportValue or Fn::GetAZs: what export names and
// Fn::ImportValue arguments may not do (spec §1.7).
func (v *validator) dependsOnResources(n *Node) bool {
	found := false
	refNames(n, nil, func(name string, _ *Node) {
		if _, ok := v.t.resourceName(name); ok {
			found = true
		}
	})
	var walk func(n *Node)
	walk = func(n *Node) {
		if n == nil || found {
			return
		}
		if name, _, ok := n.Intrinsic(); ok && (name == "Fn::GetAtt" || name == "Fn::ImportValue" || name == "Fn::GetAZs") {
			found = true
			return
		}
		for _, p := range n.Pairs {
			walk(p.Value)
		}
		for _, it := range n.Items {
			walk(it)
		}
	}
	walk(n)
	return found
}
