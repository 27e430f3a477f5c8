package stack

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// Capabilities a template may need acknowledged (spec cloudformation §5.7).
const (
	CapabilityIAM        = "CAPABILITY_IAM"
	CapabilityNamedIAM   = "CAPABILITY_NAMED_IAM"
	CapabilityAutoExpand = "CAPABILITY_AUTO_EXPAND"
)

// CodeInsufficientCapabilities is AWS's error code for a template whose
// capabilities were not acknowledged.
const CodeInsufficientCapabilities = "InsufficientCapabilitiesException"

// AllCapabilities acknowledges everything; `cloudlet up` deploys the
// user's own template on the user's own machine and grants them all.
var AllCapabilities = []string{CapabilityIAM, CapabilityNamedIAM, CapabilityAutoExpand}

// maxNesting bounds how deep capability checks follow nested templates.
const maxNesting = 8

// capNeed is what a template needs acknowledged.
type capNeed struct {
	iam, named, autoExpand bool
	// types are the resource types that need an IAM capability, in
	// template order (CapabilitiesReason).
	types []string
}

// missing names the first capability caps lacks, "" when none.
func (n capNeed) missing(caps []string) string {
	switch {
	case n.autoExpand && !slices.Contains(caps, CapabilityAutoExpand):
		return CapabilityAutoExpand
	case n.named && !slices.Contains(caps, CapabilityNamedIAM):
		return CapabilityNamedIAM
	case n.iam && !slices.Contains(caps, CapabilityIAM) && !slices.Contains(caps, CapabilityNamedIAM):
		return CapabilityIAM
	}
	return ""
}

// list is ValidateTemplate's Capabilities.
func (n capNeed) list() []string {
	var out []string
	switch {
	case n.named:
		out = append(out, CapabilityNamedIAM)
	case n.iam:
		out = append(out, CapabilityIAM)
	}
	if n.autoExpand {
		out = append(out, CapabilityAutoExpand)
	}
	return out
}

// reason is ValidateTemplate's CapabilitiesReason (spec §5.7).
func (n capNeed) reason() string {
	if len(n.types) == 0 {
		return ""
	}
	return fmt.Sprintf("The following resource(s) require capabilities: [%s]", strings.Join(n.types, ", "))
}

func (n *capNeed) addType(t string) {
	if !slices.Contains(n.types, t) {
		n.types = append(n.types, t)
	}
}

// capabilities works out what a template needs acknowledged: IAM types
// (named ones need CAPABILITY_NAMED_IAM), the IAM contents of nested
// stacks whose templates can be read now, and, for a direct
// CreateStack/UpdateStack, transforms. Resources whose Condition is false
// in scope are left out; a nil scope counts everything.
func (e *Engine) capabilities(ctx context.Context, tmpl *template.Template, scope *template.Scope, direct bool, depth int) capNeed {
	var n capNeed
	if direct && len(tmpl.Transform) > 0 {
		n.autoExpand = true
	}
	for _, r := range tmpl.Resources {
		if scope != nil && scope.Conditions != nil && r.Condition != "" && !scope.Conditions[r.Condition] {
			continue
		}
		p, ok := e.cfg.Registry.Lookup(r.Type)
		if !ok {
			continue
		}
		s := p.Schema()
		if s.NeedsCapability != "" {
			n.iam = true
			n.addType(r.Type)
			if s.NameProperty != "" && r.Properties != nil && r.Properties.Get(s.NameProperty) != nil {
				n.named = true
			}
		}
		if r.Type == StackType && depth < maxNesting {
			child := e.nestedCapabilities(ctx, r, scope, depth)
			if child.iam {
				n.iam = true
				n.named = n.named || child.named
				n.addType(StackType)
			}
		}
	}
	return n
}

// nestedCapabilities reads a nested stack's template, when its TemplateURL
// can be evaluated before anything exists, and reports what it needs. A
// template that cannot be read now is checked when the child is created.
func (e *Engine) nestedCapabilities(ctx context.Context, r *template.Resource, scope *template.Scope, depth int) capNeed {
	if e.cfg.Templates == nil || r.Properties == nil || scope == nil {
		return capNeed{}
	}
	node := r.Properties.Get("TemplateURL")
	if node == nil {
		return capNeed{}
	}
	v, err := template.Eval(node, scope)
	url, ok := v.(string)
	if err != nil || !ok {
		return capNeed{}
	}
	name, body, err := e.cfg.Templates.FetchTemplate(ctx, url)
	if err != nil {
		return capNeed{}
	}
	child, err := template.Parse(name, body)
	if err != nil {
		return capNeed{}
	}
	return e.capabilities(ctx, child, &template.Scope{Region: scope.Region, AccountID: scope.AccountID}, false, depth+1)
}
