package stack

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// Summary is what ValidateTemplate and GetTemplateSummary report about a
// template (spec §9.2).
type Summary struct {
	Description string
	Parameters  []ParameterDeclaration
	// Capabilities the template needs acknowledged, and why.
	Capabilities       []string
	CapabilitiesReason string
	// ResourceTypes in template order, each once.
	ResourceTypes      []string
	DeclaredTransforms []string
	// Version is AWSTemplateFormatVersion; Metadata the Metadata section
	// as JSON text ("" when absent).
	Version  string
	Metadata string
}

// ParameterDeclaration is a template parameter as the summary shows it.
type ParameterDeclaration struct {
	Key, Type, Description string
	// Default is nil when the parameter has none.
	Default       *string
	NoEcho        bool
	AllowedValues []string
}

// ValidateConfig is what Validate needs: the providers' schemas, and
// where to read nested templates (nil skips their capability check).
type ValidateConfig struct {
	Registry  *Registry
	Templates TemplateSource
	Region    string
	AccountID string
}

// Validate checks a template without deploying it and summarises it. It
// reports every problem it finds in one *ValidationError — template
// structure, intrinsic functions, references, cycles, resource types,
// unknown and missing required properties — each with its file, line and
// logical ID; the error's AWS message is the first problem's.
func Validate(ctx context.Context, cfg ValidateConfig, name string, body []byte) (*Summary, error) {
	e := &Engine{cfg: Config{Registry: cfg.Registry.clone(), Templates: cfg.Templates, Region: cfg.Region, AccountID: cfg.AccountID}}
	e.registerNested()
	return e.validate(ctx, name, body)
}

// Validate is the package's Validate with the engine's providers and
// template source (ValidateTemplate, GetTemplateSummary).
func (e *Engine) Validate(ctx context.Context, name string, body []byte) (*Summary, error) {
	return e.validate(ctx, name, body)
}

func (e *Engine) validate(ctx context.Context, name string, body []byte) (*Summary, error) {
	if name == "" {
		name = "template"
	}
	tmpl, err := e.check(name, body)
	if err != nil {
		return nil, err
	}
	s := &Summary{Description: tmpl.Description, Version: tmpl.FormatVersion, DeclaredTransforms: tmpl.Transform}
	for _, p := range tmpl.Parameters {
		s.Parameters = append(s.Parameters, ParameterDeclaration{Key: p.Name, Type: p.Type, Description: p.Description,
			Default: p.Default, NoEcho: p.NoEcho, AllowedValues: p.AllowedValues})
	}
	for _, r := range tmpl.Resources {
		if !slices.Contains(s.ResourceTypes, r.Type) {
			s.ResourceTypes = append(s.ResourceTypes, r.Type)
		}
	}
	if tmpl.Metadata != nil {
		if v, err := template.Eval(tmpl.Metadata, &template.Scope{}); err == nil {
			if raw, err := json.Marshal(v); err == nil {
				s.Metadata = string(raw)
			}
		}
	}
	// Nested templates' TemplateURLs may use parameters: evaluate them
	// with the defaults when every parameter has one.
	var scope *template.Scope
	if params, err := tmpl.ResolveParameters(nil, nil); err == nil {
		scope = &template.Scope{Region: e.cfg.Region, AccountID: e.cfg.AccountID, Params: params}
	}
	need := e.capabilities(ctx, tmpl, scope, true, 0)
	s.Capabilities, s.CapabilitiesReason = need.list(), need.reason()
	return s, nil
}
