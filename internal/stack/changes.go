package stack

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// addChanges lists a CREATE change set's changes: every resource added.
func addChanges(p *prepared) []Change {
	var out []Change
	for _, r := range p.tmpl.Resources {
		if r.Condition != "" && !p.conds[r.Condition] {
			continue
		}
		out = append(out, Change{Action: "Add", LogicalResourceID: r.LogicalID, ResourceType: r.Type})
	}
	return out
}

// unknownMark stands in, while a change set is computed, for a value
// that only exists once the resources it names have been changed: the
// new physical ID of a replaced resource, an attribute of an updated one.
const unknownMark = "{{cloudlet-unknown:"

var unknownRE = regexp.MustCompile(regexp.QuoteMeta(unknownMark) + `([^}]*)}}`)

func unknown(entity string) string { return unknownMark + entity + "}}" }

// planResolver answers Ref and Fn::GetAtt from the stack's current
// resources, with unknownMark for what the change set changes.
type planResolver struct {
	res      map[string]*Resource
	affected map[string]string // logical ID → "add", "replace" or "modify"
}

func (p *planResolver) Ref(id string) (any, error) {
	switch p.affected[id] {
	case "add", "replace":
		return unknown(id), nil
	}
	if r := p.res[id]; r != nil && r.PhysicalID != "" {
		return r.PhysicalID, nil
	}
	return unknown(id), nil
}

func (p *planResolver) GetAtt(id, attr string) (any, error) {
	if p.affected[id] != "" {
		return unknown(id + "." + attr), nil
	}
	if r := p.res[id]; r != nil {
		if v, ok := r.Attributes[attr]; ok {
			return v, nil
		}
	}
	return unknown(id + "." + attr), nil
}

// computeChanges compares the stack's resources with what the prepared
// template would make of them (spec §5.5, §5.6): resources are visited in
// dependency order, so that a resource referring to one that is replaced
// or updated sees that its own change is Dynamic.
func (e *Engine) computeChanges(ctx context.Context, cur *Stack, p *prepared) ([]Change, error) {
	r, err := e.loadRun(cur)
	if err != nil {
		return nil, err
	}
	oldTmpl := r.tmpl
	waves, err := p.tmpl.Order(p.conds)
	if err != nil {
		return nil, asValidation(err)
	}
	pr := &planResolver{res: r.res, affected: map[string]string{}}
	scope := &template.Scope{Region: cur.Region, AccountID: cur.AccountID, Partition: partitionOf(cur.Region),
		URLSuffix: urlSuffixOf(cur.Region), StackName: cur.Name, StackID: cur.ID, NotificationARNs: cur.NotificationARNs,
		Params: p.params, Conditions: p.conds, Resources: pr, ImportValue: e.importValue}
	byID := map[string]Change{}
	var order, ids []string
	for _, wave := range waves {
		order = append(order, wave...)
	}
	for _, id := range order {
		tr := p.tmpl.Resource(id)
		ids = append(ids, id)
		old := r.res[id]
		if old == nil || (old.PhysicalID == "" && old.PlannedID == "") {
			pr.affected[id] = "add"
			byID[id] = Change{Action: "Add", LogicalResourceID: id, ResourceType: tr.Type}
			continue
		}
		c, kind := e.resourceChange(tr, old, oldTmpl.Resource(id), scope)
		if kind != "" {
			pr.affected[id] = kind
			byID[id] = *c
		}
	}
	var out []Change
	for _, tr := range p.tmpl.Resources {
		if c, ok := byID[tr.LogicalID]; ok {
			out = append(out, c)
		}
	}
	var removed []string
	for id := range r.res {
		if !slices.Contains(ids, id) {
			removed = append(removed, id)
		}
	}
	sort.Strings(removed)
	for _, id := range removed {
		old := r.res[id]
		out = append(out, Change{Action: "Remove", LogicalResourceID: id, PhysicalResourceID: old.PhysicalID, ResourceType: old.Type})
	}
	return out, nil
}

// resourceChange compares one existing resource with its new template
// entry. kind is "" when nothing changes, else "replace" or "modify".
func (e *Engine) resourceChange(tr *template.Resource, old *Resource, oldTR *template.Resource, scope *template.Scope) (*Change, string) {
	c := &Change{Action: "Modify", LogicalResourceID: tr.LogicalID, PhysicalResourceID: old.PhysicalID, ResourceType: tr.Type}
	p, _ := e.cfg.Registry.Lookup(tr.Type)
	if tr.Type == StackType {
		// A nested stack is always updated, to find its own changes.
		c.Replacement, c.Scope = "False", []string{"Properties"}
		c.Details = []ChangeDetail{{Target: ChangeTarget{Attribute: "Properties", RequiresRecreation: "Never"},
			Evaluation: "Dynamic", ChangeSource: "Automatic"}}
		return c, "modify"
	}
	if tr.Type != old.Type {
		c.Replacement, c.Scope = "True", []string{"Properties"}
		return c, "replace"
	}
	var props map[string]any
	if tr.Properties != nil {
		v, err := template.Eval(tr.Properties, scope)
		if err != nil {
			// Known only at execution: say so rather than guess.
			c.Replacement, c.Scope = "Conditional", []string{"Properties"}
			c.Details = []ChangeDetail{{Target: ChangeTarget{Attribute: "Properties", RequiresRecreation: "Conditionally"},
				Evaluation: "Dynamic", ChangeSource: "DirectModification"}}
			return c, "replace"
		}
		props, _ = v.(map[string]any)
	}
	schema := p.Schema()
	_, updater := p.(Updater)
	keys := map[string]bool{}
	for k := range props {
		keys[k] = true
	}
	for k := range old.Properties {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	replace, conditional := false, false
	for _, k := range names {
		nv, ov := canonical(props[k]), canonical(old.Properties[k])
		if string(nv) == string(ov) {
			continue
		}
		d := ChangeDetail{Target: ChangeTarget{Attribute: "Properties", Name: k, RequiresRecreation: "Never"},
			Evaluation: "Static", ChangeSource: "DirectModification"}
		recreate := !updater || slices.Contains(schema.CreateOnly, k)
		if m := unknownRE.FindSubmatch(nv); m != nil {
			d.Evaluation, d.CausingEntity = "Dynamic", string(m[1])
			d.ChangeSource = "ResourceReference"
			if strings.Contains(d.CausingEntity, ".") {
				d.ChangeSource = "ResourceAttribute"
			}
			if recreate {
				d.Target.RequiresRecreation = "Conditionally"
				conditional = true
			}
		} else {
			if param := paramCause(tr, oldTR, k); param != "" {
				d.ChangeSource, d.CausingEntity = "ParameterReference", param
			}
			if recreate {
				d.Target.RequiresRecreation = "Always"
				replace = true
			}
		}
		c.Details = append(c.Details, d)
	}
	if len(c.Details) == 0 {
		return nil, ""
	}
	c.Scope = []string{"Properties"}
	switch {
	case replace:
		c.Replacement = "True"
		return c, "replace"
	case conditional:
		c.Replacement = "Conditional"
		return c, "replace"
	}
	c.Replacement = "False"
	return c, "modify"
}

// paramCause names the parameter a property's change comes from when the
// property's template text did not change but its value did.
func paramCause(tr, oldTR *template.Resource, key string) string {
	if oldTR == nil || tr.Properties == nil || oldTR.Properties == nil {
		return ""
	}
	n, o := tr.Properties.Get(key), oldTR.Properties.Get(key)
	if n == nil || o == nil || n.String() != o.String() {
		return ""
	}
	return firstRef(n)
}

// firstRef finds the first Ref in a node (the parameter a value comes
// from).
func firstRef(n *template.Node) string {
	if n == nil {
		return ""
	}
	if fn, arg, ok := n.Intrinsic(); ok {
		if fn == "Ref" {
			s, _ := arg.Text()
			return s
		}
		if fn == "Fn::Sub" {
			if s, ok := arg.Text(); ok {
				if m := regexp.MustCompile(`\$\{([^!}][^}]*)}`).FindStringSubmatch(s); m != nil {
					return m[1]
				}
			}
		}
	}
	for _, p := range n.Pairs {
		if s := firstRef(p.Value); s != "" {
			return s
		}
	}
	for _, it := range n.Items {
		if s := firstRef(it); s != "" {
			return s
		}
	}
	return ""
}
