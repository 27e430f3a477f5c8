package template

import (
	"strings"
)

// ref implements Ref: pseudo parameter, parameter, or resource (spec §1.4).
func (ev *evaluator) ref(n, arg *Node) (any, error) {
	name, ok := arg.Text()
	if !ok || arg.Kind == KindNull || name == "" {
		return nil, ev.errf(n, msgRefShape)
	}
	if name == PseudoNoValue {
		return noValue, nil
	}
	if IsPseudo(name) {
		return ev.scope.pseudo(name), nil
	}
	if v, ok := ev.paramValue(arg, name); ok {
		return v, nil
	} else if t := ev.t(); t != nil && t.params[name] != nil {
		return nil, ev.errf(n, msgParamsMissing, name)
	}
	if err := ev.checkResource(n, name); err != nil {
		return nil, err
	}
	v, err := ev.scope.Resources.Ref(name)
	if err != nil {
		return nil, ev.wrap(n, err)
	}
	return v, nil
}

// paramValue is a resolved parameter's value as Ref returns it.
func (ev *evaluator) paramValue(n *Node, name string) (any, bool) {
	v, ok := ev.scope.Params[name]
	if !ok {
		return nil, false
	}
	if v.IsList() {
		out := make([]any, len(v.List))
		for i, s := range v.List {
			out[i] = s
		}
		return out, true
	}
	return v.String, true
}

// checkResource reports why the resource name cannot be referenced here,
// or nil when the Resolver may be asked for it.
func (ev *evaluator) checkResource(n *Node, name string) error {
	t := ev.t()
	var r *Resource
	if t != nil {
		r = t.resources[name]
	}
	switch {
	case ev.own.section == "Conditions":
		return ev.errf(n, msgCondResources, name)
	case ev.own.section == "Rules":
		return ev.errf(n, msgRulesResources, name)
	case r == nil:
		return ev.errf(n, msgUnresolvedDeps, name, ev.block())
	case r.Condition != "":
		// A resource whose condition is false does not exist (spec §4).
		on, err := ev.condition(n, r.Condition, msgUnresolvedCondRs)
		if err != nil {
			return err
		}
		if !on {
			return ev.errf(n, msgUnresolvedDeps, name, ev.block())
		}
	}
	if ev.scope.Resources == nil {
		return ev.errf(n, "Template error: resource %s cannot be referenced before the stack's resources exist", name)
	}
	return nil
}

// getAtt implements Fn::GetAtt, long form [R, "A.B"] or string "R.A.B";
// the attribute name may be a Ref to a parameter (spec §1.4, §1.6).
func (ev *evaluator) getAtt(n, arg *Node) (any, error) {
	res, attr, err := ev.getAttArgs(n, arg)
	if err != nil {
		return nil, err
	}
	if t := ev.t(); t == nil || t.resources[res] == nil {
		return nil, ev.errf(n, msgGetAttUndefined, res)
	}
	if err := ev.checkResource(n, res); err != nil {
		return nil, err
	}
	v, err := ev.scope.Resources.GetAtt(res, attr)
	if err != nil {
		return nil, ev.wrap(n, err)
	}
	return v, nil
}

func (ev *evaluator) getAttArgs(n, arg *Node) (res, attr string, err error) {
	switch {
	case arg != nil && arg.Kind == KindString:
		res, attr, _ = strings.Cut(arg.Value, ".")
	case arg != nil && arg.Kind == KindSeq && len(arg.Items) == 2:
		var ok bool
		if res, ok = arg.Items[0].Text(); !ok {
			return "", "", ev.errf(n, msgGetAttShape)
		}
		a := arg.Items[1]
		if name, _, isFn := a.Intrinsic(); isFn {
			if name != "Ref" {
				return "", "", ev.errf(n, msgGetAttShape)
			}
			v, err := ev.eval(a)
			if err != nil {
				return "", "", err
			}
			if attr, ok = toText(v); !ok {
				return "", "", ev.errf(n, msgGetAttShape)
			}
		} else if attr, ok = a.Text(); !ok {
			return "", "", ev.errf(n, msgGetAttShape)
		}
	default:
		return "", "", ev.errf(n, msgGetAttShape)
	}
	if res == "" || attr == "" {
		return "", "", ev.errf(n, msgGetAttShape)
	}
	return res, attr, nil
}
