package awsapi

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

// templateFrom returns the template a ValidateTemplate-like call names:
// TemplateBody, TemplateURL read from cloudlet's S3, or (when allowed) a
// stack's.
func (h *Handler) templateFrom(c *call, f query.Form, allowStack bool) (name string, body []byte, err error) {
	b, url, err := templateInput(f)
	if err != nil {
		return "", nil, err
	}
	switch {
	case b != nil:
		return "template", b, nil
	case url != "":
		return h.fetchTemplate(c, url)
	case allowStack && f.Get("StackName") != "":
		st, err := h.cfg.Stacks.Describe(c.ctx(), f.Get("StackName"))
		if err != nil {
			return "", nil, err
		}
		return st.TemplateName, []byte(st.TemplateBody), nil
	}
	return "", nil, awserr.New(awserr.CodeValidationError, "Either Template URL or Template Body must be specified.")
}

// fetchTemplate reads a TemplateURL from cloudlet's S3.
func (h *Handler) fetchTemplate(c *call, url string) (string, []byte, error) {
	bucket, key, err := s3.ParseURL(url)
	if err != nil {
		return "", nil, err
	}
	if h.cfg.S3 == nil {
		return "", nil, awserr.New(awserr.CodeValidationError, "TemplateURL must be a supported URL.")
	}
	rc, _, err := h.cfg.S3.GetObject(c.ctx(), bucket, key, nil)
	if err != nil {
		if e, ok := awserr.As(err); ok && e.Status == http.StatusNotFound {
			return "", nil, awserr.New(awserr.CodeValidationError, "S3 error: Access Denied")
		}
		return "", nil, err
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, 1_000_001))
	if err != nil {
		return "", nil, fmt.Errorf("read template %s: %w", url, err)
	}
	name := key
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		name = key[i+1:]
	}
	return name, body, nil
}

func (h *Handler) cfnValidateTemplate(c *call, f query.Form) (any, error) {
	name, body, err := h.templateFrom(c, f, false)
	if err != nil {
		return nil, err
	}
	sum, err := h.cfg.Stacks.Validate(c.ctx(), name, body)
	if err != nil {
		return nil, err
	}
	out := struct {
		Parameters         []cfnTemplateParameter `xml:"Parameters>member"`
		Description        string                 `xml:"Description,omitempty"`
		Capabilities       []string               `xml:"Capabilities>member"`
		CapabilitiesReason string                 `xml:"CapabilitiesReason,omitempty"`
		DeclaredTransforms []string               `xml:"DeclaredTransforms>member"`
	}{Description: sum.Description, Capabilities: sum.Capabilities, CapabilitiesReason: sum.CapabilitiesReason,
		DeclaredTransforms: sum.DeclaredTransforms}
	for _, p := range sum.Parameters {
		tp := cfnTemplateParameter{ParameterKey: p.Key, NoEcho: p.NoEcho, Description: p.Description}
		if p.Default != nil {
			tp.DefaultValue = *p.Default
		}
		out.Parameters = append(out.Parameters, tp)
	}
	return out, nil
}

func (h *Handler) cfnGetTemplateSummary(c *call, f query.Form) (any, error) {
	name, body, err := h.templateFrom(c, f, true)
	if err != nil {
		return nil, err
	}
	sum, err := h.cfg.Stacks.Validate(c.ctx(), name, body)
	if err != nil {
		return nil, err
	}
	out := struct {
		Parameters         []cfnTemplateParameter `xml:"Parameters>member"`
		Description        string                 `xml:"Description,omitempty"`
		Capabilities       []string               `xml:"Capabilities>member"`
		CapabilitiesReason string                 `xml:"CapabilitiesReason,omitempty"`
		ResourceTypes      []string               `xml:"ResourceTypes>member"`
		Version            string                 `xml:"Version,omitempty"`
		Metadata           string                 `xml:"Metadata,omitempty"`
		DeclaredTransforms []string               `xml:"DeclaredTransforms>member"`
	}{Description: sum.Description, Capabilities: sum.Capabilities, CapabilitiesReason: sum.CapabilitiesReason,
		ResourceTypes: sum.ResourceTypes, Version: sum.Version, Metadata: sum.Metadata, DeclaredTransforms: sum.DeclaredTransforms}
	for _, p := range sum.Parameters {
		tp := cfnTemplateParameter{ParameterKey: p.Key, ParameterType: p.Type, NoEcho: p.NoEcho, Description: p.Description}
		if p.Default != nil {
			tp.DefaultValue = *p.Default
		}
		tp.ParameterConstraints = &struct {
			AllowedValues []string `xml:"AllowedValues>member"`
		}{p.AllowedValues}
		out.Parameters = append(out.Parameters, tp)
	}
	return out, nil
}
