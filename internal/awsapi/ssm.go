package awsapi

import (
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/awsjson"
	"github.com/cloudlet-dev/cloudlet/internal/ssm"
)

// ssmTargetPrefix prefixes SSM's X-Amz-Target values.
const ssmTargetPrefix = "AmazonSSM."

type ssmTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type ssmRequest struct {
	Name             string                `json:"Name"`
	Names            []string              `json:"Names"`
	WithDecryption   bool                  `json:"WithDecryption"`
	Path             string                `json:"Path"`
	Recursive        bool                  `json:"Recursive"`
	ParameterFilters []ssm.ParameterFilter `json:"ParameterFilters"`
	MaxResults       int                   `json:"MaxResults"`
	NextToken        string                `json:"NextToken"`
	Value            string                `json:"Value"`
	Type             string                `json:"Type"`
	Description      string                `json:"Description"`
	KeyID            string                `json:"KeyId"`
	AllowedPattern   string                `json:"AllowedPattern"`
	Tier             string                `json:"Tier"`
	DataType         string                `json:"DataType"`
	Overwrite        bool                  `json:"Overwrite"`
	Tags             []ssmTag              `json:"Tags"`
}

type ssmParameter struct {
	Name             string  `json:"Name"`
	Type             string  `json:"Type"`
	Value            string  `json:"Value"`
	Version          int64   `json:"Version"`
	LastModifiedDate float64 `json:"LastModifiedDate"`
	ARN              string  `json:"ARN"`
	DataType         string  `json:"DataType"`
	Selector         string  `json:"Selector,omitempty"`
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func ssmParam(p ssm.Parameter) ssmParameter {
	return ssmParameter{Name: p.Name, Type: p.Type, Value: p.Value, Version: p.Version, LastModifiedDate: epochSeconds(p.LastModifiedDate),
		ARN: p.ARN, DataType: p.DataType, Selector: p.Selector}
}

func ssmParams(ps []ssm.Parameter) []ssmParameter {
	out := make([]ssmParameter, len(ps))
	for i, p := range ps {
		out[i] = ssmParam(p)
	}
	return out
}

type ssmMetadata struct {
	Name             string  `json:"Name"`
	ARN              string  `json:"ARN"`
	Type             string  `json:"Type"`
	KeyID            string  `json:"KeyId,omitempty"`
	LastModifiedDate float64 `json:"LastModifiedDate"`
	LastModifiedUser string  `json:"LastModifiedUser"`
	Description      string  `json:"Description,omitempty"`
	AllowedPattern   string  `json:"AllowedPattern,omitempty"`
	Version          int64   `json:"Version"`
	Tier             string  `json:"Tier"`
	Policies         []any   `json:"Policies"`
	DataType         string  `json:"DataType"`
}

func (h *Handler) serveSSM(c *call) error {
	c.op = strings.TrimPrefix(c.r.Header.Get("X-Amz-Target"), ssmTargetPrefix)
	if h.cfg.SSM == nil {
		return serviceMissing(c, c.op)
	}
	var in ssmRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	resource := "*"
	if in.Name != "" {
		resource = h.parameterARN(in.Name)
	} else if in.Path != "" {
		resource = h.parameterARN(in.Path)
	}
	if err := h.authorize(c, "ssm:"+c.op, resource); err != nil {
		return err
	}
	s, cx := h.cfg.SSM, c.ctx()
	var out any
	var err error
	switch c.op {
	case "GetParameter":
		var p *ssm.Parameter
		if p, err = s.GetParameter(cx, in.Name, in.WithDecryption); err == nil {
			out = map[string]ssmParameter{"Parameter": ssmParam(*p)}
		}
	case "GetParameters":
		var ps []ssm.Parameter
		var invalid []string
		if ps, invalid, err = s.GetParameters(cx, in.Names, in.WithDecryption); err == nil {
			if invalid == nil {
				invalid = []string{}
			}
			out = map[string]any{"Parameters": ssmParams(ps), "InvalidParameters": invalid}
		}
	case "GetParametersByPath":
		var ps []ssm.Parameter
		var next string
		if ps, next, err = s.GetParametersByPath(cx, ssm.GetByPathInput{Path: in.Path, Recursive: in.Recursive,
			WithDecryption: in.WithDecryption, Filters: in.ParameterFilters, MaxResults: in.MaxResults, NextToken: in.NextToken}); err == nil {
			out = struct {
				Parameters []ssmParameter `json:"Parameters"`
				NextToken  string         `json:"NextToken,omitempty"`
			}{ssmParams(ps), next}
		}
	case "PutParameter":
		tags := map[string]string{}
		for _, t := range in.Tags {
			tags[t.Key] = t.Value
		}
		if len(tags) == 0 {
			tags = nil
		}
		out, err = s.PutParameter(cx, ssm.PutParameterInput{Name: in.Name, Value: in.Value, Type: in.Type, Description: in.Description,
			KeyID: in.KeyID, AllowedPattern: in.AllowedPattern, Tier: in.Tier, DataType: in.DataType, Overwrite: in.Overwrite, Tags: tags})
	case "DeleteParameter":
		err = s.DeleteParameter(cx, in.Name)
	case "DeleteParameters":
		var deleted, invalid []string
		if deleted, invalid, err = s.DeleteParameters(cx, in.Names); err == nil {
			if deleted == nil {
				deleted = []string{}
			}
			if invalid == nil {
				invalid = []string{}
			}
			out = map[string][]string{"DeletedParameters": deleted, "InvalidParameters": invalid}
		}
	case "DescribeParameters":
		var ms []ssm.ParameterMetadata
		var next string
		if ms, next, err = s.DescribeParameters(cx, ssm.DescribeInput{Filters: in.ParameterFilters, MaxResults: in.MaxResults, NextToken: in.NextToken}); err == nil {
			list := make([]ssmMetadata, len(ms))
			for i, m := range ms {
				pol := m.Policies
				if pol == nil {
					pol = []any{}
				}
				list[i] = ssmMetadata{Name: m.Name, ARN: m.ARN, Type: m.Type, KeyID: m.KeyID, LastModifiedDate: epochSeconds(m.LastModifiedDate),
					LastModifiedUser: m.LastModifiedUser, Description: m.Description, AllowedPattern: m.AllowedPattern,
					Version: m.Version, Tier: m.Tier, Policies: pol, DataType: m.DataType}
			}
			out = struct {
				Parameters []ssmMetadata `json:"Parameters"`
				NextToken  string        `json:"NextToken,omitempty"`
			}{list, next}
		}
	default:
		return notImplemented(c, c.op)
	}
	if err != nil {
		return err
	}
	awsjson.WriteJSON(c.w, out)
	return nil
}

// parameterARN is a parameter's ARN; AWS drops the slash of a path name
// after "parameter".
func (h *Handler) parameterARN(name string) string {
	if strings.HasPrefix(name, "/") {
		return h.arn("ssm", "parameter"+name)
	}
	return h.arn("ssm", "parameter/"+name)
}
