package template

import (
	"fmt"
	"slices"
)

// Messages of the Rules section [inf]: AWS's wording was not found; they
// follow the style of the condition functions' messages.
const (
	msgRuleFnShape  = "Template error: every %s object requires %s"
	msgRuleNotBool  = "Template error: %s of rule %s must evaluate to a boolean"
	msgRuleUnsupp   = "Template error: %s is not supported: it reads the attributes of resources in an AWS account, which cloudlet does not have"
	msgRulesShape   = "Template format error: Every Rules member must be an object with an Assertions list"
	msgAssertShape  = "Template format error: Every Assertions member of rule %s must contain an Assert object"
	msgRuleBadField = "Template format error: Invalid rule property '%s' in rule %s"
)

// CheckRules evaluates the Rules section against the resolved parameters
// in scope (Params; Region and the other pseudo parameters may be used). A
// rule whose RuleCondition is false is skipped; the first failed assertion
// is a ValidationError whose message is its AssertDescription.
func (t *Template) CheckRules(scope *Scope) error {
	s := Scope{}
	if scope != nil {
		s = *scope
	}
	s.Resources = nil
	for _, r := range t.Rules {
		ev := &evaluator{scope: &s, own: r.node.ownerOrEmpty(), conds: &condState{cache: map[string]bool{}}}
		if r.RuleCondition != nil {
			v, ok, err := ev.evalBool(r.RuleCondition)
			if err != nil {
				return err
			}
			if !ok {
				return ev.errf(r.RuleCondition, msgRuleNotBool, "RuleCondition", r.Name)
			}
			if !v {
				continue
			}
		}
		for i, a := range r.Assertions {
			v, ok, err := ev.evalBool(a.Assert)
			if err != nil {
				return err
			}
			if !ok {
				return ev.errf(a.Assert, msgRuleNotBool, "Assert", r.Name)
			}
			if v {
				continue
			}
			msg := a.AssertDescription
			if msg == "" {
				msg = fmt.Sprintf(msgRuleAssertFailed, i+1, r.Name)
			}
			return &Error{Pos: a.Pos, LogicalID: r.Name, Message: msg}
		}
	}
	return nil
}

// ruleFn implements the functions only rules may use. ok is false when
// name is not one of them.
func (ev *evaluator) ruleFn(n *Node, name string, arg *Node) (v any, ok bool, err error) {
	strList := func(x *Node) ([]string, bool, error) {
		l, isList, err := ev.evalList(x)
		if err != nil || !isList {
			return nil, false, err
		}
		out := make([]string, len(l))
		for i, it := range l {
			s, isText := toText(it)
			if !isText {
				return nil, false, nil
			}
			out[i] = s
		}
		return out, true, nil
	}
	pair := func(want string) ([]string, *Node, error) {
		if arg == nil || arg.Kind != KindSeq || len(arg.Items) != 2 {
			return nil, nil, ev.errf(n, msgRuleFnShape, name, want)
		}
		l, isList, err := strList(arg.Items[0])
		if err != nil {
			return nil, nil, err
		}
		if !isList {
			return nil, nil, ev.errf(n, msgRuleFnShape, name, want)
		}
		return l, arg.Items[1], nil
	}
	switch name {
	case "Fn::Contains", "Fn::EachMemberEquals":
		want := "a list of 2 parameters, a list of strings and a string"
		l, second, err := pair(want)
		if err != nil {
			return nil, true, err
		}
		s, isText, err := ev.evalText(second)
		if err != nil {
			return nil, true, err
		}
		if !isText {
			return nil, true, ev.errf(n, msgRuleFnShape, name, want)
		}
		if name == "Fn::Contains" {
			return slices.Contains(l, s), true, nil
		}
		for _, it := range l {
			if it != s {
				return false, true, nil
			}
		}
		return true, true, nil
	case "Fn::EachMemberIn":
		want := "a list of 2 parameters, two lists of strings"
		l, second, err := pair(want)
		if err != nil {
			return nil, true, err
		}
		in, isList, err := strList(second)
		if err != nil {
			return nil, true, err
		}
		if !isList {
			return nil, true, ev.errf(n, msgRuleFnShape, name, want)
		}
		for _, it := range l {
			if !slices.Contains(in, it) {
				return false, true, nil
			}
		}
		return true, true, nil
	case "Fn::RefAll":
		// AWS lists every value of the type in the account; cloudlet has no
		// account inventory, so it lists the values given to the stack's
		// parameters of that type.
		typ, isText := arg.Text()
		if !isText {
			return nil, true, ev.errf(n, msgRuleFnShape, name, "a parameter type")
		}
		out := []any{}
		if t := ev.t(); t != nil {
			for _, p := range t.Parameters {
				if p.Type != typ {
					continue
				}
				if pv, ok := ev.paramValue(n, p.Name); ok {
					if l, isList := pv.([]any); isList {
						out = append(out, l...)
					} else {
						out = append(out, pv)
					}
				}
			}
		}
		return out, true, nil
	case "Fn::ValueOf", "Fn::ValueOfAll":
		return nil, true, ev.errf(n, msgRuleUnsupp, name)
	}
	return nil, false, nil
}
