package template

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// refNames calls add with every name n refers to through Ref, Fn::GetAtt
// and Fn::Sub: resources, parameters and names that resolve to nothing
// alike; pseudo parameters and Fn::Sub variables are left out (spec §4).
// With conditions, an Fn::If whose condition is known contributes its taken
// branch only.
func refNames(n *Node, conditions map[string]bool, add func(name string, at *Node)) {
	if n == nil {
		return
	}
	switch n.Kind {
	case KindSeq:
		for _, it := range n.Items {
			refNames(it, conditions, add)
		}
		return
	case KindMap:
	default:
		return
	}
	name, arg, ok := n.Intrinsic()
	if !ok {
		for _, p := range n.Pairs {
			refNames(p.Value, conditions, add)
		}
		return
	}
	if arg == nil {
		return
	}
	switch name {
	case "Ref":
		if s, ok := arg.Text(); ok && arg.Kind != KindNull && !IsPseudo(s) {
			add(s, n)
		}
		return
	case "Fn::GetAtt":
		switch {
		case arg.Kind == KindString:
			res, _, _ := strings.Cut(arg.Value, ".")
			add(res, n)
			return
		case arg.Kind == KindSeq && len(arg.Items) > 0:
			if s, ok := arg.Items[0].Text(); ok {
				add(s, n)
			}
			for _, it := range arg.Items[1:] {
				refNames(it, conditions, add)
			}
			return
		}
	case "Fn::Sub":
		tmpl, vars, ok := subArgs(arg)
		if !ok {
			break
		}
		s, _ := tmpl.Text()
		for _, p := range parseSub(s) {
			if !p.isVar || vars.pair(p.text) != nil || IsPseudo(p.text) {
				continue
			}
			add(p.text, tmpl)
		}
		if vars != nil {
			refNames(vars, conditions, add)
		}
		return
	case "Fn::If":
		if conditions != nil && arg.Kind == KindSeq && len(arg.Items) == 3 {
			if c, ok := arg.Items[0].Text(); ok {
				if v, known := conditions[c]; known {
					if v {
						refNames(arg.Items[1], conditions, add)
					} else {
						refNames(arg.Items[2], conditions, add)
					}
					return
				}
			}
		}
	}
	refNames(arg, conditions, add)
}

// resourceName maps a referenced name to the resource it means: itself, or
// for a Fn::Sub name "Res.Attr" the part before the first dot. ok is false
// for parameters and names that resolve to nothing.
func (t *Template) resourceName(name string) (string, bool) {
	if t.params[name] != nil {
		return "", false
	}
	if t.resources[name] != nil {
		return name, true
	}
	if res, _, ok := strings.Cut(name, "."); ok && t.resources[res] != nil {
		return res, true
	}
	return "", false
}

// Dependencies returns the logical IDs of the resources r depends on,
// sorted: Ref, Fn::GetAtt and Fn::Sub references in its Properties,
// Metadata and UpdatePolicy, and its DependsOn (spec §4). With conditions
// given, untaken Fn::If branches add no edge. Names that resolve to nothing
// are left out (Validate and Order report them).
func (t *Template) Dependencies(r *Resource, conditions map[string]bool) []string {
	seen := map[string]bool{}
	t.references(r, conditions, func(name string, _ *Node) {
		if res, ok := t.resourceName(name); ok {
			seen[res] = true
		}
	})
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// references calls add for every name r refers to, DependsOn included.
func (t *Template) references(r *Resource, conditions map[string]bool, add func(string, *Node)) {
	for _, n := range []*Node{r.Properties, r.Metadata, r.UpdatePolicy} {
		refNames(n, conditions, add)
	}
	dn := r.node.Get("DependsOn")
	for _, d := range r.DependsOn {
		add(d, dn)
	}
}

// included reports whether r exists under the conditions (nil: all do).
func included(r *Resource, conditions map[string]bool) bool {
	return conditions == nil || r.Condition == "" || conditions[r.Condition]
}

// Order returns the resources whose Condition holds (all of them when
// conditions is nil) in dependency order, as "waves": each wave's members
// depend only on earlier waves, alphabetical inside a wave. A reference to
// a resource that does not exist, or whose condition is false, is AWS's
// "Unresolved resource dependencies" error; a cycle is AWS's
// "Circular dependency between resources: [A, B]", listing the resources
// in the cycle and those that depend on it, in template order (spec §4).
func (t *Template) Order(conditions map[string]bool) ([][]string, error) {
	deps := map[string][]string{}
	var nodes []*Resource
	var unresolved []string
	var firstBad *Node
	for _, r := range t.Resources {
		if !included(r, conditions) {
			continue
		}
		nodes = append(nodes, r)
		set := map[string]bool{}
		t.references(r, conditions, func(name string, at *Node) {
			res, ok := t.resourceName(name)
			switch {
			case !ok && t.params[name] != nil:
				return
			case !ok || !included(t.resources[res], conditions):
				if !ok {
					res = strings.SplitN(name, ".", 2)[0]
				}
				if !slices.Contains(unresolved, res) {
					unresolved = append(unresolved, res)
				}
				if firstBad == nil {
					firstBad = at
				}
				return
			}
			set[res] = true
		})
		for d := range set {
			deps[r.LogicalID] = append(deps[r.LogicalID], d)
		}
	}
	if len(unresolved) > 0 {
		e := errAt(firstBad, msgUnresolvedDeps, strings.Join(unresolved, ", "), "Resources")
		return nil, e
	}
	done := map[string]bool{}
	var waves [][]string
	for len(done) < len(nodes) {
		var wave []string
		for _, r := range nodes {
			if done[r.LogicalID] {
				continue
			}
			ready := true
			for _, d := range deps[r.LogicalID] {
				if !done[d] {
					ready = false
					break
				}
			}
			if ready {
				wave = append(wave, r.LogicalID)
			}
		}
		if len(wave) == 0 {
			var left []string
			var at Pos
			for _, r := range nodes {
				if !done[r.LogicalID] {
					if left == nil {
						at = r.Pos
					}
					left = append(left, r.LogicalID)
				}
			}
			return nil, &Error{Pos: at, Message: fmt.Sprintf(msgCycle, strings.Join(left, ", "))}
		}
		sort.Strings(wave)
		for _, id := range wave {
			done[id] = true
		}
		waves = append(waves, wave)
	}
	return waves, nil
}
