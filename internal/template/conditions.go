package template

import (
	"encoding/json"
	"strings"
)

// condState remembers the conditions evaluated during one Eval or
// EvalConditions call, and which are being evaluated, to find cycles.
type condState struct {
	cache map[string]bool
	stack []string
}

// EvalConditions evaluates every condition of the Conditions section once,
// as CloudFormation does before any resource work (spec §1.4). Conditions
// may use parameters, pseudo parameters, mappings and other conditions —
// not resources. scope.Conditions and scope.Resources are not used.
func (t *Template) EvalConditions(scope *Scope) (map[string]bool, error) {
	s := Scope{}
	if scope != nil {
		s = *scope
	}
	s.Conditions, s.Resources = nil, nil
	ev := &evaluator{scope: &s, own: &owner{t: t, section: "Conditions"}, conds: &condState{cache: map[string]bool{}}}
	out := make(map[string]bool, len(t.Conditions))
	for _, c := range t.Conditions {
		v, err := ev.condition(c.Expr, c.Name, msgCondUnknown)
		if err != nil {
			return nil, err
		}
		out[c.Name] = v
	}
	return out, nil
}

// condition returns the value of the named condition: from the scope, from
// this call's cache, or by evaluating it. unknown is the message (with one
// %s for the name, and a second for the block where the message has one)
// when the template declares no such condition.
func (ev *evaluator) condition(at *Node, name, unknown string) (bool, error) {
	if v, ok := ev.scope.Conditions[name]; ok {
		return v, nil
	}
	if v, ok := ev.conds.cache[name]; ok {
		return v, nil
	}
	var c *Condition
	if t := ev.t(); t != nil {
		c = t.conditions[name]
	}
	if c == nil {
		if strings.Count(unknown, "%s") == 2 {
			return false, ev.errf(at, unknown, name, ev.block())
		}
		return false, ev.errf(at, unknown, name)
	}
	for i, s := range ev.conds.stack {
		if s == name {
			cycle := append(append([]string{}, ev.conds.stack[i:]...), name)
			return false, ev.errf(at, msgCondCycle, strings.Join(cycle, ", "))
		}
	}
	ev.conds.stack = append(ev.conds.stack, name)
	defer func() { ev.conds.stack = ev.conds.stack[:len(ev.conds.stack)-1] }()

	sub := &evaluator{scope: ev.scope, own: c.Expr.ownerOrEmpty(), conds: ev.conds}
	fn, _, ok := c.Expr.condCall()
	if !ok || !isConditionFunction(fn) {
		return false, sub.errf(c.Expr, msgCondShape)
	}
	v, isBool, err := sub.evalBool(c.Expr)
	if err != nil {
		return false, err
	}
	if !isBool {
		return false, sub.errf(c.Expr, msgCondShape)
	}
	ev.conds.cache[name] = v
	return v, nil
}

func isConditionFunction(name string) bool {
	switch name {
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition", "Fn::If":
		return true
	}
	return false
}

// evalBool evaluates a condition expression: a condition function, a
// {"Condition": name} reference, or anything that evaluates to a boolean.
// ok is false when the result is not a boolean.
func (ev *evaluator) evalBool(n *Node) (v, ok bool, err error) {
	if name, arg, isFn := n.condCall(); isFn && name == "Condition" {
		cn, isText := arg.Text()
		if !isText || arg.Kind == KindNull {
			return false, false, ev.errf(n, msgConditionMember)
		}
		v, err := ev.condition(n, cn, msgCondUnknown)
		return v, err == nil, err
	}
	r, err := ev.eval(n)
	if err != nil {
		return false, false, err
	}
	b, ok := r.(bool)
	return b, ok, nil
}

// condFn implements Fn::Equals, Fn::And, Fn::Or and Fn::Not.
func (ev *evaluator) condFn(n *Node, name string, arg *Node) (any, error) {
	switch name {
	case "Fn::Equals":
		if arg == nil || arg.Kind != KindSeq || len(arg.Items) != 2 {
			return nil, ev.errf(n, msgEqualsShape)
		}
		a, err := ev.eval(arg.Items[0])
		if err != nil {
			return nil, err
		}
		b, err := ev.eval(arg.Items[1])
		if err != nil {
			return nil, err
		}
		return equalValues(a, b), nil
	case "Fn::Not":
		if arg == nil || arg.Kind != KindSeq || len(arg.Items) != 1 {
			return nil, ev.errf(n, msgNotShape)
		}
		v, ok, err := ev.evalBool(arg.Items[0])
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ev.errf(n, msgNotShape)
		}
		return !v, nil
	}
	// Fn::And, Fn::Or: 2 to 10 conditions. Every operand is evaluated (no
	// short cut) so that a broken operand is reported whatever the others.
	if arg == nil || arg.Kind != KindSeq || len(arg.Items) < 2 || len(arg.Items) > 10 {
		return nil, ev.errf(n, msgAndOrShape, name)
	}
	and := name == "Fn::And"
	res := and
	for _, it := range arg.Items {
		v, ok, err := ev.evalBool(it)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ev.errf(n, msgAndOrShape, name)
		}
		if and {
			res = res && v
		} else {
			res = res || v
		}
	}
	return res, nil
}

// equalValues compares the string forms of scalars, and the JSON of
// anything else (spec §1.4: "comparing the string forms of scalars is the
// practical rule").
func equalValues(a, b any) bool {
	if a == noValue || b == noValue {
		return a == b
	}
	sa, oka := toText(a)
	sb, okb := toText(b)
	if oka && okb {
		return sa == sb
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ja, err1 := json.Marshal(plain(a))
	jb, err2 := json.Marshal(plain(b))
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// ifFn implements Fn::If [condition, whenTrue, whenFalse]; only the chosen
// branch is evaluated.
func (ev *evaluator) ifFn(n, arg *Node) (any, error) {
	if arg == nil || arg.Kind != KindSeq || len(arg.Items) != 3 {
		return nil, ev.errf(n, msgIfShape)
	}
	name, ok := arg.Items[0].Text()
	if !ok || arg.Items[0].Kind != KindString {
		return nil, ev.errf(n, msgIfCondName)
	}
	v, err := ev.condition(arg.Items[0], name, msgIfUnknown)
	if err != nil {
		return nil, err
	}
	if v {
		return ev.eval(arg.Items[1])
	}
	return ev.eval(arg.Items[2])
}
