package template

import (
	"strconv"
	"strings"
)

func itoa(i int) string { return strconv.Itoa(i) }

// walk checks every intrinsic function call under n, which belongs to the
// given section ("Resources", "Outputs", "Conditions", "Rules"); path is
// n's JSON pointer for messages that carry one.
func (v *validator) walk(n *Node, section, path string) {
	if n == nil {
		return
	}
	cond := section == "Conditions" || section == "Rules" || strings.HasPrefix(section, "Conditions-operand:")
	switch n.Kind {
	case KindNull:
		v.add(n, msgNull, path)
	case KindSeq:
		for i, it := range n.Items {
			v.walk(it, section, pointer(path, itoa(i)))
		}
	case KindMap:
		name, arg, ok := n.Intrinsic()
		if cond && !ok {
			name, arg, ok = n.condCall()
		}
		if !ok {
			for _, p := range n.Pairs {
				v.walk(p.Value, section, pointer(path, p.Key))
			}
			return
		}
		v.fn(n, name, arg, section, pointer(path, name))
	}
}

// isFn reports whether n is an intrinsic function call.
func isFn(n *Node) bool {
	_, _, ok := n.Intrinsic()
	return ok
}

// scalarOrFn reports whether n is a non-null scalar or a function call:
// the arguments that must produce a string.
func scalarOrFn(n *Node) bool {
	return n != nil && ((n.IsScalar() && n.Kind != KindNull) || isFn(n))
}

// listOrFn reports whether n is a list or a function call.
func listOrFn(n *Node) bool {
	return n != nil && (n.Kind == KindSeq || isFn(n))
}

func seqLen(n *Node, lengths ...int) bool {
	if n == nil || n.Kind != KindSeq {
		return false
	}
	for _, l := range lengths {
		if len(n.Items) == l {
			return true
		}
	}
	return false
}

// unresolved reports a reference to something that does not exist, or to
// a resource where resources may not be referenced.
func (v *validator) unresolved(n *Node, name, section string) {
	switch section = baseSection(section); section {
	case "Conditions":
		v.add(n, msgCondResources, name)
	case "Rules":
		v.add(n, msgRulesResources, name)
	default:
		v.add(n, msgUnresolvedDeps, name, section)
	}
}

// ref checks that name (from Ref or a Fn::Sub variable) resolves.
func (v *validator) ref(n *Node, name, section string) {
	section = baseSection(section)
	if IsPseudo(name) || v.t.params[name] != nil {
		return
	}
	if v.t.resources[name] != nil && section != "Conditions" && section != "Rules" {
		return
	}
	v.unresolved(n, name, section)
}

func (v *validator) fn(n *Node, name string, arg *Node, section, path string) {
	walkArgs := func() {
		if arg == nil {
			return
		}
		if arg.Kind == KindSeq {
			for i, it := range arg.Items {
				v.walk(it, section, pointer(path, itoa(i)))
			}
			return
		}
		if arg.Kind == KindMap {
			v.walk(arg, section, path)
		}
	}
	switch name {
	case "Ref":
		s, ok := arg.Text()
		if !ok || arg.Kind == KindNull || s == "" {
			v.add(n, msgRefShape)
			return
		}
		v.ref(n, s, section)
	case "Fn::GetAtt":
		v.getAtt(n, arg, section, path)
	case "Fn::Sub":
		v.sub(n, arg, section, path)
	case "Fn::Join":
		if !seqLen(arg, 2) || !arg.Items[0].IsScalar() || arg.Items[0].Kind == KindNull || !listOrFn(arg.Items[1]) {
			v.add(n, msgJoinShape)
			return
		}
		walkArgs()
	case "Fn::Select":
		if !seqLen(arg, 2) || !scalarOrFn(arg.Items[0]) || !listOrFn(arg.Items[1]) {
			v.add(n, msgSelectShape)
			return
		}
		if idx := arg.Items[0]; idx.IsScalar() {
			i, err := strconv.Atoi(strings.TrimSpace(idx.Value))
			switch {
			case err != nil:
				v.add(n, msgSelectShape)
				return
			case arg.Items[1].Kind == KindSeq && !anyFn(arg.Items[1]) && (i < 0 || i >= len(arg.Items[1].Items)):
				v.add(n, msgSelectRange, i)
				return
			}
		}
		walkArgs()
	case "Fn::Split":
		if !seqLen(arg, 2) || !arg.Items[0].IsScalar() || arg.Items[0].Kind == KindNull || arg.Items[0].Value == "" || !scalarOrFn(arg.Items[1]) {
			v.add(n, msgSplitShape)
			return
		}
		walkArgs()
	case "Fn::FindInMap":
		v.findInMap(n, arg, section, path)
	case "Fn::If":
		if !seqLen(arg, 3) {
			v.add(n, msgIfShape)
			return
		}
		c, ok := arg.Items[0].Text()
		if !ok || arg.Items[0].Kind != KindString {
			v.add(n, msgIfCondName)
			return
		}
		if v.t.conditions[c] == nil {
			v.add(arg.Items[0], msgIfUnknown, c)
		}
		v.walk(arg.Items[1], section, pointer(path, "1"))
		v.walk(arg.Items[2], section, pointer(path, "2"))
	case "Fn::Equals":
		if !seqLen(arg, 2) {
			v.add(n, msgEqualsShape)
			return
		}
		walkArgs()
	case "Fn::And", "Fn::Or":
		if !seqLen(arg, 2, 3, 4, 5, 6, 7, 8, 9, 10) {
			v.add(n, msgAndOrShape, name)
			return
		}
		for i, it := range arg.Items {
			if _, _, ok := it.condCall(); !ok {
				v.add(n, msgAndOrShape, name)
				return
			}
			v.walk(it, "Conditions-operand:"+section, pointer(path, itoa(i)))
		}
	case "Fn::Not":
		if !seqLen(arg, 1) {
			v.add(n, msgNotShape)
			return
		}
		if _, _, ok := arg.Items[0].condCall(); !ok {
			v.add(n, msgNotShape)
			return
		}
		v.walk(arg.Items[0], "Conditions-operand:"+section, pointer(path, "0"))
	case "Condition":
		c, ok := arg.Text()
		if !ok || arg.Kind != KindString {
			v.add(n, msgConditionMember)
			return
		}
		if v.t.conditions[c] == nil {
			v.add(n, msgCondUnknown, c)
		}
	case "Fn::Base64":
		if !scalarOrFn(arg) {
			v.add(n, msgBase64Shape)
			return
		}
		walkArgs()
	case "Fn::GetAZs":
		if arg != nil && arg.Kind != KindNull && !scalarOrFn(arg) {
			v.add(n, msgGetAZsShape)
			return
		}
		walkArgs()
	case "Fn::Cidr":
		if !seqLen(arg, 3) {
			v.add(n, msgCidrShape)
			return
		}
		for _, it := range arg.Items {
			if !scalarOrFn(it) {
				v.add(n, msgCidrShape)
				return
			}
		}
		walkArgs()
	case "Fn::ImportValue":
		if !scalarOrFn(arg) {
			v.add(n, msgImportShape)
			return
		}
		if v.dependsOnResources(arg) {
			v.add(n, msgImportDepends)
			return
		}
		walkArgs()
	case "Fn::ToJsonString":
		if arg == nil || (arg.Kind != KindMap && arg.Kind != KindSeq) {
			v.add(n, msgToJSONShape)
			return
		}
		walkArgs()
	case "Fn::Length":
		if !listOrFn(arg) {
			v.add(n, msgLengthShape)
			return
		}
		walkArgs()
	case "Fn::Transform":
		v.add(n, msgTransformFn)
	default:
		if strings.HasPrefix(section, "Rules") || section == "Conditions-operand:Rules" {
			switch name {
			case "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::ValueOf", "Fn::ValueOfAll":
				if !seqLen(arg, 2) {
					v.add(n, msgRuleFnShape, name, "a list of 2 parameters")
					return
				}
				walkArgs()
				return
			case "Fn::RefAll":
				if !scalarOrFn(arg) {
					v.add(n, msgRuleFnShape, name, "a parameter type")
				}
				return
			}
		}
		v.add(n, msgUnsupportedFn, name, supportedFunctions)
	}
}

// anyFn reports whether any item of a list is a function call (whose
// result may be a list that changes the length).
func anyFn(n *Node) bool {
	for _, it := range n.Items {
		if isFn(it) {
			return true
		}
	}
	return false
}

func (v *validator) getAtt(n, arg *Node, section, path string) {
	var res, attr string
	switch {
	case arg != nil && arg.Kind == KindString:
		res, attr, _ = strings.Cut(arg.Value, ".")
	case seqLen(arg, 2) && arg.Items[0].Kind == KindString:
		res = arg.Items[0].Value
		a := arg.Items[1]
		switch name, _, fn := a.Intrinsic(); {
		case fn && name == "Ref":
			attr = "?"
			v.walk(a, section, pointer(path, "1"))
		case a.IsScalar() && a.Kind != KindNull:
			attr, _ = a.Text()
		}
	}
	if res == "" || attr == "" {
		v.add(n, msgGetAttShape)
		return
	}
	switch {
	case section == "Conditions" || section == "Rules" || strings.HasPrefix(section, "Conditions-operand:"):
		v.unresolved(n, res, baseSection(section))
	case v.t.resources[res] == nil:
		v.add(n, msgGetAttUndefined, res)
	}
}

// baseSection strips the marker walk uses for operands of condition
// functions, which accept {"Condition": name}.
func baseSection(s string) string {
	if rest, ok := strings.CutPrefix(s, "Conditions-operand:"); ok {
		return rest
	}
	return s
}

func (v *validator) sub(n, arg *Node, section, path string) {
	tmpl, vars, ok := subArgs(arg)
	if !ok {
		v.add(n, msgSubShape)
		return
	}
	for _, p := range vars.pairsOrNil() {
		if !scalarOrFn(p.Value) {
			v.add(p.Value, msgSubContext)
			continue
		}
		v.walk(p.Value, section, pointer(pointer(path, "1"), p.Key))
	}
	s, _ := tmpl.Text()
	for _, p := range parseSub(s) {
		if !p.isVar || vars.pair(p.text) != nil {
			continue
		}
		name := p.text
		if IsPseudo(name) || v.t.params[name] != nil || v.t.resources[name] != nil {
			v.ref(tmpl, name, baseSection(section))
			continue
		}
		if res, attr, ok := strings.Cut(name, "."); ok && attr != "" && v.t.resources[res] != nil {
			v.ref(tmpl, res, baseSection(section))
			continue
		}
		if res, _, ok := strings.Cut(name, "."); ok {
			name = res
		}
		v.unresolved(tmpl, name, baseSection(section))
	}
}

func (v *validator) findInMap(n, arg *Node, section, path string) {
	keys, def, ok := findInMapArgs(arg)
	if !ok {
		v.add(n, msgFindInMapShape)
		return
	}
	literal := true
	for i, k := range keys {
		if !scalarOrFn(k) {
			v.add(n, msgFindInMapShape)
			return
		}
		if isFn(k) {
			literal = false
			v.walk(k, section, pointer(path, itoa(i)))
		}
	}
	if def != nil {
		v.walk(def, section, pointer(pointer(path, "3"), "DefaultValue"))
		return
	}
	if literal {
		m, top, second := keys[0].Value, keys[1].Value, keys[2].Value
		if v.t.Mappings.Get(m).Get(top).Get(second) == nil {
			v.add(n, msgFindInMapMiss, m, top, second)
		}
	}
}
