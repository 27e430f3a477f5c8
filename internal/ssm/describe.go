package ssm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ParameterFilter is one of DescribeParameters' (and
// GetParametersByPath's) ParameterFilters.
type ParameterFilter struct {
	Key    string   `json:"Key"`
	Option string   `json:"Option,omitempty"`
	Values []string `json:"Values,omitempty"`
}

// ParameterMetadata is a parameter without its value, as
// DescribeParameters returns it.
type ParameterMetadata struct {
	Name             string    `json:"Name"`
	ARN              string    `json:"ARN"`
	Type             string    `json:"Type"`
	KeyID            string    `json:"KeyId,omitempty"`
	LastModifiedDate time.Time `json:"LastModifiedDate"`
	LastModifiedUser string    `json:"LastModifiedUser"`
	Description      string    `json:"Description,omitempty"`
	AllowedPattern   string    `json:"AllowedPattern,omitempty"`
	Version          int64     `json:"Version"`
	Tier             string    `json:"Tier"`
	Policies         []any     `json:"Policies"`
	DataType         string    `json:"DataType"`
}

// DescribeInput is DescribeParameters' request.
type DescribeInput struct {
	// Filters may use the keys Name (options Equals, BeginsWith,
	// Contains), Path (Recursive, OneLevel), Type, KeyId, Tier, DataType
	// (Equals) and tag:<key> (Equals; no values means the tag exists).
	Filters []ParameterFilter
	// MaxResults is 1–50; zero means 50.
	MaxResults int
	NextToken  string
}

// DescribeParameters lists parameters' metadata in name order.
func (s *Service) DescribeParameters(ctx context.Context, in DescribeInput) ([]ParameterMetadata, string, error) {
	max, err := maxResults(in.MaxResults, 50)
	if err != nil {
		return nil, "", err
	}
	match, err := compileFilters(in.Filters, map[string]bool{"Name": true, "Path": true, "Type": true, "KeyId": true, "Tier": true, "DataType": true, "tag:": true})
	if err != nil {
		return nil, "", err
	}
	out := []ParameterMetadata{}
	next, err := s.page(ctx, in.NextToken, max, match, func(rec record) {
		v := rec.version
		out = append(out, ParameterMetadata{
			Name: v.Name, ARN: s.arn(v.Name), Type: v.Type, KeyID: v.KeyID, LastModifiedDate: v.LastModifiedDate,
			LastModifiedUser: v.LastModifiedUser, Description: v.Description, AllowedPattern: v.AllowedPattern,
			Version: v.Version, Tier: v.Tier, Policies: []any{}, DataType: v.DataType,
		})
	})
	if err != nil {
		return nil, "", fmt.Errorf("describe parameters: %w", err)
	}
	return out, next, nil
}

// compileFilters checks filters against the keys an operation allows
// ("tag:" standing for every tag key) and returns the predicate they
// make.
func compileFilters(filters []ParameterFilter, allowed map[string]bool) (func(record) bool, error) {
	var keys []string
	for k := range allowed {
		if k != "tag:" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var preds []func(record) bool
	seen := map[string]bool{}
	for _, f := range filters {
		isTag := strings.HasPrefix(f.Key, "tag:") && len(f.Key) > 4
		if !allowed[f.Key] && !(isTag && allowed["tag:"]) {
			return nil, ssmError(CodeValidation, "The following filter key is not valid: %s. Valid filter keys include: [%s]", f.Key, strings.Join(keys, ", "))
		}
		if seen[f.Key] {
			return nil, ssmError(CodeValidation, "The following filter is duplicated in the request: %s. A request can contain only one occurrence of a specific filter.", f.Key)
		}
		seen[f.Key] = true
		if isTag {
			tag, values := f.Key[len("tag:"):], f.Values
			preds = append(preds, func(r record) bool {
				v, ok := r.Tags[tag]
				return ok && (len(values) == 0 || slices.Contains(values, v))
			})
			continue
		}
		if len(f.Values) == 0 {
			return nil, ssmError(CodeValidation, "The following filter values are missing : null for filter key %s", f.Key)
		}
		options := []string{"Equals"}
		switch f.Key {
		case "Name":
			options = []string{"BeginsWith", "Contains", "Equals"}
		case "Path":
			options = []string{"OneLevel", "Recursive"}
		}
		opt := f.Option
		if opt == "" {
			opt = options[0]
			if f.Key == "Name" {
				opt = "Equals"
			}
		}
		if !slices.Contains(options, opt) {
			return nil, ssmError(CodeValidation, "The following filter option is not valid: %s. Valid options include: [%s].", opt, strings.Join(options, ", "))
		}
		values := f.Values
		switch f.Key {
		case "Name":
			preds = append(preds, func(r record) bool {
				v := r.version
				return slices.ContainsFunc(values, func(want string) bool {
					switch opt {
					case "BeginsWith":
						return strings.HasPrefix(v.Name, want)
					case "Contains":
						return strings.Contains(v.Name, want)
					}
					return v.Name == want
				})
			})
		case "Path":
			for _, p := range values {
				if err := validatePath(p); err != nil {
					return nil, err
				}
			}
			preds = append(preds, func(r record) bool {
				return slices.ContainsFunc(values, func(p string) bool { return underPath(r.Name, p, opt == "Recursive") })
			})
		default:
			field := map[string]func(version) string{
				"Type":     func(v version) string { return v.Type },
				"KeyId":    func(v version) string { return v.KeyID },
				"Tier":     func(v version) string { return v.Tier },
				"DataType": func(v version) string { return v.DataType },
			}[f.Key]
			preds = append(preds, func(r record) bool { return slices.Contains(values, field(r.version)) })
		}
	}
	return func(r record) bool {
		for _, p := range preds {
			if !p(r) {
				return false
			}
		}
		return true
	}, nil
}
