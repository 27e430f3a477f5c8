package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// noValueT is the internal result of {"Ref": "AWS::NoValue"}: the map key or
// list item holding it disappears.
type noValueT struct{}

var noValue = noValueT{}

// omap is a map that remembers its key order; Eval turns it into a Go map,
// Fn::ToJsonString writes it in template order.
type omap struct {
	keys []string
	vals map[string]any
}

func (m *omap) set(k string, v any) {
	if m.vals == nil {
		m.vals = map[string]any{}
	}
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

func (m *omap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeJSON(&b, k); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := writeJSON(&b, m.vals[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSON encodes v compactly without HTML escaping, as CloudFormation's
// Fn::ToJsonString does.
func writeJSON(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

// evaluator evaluates the nodes of one owner (a resource, an output, a
// condition...) against a scope.
type evaluator struct {
	scope *Scope
	own   *owner
	conds *condState // shared by every evaluator of one Eval call
}

func newEvaluator(n *Node, scope *Scope, conds *condState) *evaluator {
	if scope == nil {
		scope = &Scope{}
	}
	if conds == nil {
		conds = &condState{cache: map[string]bool{}}
	}
	own := n.ownerOrEmpty()
	return &evaluator{scope: scope, own: own, conds: conds}
}

func (n *Node) ownerOrEmpty() *owner {
	if n != nil && n.own != nil {
		return n.own
	}
	return &owner{}
}

// Eval evaluates a node (resource Properties, an output Value, ...) against
// the scope and returns plain values: map[string]any, []any, string, bool,
// json.Number (numbers keep their source text when it is valid JSON; other
// YAML numbers such as 0123 stay strings), nil, and whatever the scope's
// Resolver returns. {"Ref": "AWS::NoValue"} removes the enclosing map key or
// list item. Evaluation is lazy: only the taken branch of Fn::If is looked
// at, so an untaken branch may refer to resources that do not exist.
//
// Errors are *Error values naming the file, line and logical ID, in AWS's
// wording; failures of the Resolver or ImportValue are wrapped (Err).
func Eval(n *Node, scope *Scope) (any, error) {
	ev := newEvaluator(n, scope, nil)
	v, err := ev.eval(n)
	if err != nil {
		return nil, err
	}
	return plain(v), nil
}

// plain converts the evaluator's internal values to the documented ones.
func plain(v any) any {
	switch x := v.(type) {
	case *omap:
		m := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			m[k] = plain(x.vals[k])
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = plain(it)
		}
		return out
	case noValueT:
		return nil
	}
	return v
}

func (ev *evaluator) t() *Template { return ev.own.t }

// errf builds an *Error at n naming the logical ID being evaluated.
func (ev *evaluator) errf(n *Node, format string, args ...any) *Error {
	e := &Error{Message: fmt.Sprintf(format, args...), LogicalID: ev.own.logicalID}
	if n != nil {
		e.Pos = n.Pos
	}
	return e
}

// wrap reports a failure of a callback (Resolver, ImportValue, SSM) at n.
func (ev *evaluator) wrap(n *Node, err error) *Error {
	msg := err.Error()
	if ae, ok := awserr.As(err); ok {
		msg = ae.Message
	}
	e := ev.errf(n, "%s", msg)
	e.Err = err
	return e
}

// block is the section named in "Unresolved resource dependencies" errors.
func (ev *evaluator) block() string {
	if ev.own.section == "Outputs" {
		return "Outputs"
	}
	return "Resources"
}

func (ev *evaluator) eval(n *Node) (any, error) {
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case KindMap:
		if name, arg, ok := n.Intrinsic(); ok {
			return ev.call(n, name, arg)
		}
		if sec := ev.own.section; sec == "Conditions" || sec == "Rules" {
			if name, _, ok := n.condCall(); ok && name == "Condition" {
				v, _, err := ev.evalBool(n)
				return v, err
			}
		}
		m := &omap{keys: make([]string, 0, len(n.Pairs)), vals: make(map[string]any, len(n.Pairs))}
		for _, p := range n.Pairs {
			v, err := ev.eval(p.Value)
			if err != nil {
				return nil, err
			}
			if v == noValue {
				continue
			}
			m.set(p.Key, v)
		}
		return m, nil
	case KindSeq:
		out := make([]any, 0, len(n.Items))
		for _, it := range n.Items {
			v, err := ev.eval(it)
			if err != nil {
				return nil, err
			}
			if v == noValue {
				continue
			}
			out = append(out, v)
		}
		return out, nil
	case KindString:
		return n.Value, nil
	case KindNumber:
		if isJSONNumber(n.Value) {
			return json.Number(n.Value), nil
		}
		return n.Value, nil
	case KindBool:
		return strings.EqualFold(n.Value, "true"), nil
	}
	return nil, nil
}

func (ev *evaluator) call(n *Node, name string, arg *Node) (any, error) {
	switch name {
	case "Ref":
		return ev.ref(n, arg)
	case "Fn::GetAtt":
		return ev.getAtt(n, arg)
	case "Fn::Sub":
		return ev.sub(n, arg)
	case "Fn::Join":
		return ev.join(n, arg)
	case "Fn::Select":
		return ev.selectFn(n, arg)
	case "Fn::Split":
		return ev.split(n, arg)
	case "Fn::FindInMap":
		return ev.findInMap(n, arg)
	case "Fn::If":
		return ev.ifFn(n, arg)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return ev.condFn(n, name, arg)
	case "Fn::Base64":
		return ev.base64(n, arg)
	case "Fn::GetAZs":
		return ev.getAZs(n, arg)
	case "Fn::Cidr":
		return ev.cidr(n, arg)
	case "Fn::ImportValue":
		return ev.importValue(n, arg)
	case "Fn::ToJsonString":
		return ev.toJSONString(n, arg)
	case "Fn::Length":
		return ev.length(n, arg)
	}
	if ev.own.section == "Rules" {
		if v, ok, err := ev.ruleFn(n, name, arg); ok {
			return v, err
		}
	}
	return nil, ev.errf(n, msgUnsupportedFn, name, supportedFunctions)
}
