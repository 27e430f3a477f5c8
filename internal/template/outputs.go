package template

import (
	"bytes"
	"strings"
)

// OutputValue is an evaluated output as DescribeStacks (OutputKey,
// OutputValue, Description, ExportName) and ListExports report it.
type OutputValue struct {
	Name, Description string
	Value             string
	// ExportName is empty when the output is not exported.
	ExportName string
}

// EvalOutputs evaluates, in template order, the outputs whose Condition
// holds, against the stack's live resources in scope. Output values are
// strings on the wire: a list becomes its items joined with commas (as a
// CommaDelimitedList parameter or Fn::GetAZs reads back), and a map its
// JSON. Outputs are never masked, even when they show a NoEcho parameter
// (spec §3.3).
func (t *Template) EvalOutputs(scope *Scope) ([]OutputValue, error) {
	var out []OutputValue
	conds := &condState{cache: map[string]bool{}}
	for _, o := range t.Outputs {
		ev := newEvaluator(o.node, scope, conds)
		if o.Condition != "" {
			on, err := ev.condition(o.node.Get("Condition"), o.Condition, msgUnresolvedCondRs)
			if err != nil {
				return nil, err
			}
			if !on {
				continue
			}
		}
		v, err := ev.eval(o.Value)
		if err != nil {
			return nil, err
		}
		ov := OutputValue{Name: o.Name, Description: o.Description, Value: outputText(v)}
		if o.ExportName != nil {
			ex, err := ev.eval(o.ExportName)
			if err != nil {
				return nil, err
			}
			ov.ExportName = outputText(ex)
		}
		out = append(out, ov)
	}
	return out, nil
}

func outputText(v any) string {
	if s, ok := toText(v); ok {
		return s
	}
	switch x := v.(type) {
	case nil, noValueT:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = outputText(it)
		}
		return strings.Join(parts, ",")
	}
	var b bytes.Buffer
	if err := writeJSON(&b, v); err != nil {
		return ""
	}
	return b.String()
}
