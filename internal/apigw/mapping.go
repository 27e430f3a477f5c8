package apigw

import (
	"slices"
	"strconv"
	"strings"
)

// Parameter mapping (shared/specs/http-api.md §9): an integration's
// requestParameters change the request sent to the integration, its
// responseParameters the response sent back. Mappings are parsed once
// when a deployment is compiled.

// mapOp is one parsed mapping entry.
type mapOp struct {
	action string // append, overwrite, remove
	dest   string // header, querystring, path, statuscode
	name   string // header or query name; "" for path and statuscode
	value  template
}

// template is a mapping value: static text and $sources, in order.
type template []tmplPart

type tmplPart struct {
	text   string
	source bool // text is a source such as "request.header.x"
}

// maxMappedBody is how much of a body a JSONPath source reads (§9.1).
const maxMappedBody = 100 << 10

// parseRequestKey parses "append:header.x", "overwrite:querystring.q",
// "remove:header.y" or "overwrite:path" (§9.1).
func parseRequestKey(key string) (action, dest, name string, err error) {
	action, rest, ok := strings.Cut(key, ":")
	action = strings.ToLower(action)
	if !ok || (action != "append" && action != "overwrite" && action != "remove") {
		return "", "", "", badRequest("Invalid mapping key %s: it must start with append:, overwrite: or remove:", key)
	}
	if strings.EqualFold(rest, "path") {
		if action != "overwrite" {
			return "", "", "", badRequest("Invalid mapping key %s: the path can only be overwritten", key)
		}
		return action, "path", "", nil
	}
	d, name, _ := strings.Cut(rest, ".")
	d = strings.ToLower(d)
	if d != "header" && d != "querystring" {
		return "", "", "", badRequest("Invalid mapping key %s: the destination must be header.<name>, querystring.<name> or path", key)
	}
	if name == "" || !validParamName(name) {
		return "", "", "", badRequest("Invalid mapping key %s: invalid parameter name %q", key, name)
	}
	return action, d, name, nil
}

// validateRequestParameters checks an integration's requestParameters
// (§9.1): keys, reserved headers, one entry per header across actions,
// and value syntax.
func validateRequestParameters(m map[string]string) error {
	_, err := compileRequestMapping(m)
	return err
}

func compileRequestMapping(m map[string]string) ([]mapOp, error) {
	if len(m) == 0 {
		return nil, nil
	}
	headers := map[string]string{}
	ops := make([]mapOp, 0, len(m))
	for _, key := range slices.Sorted(mapKeys(m)) {
		action, dest, name, err := parseRequestKey(key)
		if err != nil {
			return nil, err
		}
		if dest == "header" {
			lower := strings.ToLower(name)
			if prev, dup := headers[lower]; dup {
				return nil, badRequest("Invalid mapping key %s: header %s is already mapped by %s", key, name, prev)
			}
			headers[lower] = key
			if reservedHeader(lower) {
				return nil, badRequest("Invalid mapping key %s: header %s is reserved and cannot be mapped", key, name)
			}
		}
		op := mapOp{action: action, dest: dest, name: stripValueSuffix(name)}
		if action == "remove" {
			if v := m[key]; v != "''" {
				return nil, badRequest("Invalid mapping value for %s: a remove mapping takes the value ''", key)
			}
		} else if op.value, err = parseTemplate(key, m[key], false); err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// validateResponseParameters checks responseParameters (§9.2).
func validateResponseParameters(m map[string]map[string]string) error {
	_, err := compileResponseMapping(m)
	return err
}

func compileResponseMapping(m map[string]map[string]string) (map[int][]mapOp, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[int][]mapOp, len(m))
	for code, params := range m {
		status, err := strconv.Atoi(code)
		if err != nil || strconv.Itoa(status) != code || status < 200 || status > 599 {
			return nil, badRequest("Invalid response parameters key %q: it must be a status code from 200 to 599", code)
		}
		headers := map[string]string{}
		for _, key := range slices.Sorted(mapKeys(params)) {
			action, rest, ok := strings.Cut(key, ":")
			action = strings.ToLower(action)
			if !ok || (action != "append" && action != "overwrite" && action != "remove") {
				return nil, badRequest("Invalid mapping key %s: it must start with append:, overwrite: or remove:", key)
			}
			op := mapOp{action: action}
			if strings.EqualFold(rest, "statuscode") {
				if action != "overwrite" {
					return nil, badRequest("Invalid mapping key %s: the status code can only be overwritten", key)
				}
				op.dest = "statuscode"
				v := params[key]
				if !strings.HasPrefix(v, "$") {
					n, err := strconv.Atoi(v)
					if err != nil || n < 100 || n > 599 {
						return nil, badRequest("Invalid status code %q for %s: it must be an integer from 100 to 599", v, key)
					}
				}
			} else {
				d, name, _ := strings.Cut(rest, ".")
				if !strings.EqualFold(d, "header") || name == "" || !validParamName(name) {
					return nil, badRequest("Invalid mapping key %s: the destination must be header.<name> or statuscode", key)
				}
				lower := strings.ToLower(name)
				if prev, dup := headers[lower]; dup {
					return nil, badRequest("Invalid mapping key %s: header %s is already mapped by %s", key, name, prev)
				}
				headers[lower] = key
				op.dest, op.name = "header", stripValueSuffix(name)
			}
			if action == "remove" {
				if params[key] != "''" {
					return nil, badRequest("Invalid mapping value for %s: a remove mapping takes the value ''", key)
				}
			} else if op.value, err = parseTemplate(key, params[key], true); err != nil {
				return nil, err
			}
			out[status] = append(out[status], op)
		}
	}
	return out, nil
}

// stripValueSuffix drops a ".N" suffix: append:header.h.1 and
// append:header.h.2 both add a value to header h (§9.1).
func stripValueSuffix(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return name
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return name
		}
	}
	return name[:i]
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// parseTemplate splits a mapping value into static text and sources
// (§9.1): "${request.body}text$request.path" has three parts. A lone { or
// } is an error; a $ followed by fewer than two name characters is text;
// anything longer must be a valid source.
func parseTemplate(key, v string, response bool) (template, error) {
	var t template
	var static strings.Builder
	flush := func() {
		if static.Len() > 0 {
			t = append(t, tmplPart{text: static.String()})
			static.Reset()
		}
	}
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '{' || c == '}':
			return nil, badRequest("Invalid mapping value %q for %s: unbalanced %c", v, key, c)
		case c == '$' && i+1 < len(v) && v[i+1] == '{':
			end := strings.IndexByte(v[i+2:], '}')
			if end < 0 {
				return nil, badRequest("Invalid mapping value %q for %s: missing }", v, key)
			}
			src := v[i+2 : i+2+end]
			if !validSource(src, response) {
				return nil, badRequest("Invalid mapping value %q for %s: unknown source %s", v, key, src)
			}
			flush()
			t = append(t, tmplPart{text: src, source: true})
			i += end + 3
		case c == '$':
			j := i + 1
			for j < len(v) && isSourceChar(v[j]) {
				j++
			}
			if j-i-1 < 2 {
				static.WriteString(v[i:j])
				i = j
				continue
			}
			src := v[i+1 : j]
			if !validSource(src, response) {
				return nil, badRequest("Invalid mapping value %q for %s: unknown source $%s", v, key, src)
			}
			flush()
			t = append(t, tmplPart{text: src, source: true})
			i = j
		default:
			static.WriteByte(c)
			i++
		}
	}
	flush()
	return t, nil
}

func isSourceChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '[' || c == ']'
}

func validSource(src string, response bool) bool {
	kind, rest, _ := strings.Cut(src, ".")
	switch kind {
	case "context", "stageVariables":
		return rest != ""
	case "request":
		if response {
			return false
		}
		what, name, _ := strings.Cut(rest, ".")
		switch what {
		case "header", "querystring":
			return name != ""
		case "body", "path":
			return true
		}
	case "response":
		if !response {
			return false
		}
		what, name, _ := strings.Cut(rest, ".")
		switch what {
		case "header":
			return name != ""
		case "body":
			return true
		}
	}
	return false
}

func validParamName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!#$&'*+^`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// reservedHeader lists the headers mapping may not touch (§9.1).
func reservedHeader(lower string) bool {
	switch lower {
	case "authorization", "connection", "content-encoding", "content-length", "content-location",
		"forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te",
		"trailers", "transfer-encoding", "upgrade", "x-forwarded-for", "x-forwarded-host",
		"x-forwarded-proto", "via":
		return true
	}
	return strings.HasPrefix(lower, "access-control-") || strings.HasPrefix(lower, "apigw-") ||
		strings.HasPrefix(lower, "x-amz-") || strings.HasPrefix(lower, "x-amzn-")
}
