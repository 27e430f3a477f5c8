package template

import (
	"strings"
)

// subPart is a piece of an Fn::Sub template string: literal text, or the
// name inside ${...}.
type subPart struct {
	text  string
	isVar bool
}

// parseSub splits an Fn::Sub string (spec §1.5). ${!Literal} is the
// literal text ${Literal}; a lone $ and an unterminated ${ are literal.
func parseSub(s string) []subPart {
	var parts []subPart
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			break
		}
		inner := s[i+2 : i+2+j]
		lit.WriteString(s[:i])
		if rest, ok := strings.CutPrefix(inner, "!"); ok {
			lit.WriteString("${" + rest + "}")
		} else {
			if lit.Len() > 0 {
				parts = append(parts, subPart{text: lit.String()})
				lit.Reset()
			}
			parts = append(parts, subPart{text: inner, isVar: true})
		}
		s = s[i+2+j+1:]
	}
	lit.WriteString(s)
	if lit.Len() > 0 {
		parts = append(parts, subPart{text: lit.String()})
	}
	return parts
}

// subArgs splits Fn::Sub's argument into the template string and the
// variable map (nil when absent). ok is false when the shape is wrong.
func subArgs(arg *Node) (tmpl *Node, vars *Node, ok bool) {
	switch {
	case arg == nil:
		return nil, nil, false
	case arg.Kind == KindString || arg.Kind == KindNumber || arg.Kind == KindBool:
		return arg, nil, true
	case arg.Kind == KindSeq && (len(arg.Items) == 1 || len(arg.Items) == 2):
		t := arg.Items[0]
		if !t.IsScalar() || t.Kind == KindNull {
			return nil, nil, false
		}
		if len(arg.Items) == 1 {
			return t, nil, true
		}
		v := arg.Items[1]
		if v.Kind != KindMap {
			return nil, nil, false
		}
		return t, v, true
	}
	return nil, nil, false
}

// sub implements Fn::Sub. Names resolve in this order: the variable map,
// a parameter or resource (as Ref), a pseudo parameter, then Res.Attr as
// Fn::GetAtt split at the first dot (spec §1.5).
func (ev *evaluator) sub(n, arg *Node) (any, error) {
	tmpl, vars, ok := subArgs(arg)
	if !ok {
		return nil, ev.errf(n, msgSubShape)
	}
	s, _ := tmpl.Text()
	var b strings.Builder
	for _, p := range parseSub(s) {
		if !p.isVar {
			b.WriteString(p.text)
			continue
		}
		var v any
		var err error
		if vn := vars.pair(p.text); vn != nil {
			if !vn.Value.IsScalar() {
				if _, _, isFn := vn.Value.Intrinsic(); !isFn {
					return nil, ev.errf(vn.Value, msgSubContext)
				}
			}
			v, err = ev.eval(vn.Value)
		} else {
			v, err = ev.subName(tmpl, p.text)
		}
		if err != nil {
			return nil, err
		}
		if v == noValue || v == nil {
			continue
		}
		str, ok := toText(v)
		if !ok {
			return nil, ev.errf(tmpl, msgSubNotString, p.text)
		}
		b.WriteString(str)
	}
	return b.String(), nil
}

func (ev *evaluator) subName(n *Node, name string) (any, error) {
	if v, ok := ev.paramValue(n, name); ok {
		return v, nil
	}
	t := ev.t()
	if t != nil && t.params[name] != nil {
		return nil, ev.errf(n, msgParamsMissing, name)
	}
	if t != nil && t.resources[name] != nil {
		if err := ev.checkResource(n, name); err != nil {
			return nil, err
		}
		v, err := ev.scope.Resources.Ref(name)
		if err != nil {
			return nil, ev.wrap(n, err)
		}
		return v, nil
	}
	if name == PseudoNoValue {
		return noValue, nil
	}
	if IsPseudo(name) {
		return ev.scope.pseudo(name), nil
	}
	if res, attr, ok := strings.Cut(name, "."); ok && t != nil && t.resources[res] != nil && attr != "" {
		if err := ev.checkResource(n, res); err != nil {
			return nil, err
		}
		v, err := ev.scope.Resources.GetAtt(res, attr)
		if err != nil {
			return nil, ev.wrap(n, err)
		}
		return v, nil
	}
	if res, _, ok := strings.Cut(name, "."); ok {
		name = res
	}
	return nil, ev.checkResource(n, name) // not a resource: says why in this section's words
}
