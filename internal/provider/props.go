package provider

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// props reads evaluated CloudFormation properties with the coercions
// CloudFormation applies: numbers and booleans may arrive as strings,
// numbers as json.Number (from a template) or float64 (from the store).
type props struct {
	logicalID string
	m         map[string]any
}

func newProps(logicalID string, m map[string]any) props { return props{logicalID, m} }

// typeError is AWS's property-validation wording (spec cloudformation §6.1).
func (p props) typeError(path, want string, got any) error {
	return stack.Reasonf("Properties validation failed for resource %s with message: #/%s: expected type: %s, found: %s", p.logicalID, path, want, jsonType(got))
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "String"
	case bool:
		return "Boolean"
	case json.Number, float64, int:
		return "Number"
	case []any:
		return "JSONArray"
	case map[string]any:
		return "JSONObject"
	case nil:
		return "Null"
	}
	return fmt.Sprintf("%T", v)
}

func (p props) has(k string) bool {
	_, ok := p.m[k]
	return ok
}

// str returns a string property ("" when absent); numbers and booleans
// are rendered as text.
func (p props) str(k string) (string, error) {
	v, ok := p.m[k]
	if !ok || v == nil {
		return "", nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", p.typeError(k, "String", v)
}

func (p props) strPtr(k string) (*string, error) {
	if !p.has(k) {
		return nil, nil
	}
	s, err := p.str(k)
	return &s, err
}

// integer returns an integer property (0 when absent).
func (p props) integer(k string) (int, error) {
	v, ok := p.m[k]
	if !ok || v == nil {
		return 0, nil
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case float64:
		if x != float64(int(x)) {
			return 0, p.typeError(k, "Integer", v)
		}
		return int(x), nil
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, p.typeError(k, "Integer", v)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, p.typeError(k, "Integer", v)
	}
	return n, nil
}

func (p props) intPtr(k string) (*int, error) {
	if !p.has(k) {
		return nil, nil
	}
	n, err := p.integer(k)
	return &n, err
}

// boolean returns a boolean property (false when absent); "true"/"false"
// strings are accepted.
func (p props) boolean(k string) (bool, error) {
	v, ok := p.m[k]
	if !ok || v == nil {
		return false, nil
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.ToLower(x)); err == nil {
			return b, nil
		}
	}
	return false, p.typeError(k, "Boolean", v)
}

func (p props) boolPtr(k string) (*bool, error) {
	if !p.has(k) {
		return nil, nil
	}
	b, err := p.boolean(k)
	return &b, err
}

// strList returns a list of strings (a lone string counts as one item).
func (p props) strList(k string) ([]string, error) {
	v, ok := p.m[k]
	if !ok || v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for i, it := range x {
			s, err := (props{p.logicalID, map[string]any{"": it}}).str("")
			if err != nil {
				return nil, p.typeError(fmt.Sprintf("%s/%d", k, i), "String", it)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, p.typeError(k, "JSONArray", v)
}

// strMap returns a map of strings (keys kept exactly).
func (p props) strMap(k string) (map[string]string, error) {
	v, ok := p.m[k]
	if !ok || v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, p.typeError(k, "JSONObject", v)
	}
	out := make(map[string]string, len(m))
	for key, val := range m {
		s, err := (props{p.logicalID, map[string]any{"": val}}).str("")
		if err != nil {
			return nil, p.typeError(k+"/"+key, "String", val)
		}
		out[key] = s
	}
	return out, nil
}

// object returns a nested object's properties.
func (p props) object(k string) (props, bool, error) {
	v, ok := p.m[k]
	if !ok || v == nil {
		return props{p.logicalID, nil}, false, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return props{}, false, p.typeError(k, "JSONObject", v)
	}
	return props{p.logicalID, m}, true, nil
}

// jsonText returns a JSON-typed property (a policy document, an OpenAPI
// body) as JSON text; CloudFormation accepts an object or a JSON string
// (spec cloudformation §6.14).
func (p props) jsonText(k string) (string, error) {
	v, ok := p.m[k]
	if !ok || v == nil {
		return "", nil
	}
	if s, ok := v.(string); ok {
		if !json.Valid([]byte(s)) {
			return "", stack.Reasonf("Properties validation failed for resource %s with message: #/%s: invalid JSON text", p.logicalID, k)
		}
		return s, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", p.typeError(k, "JSONObject", v)
	}
	return string(raw), nil
}

// tags reads CloudFormation's tag forms: a list of {Key, Value} or a map.
func (p props) tags(k string) (map[string]string, error) {
	v, ok := p.m[k]
	if !ok || v == nil {
		return nil, nil
	}
	if _, isMap := v.(map[string]any); isMap {
		return p.strMap(k)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, p.typeError(k, "JSONArray", v)
	}
	out := map[string]string{}
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, p.typeError(fmt.Sprintf("%s/%d", k, i), "JSONObject", it)
		}
		t := props{p.logicalID, m}
		key, err := t.str("Key")
		if err != nil {
			return nil, err
		}
		val, err := t.str("Value")
		if err != nil {
			return nil, err
		}
		out[key] = val
	}
	return out, nil
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
