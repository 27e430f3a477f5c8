package awsapi

import (
	"context"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// Exports and imports (spec cloudformation §1.7). The engine records both
// as stacks deploy: ListExports reads its records.

func (h *Handler) cfnListExports(c *call, f query.Form) (any, error) {
	all, err := h.cfg.Stacks.ListExports()
	if err != nil {
		return nil, err
	}
	type export struct {
		ExportingStackID string `xml:"ExportingStackId"`
		Name             string `xml:"Name"`
		Value            string `xml:"Value"`
	}
	var out struct {
		Exports []export `xml:"Exports>member"`
	}
	for _, x := range all {
		out.Exports = append(out.Exports, export{x.ExportingStackID, x.Name, x.Value})
	}
	return out, nil
}

// importLister is the engine's answer to ListImports: the names of the
// live stacks whose last deployment resolved Fn::ImportValue of an
// export. stack.Engine records imports but does not list them yet; until
// it does, the adapter reads the live stacks' templates instead.
type importLister interface {
	ListImports(ctx context.Context, exportName string) ([]string, error)
}

func (h *Handler) cfnListImports(c *call, f query.Form) (any, error) {
	export := f.Get("ExportName")
	if export == "" {
		return nil, awserr.New(awserr.CodeValidationError, "ExportName is a required parameter.")
	}
	var out struct {
		Imports []string `xml:"Imports>member"`
	}
	var err error
	if il, ok := any(h.cfg.Stacks).(importLister); ok {
		out.Imports, err = il.ListImports(c.ctx(), export)
	} else {
		out.Imports, err = h.importersByTemplate(c, export)
	}
	if err != nil {
		return nil, err
	}
	if len(out.Imports) == 0 {
		return nil, awserr.New(awserr.CodeValidationError, "Export '%s' is not imported by any stack.", export)
	}
	return out, nil
}

// importersByTemplate names the live stacks whose templates import the
// export by its literal name.
func (h *Handler) importersByTemplate(c *call, export string) ([]string, error) {
	all, err := h.cfg.Stacks.ListStacks(c.ctx())
	if err != nil {
		return nil, err
	}
	var names []string
	for _, st := range all {
		if st.Status == stack.DeleteComplete || !strings.Contains(st.TemplateBody, export) {
			continue
		}
		t, err := template.Parse(st.TemplateName, []byte(st.TemplateBody))
		if err == nil && importsExport(t.Root, export) {
			names = append(names, st.Name)
		}
	}
	return names, nil
}

// importsExport reports whether a template tree has Fn::ImportValue of
// the export's name as a literal.
func importsExport(n *template.Node, export string) bool {
	if n == nil {
		return false
	}
	if fn, arg, ok := n.Intrinsic(); ok && fn == "Fn::ImportValue" {
		if s, ok := arg.Text(); ok && s == export {
			return true
		}
	}
	for _, p := range n.Pairs {
		if importsExport(p.Value, export) {
			return true
		}
	}
	for _, it := range n.Items {
		if importsExport(it, export) {
			return true
		}
	}
	return false
}
