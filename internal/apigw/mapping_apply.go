package apigw

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Applying parsed mappings to a request or response (§9.1, §9.2).

// mapSources is what a template can read.
type mapSources struct {
	x          *exchange
	header     http.Header // request or response headers
	query      []queryPair
	body       []byte
	response   bool
	parsedBody any
	bodyParsed bool
}

type queryPair struct{ key, value string }

func (t template) render(src *mapSources) string {
	if len(t) == 1 && !t[0].source {
		return t[0].text
	}
	var b strings.Builder
	for _, p := range t {
		if !p.source {
			b.WriteString(p.text)
			continue
		}
		v, _ := src.resolve(p.text)
		b.WriteString(v)
	}
	return b.String()
}

// resolve returns a source's value; a source that does not resolve is ""
// (§9.1: the parameter may still be sent empty).
func (m *mapSources) resolve(src string) (string, bool) {
	kind, rest, _ := strings.Cut(src, ".")
	switch kind {
	case "context":
		return m.x.contextVar(rest)
	case "stageVariables":
		v, ok := m.x.stage.vars[rest]
		return v, ok
	}
	what, name, _ := strings.Cut(rest, ".")
	switch what {
	case "header":
		vs := m.header.Values(name)
		return strings.Join(vs, ","), len(vs) > 0
	case "querystring":
		var vs []string
		for _, q := range m.query {
			if q.key == name {
				vs = append(vs, q.value)
			}
		}
		return strings.Join(vs, ","), len(vs) > 0
	case "path":
		if name == "" {
			return m.x.stagePath, true
		}
		for _, p := range m.x.params {
			if p.Name == name {
				return p.Value, true
			}
		}
		return "", false
	case "body":
		if name == "" {
			return string(m.body), len(m.body) > 0
		}
		return m.jsonPath(name)
	}
	return "", false
}

// jsonPath reads a.b[0].c from the body, cut to 100 KB (§9.1). Strings
// come back as they are, other values as JSON text.
func (m *mapSources) jsonPath(path string) (string, bool) {
	if !m.bodyParsed {
		m.bodyParsed = true
		b := m.body
		if len(b) > maxMappedBody {
			b = b[:maxMappedBody]
		}
		_ = json.Unmarshal(b, &m.parsedBody)
	}
	cur := m.parsedBody
	for _, step := range strings.Split(strings.TrimPrefix(path, "$."), ".") {
		name, idx := step, -1
		if i := strings.IndexByte(step, '['); i >= 0 && strings.HasSuffix(step, "]") {
			n, err := strconv.Atoi(step[i+1 : len(step)-1])
			if err != nil {
				return "", false
			}
			name, idx = step[:i], n
		}
		if name != "" {
			obj, ok := cur.(map[string]any)
			if !ok {
				return "", false
			}
			if cur, ok = obj[name]; !ok {
				return "", false
			}
		}
		if idx >= 0 {
			arr, ok := cur.([]any)
			if !ok || idx >= len(arr) {
				return "", false
			}
			cur = arr[idx]
		}
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case nil:
		return "", false
	default:
		b, _ := json.Marshal(v)
		return string(b), true
	}
}

// applyRequestMapping changes the outgoing header, query and path.
func applyRequestMapping(ops []mapOp, src *mapSources, header http.Header, query *[]queryPair, path *string) {
	for _, op := range ops {
		switch op.dest {
		case "path":
			*path = op.value.render(src)
		case "header":
			switch op.action {
			case "remove":
				header.Del(op.name)
			case "overwrite":
				header.Set(op.name, op.value.render(src))
			case "append":
				v := op.value.render(src)
				if prev := header.Values(op.name); len(prev) > 0 {
					v = strings.Join(prev, ",") + "," + v
				}
				header.Set(op.name, v)
			}
		case "querystring":
			v := ""
			if op.action != "remove" {
				v = op.value.render(src)
			}
			kept := (*query)[:0]
			if op.action == "append" {
				kept = *query
			} else {
				for _, q := range *query {
					if q.key != op.name {
						kept = append(kept, q)
					}
				}
			}
			if op.action != "remove" {
				kept = append(kept, queryPair{op.name, v})
			}
			*query = kept
		}
	}
}

// applyResponseMapping changes the response for the integration's
// status code (§9.2) and returns the status to send.
func applyResponseMapping(ops []mapOp, src *mapSources, status int, header http.Header) int {
	for _, op := range ops {
		switch op.dest {
		case "statuscode":
			if n, err := strconv.Atoi(op.value.render(src)); err == nil && n >= 100 && n <= 599 {
				status = n
			}
		case "header":
			switch op.action {
			case "remove":
				header.Del(op.name)
			case "overwrite":
				header.Set(op.name, op.value.render(src))
			case "append":
				header.Add(op.name, op.value.render(src))
			}
		}
	}
	return status
}

// parseQueryPairs splits a raw query into decoded pairs, in order.
func parseQueryPairs(raw string) []queryPair {
	var out []queryPair
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if d, err := url.QueryUnescape(k); err == nil {
			k = d
		}
		if d, err := url.QueryUnescape(v); err == nil {
			v = d
		}
		out = append(out, queryPair{k, v})
	}
	return out
}

// encodeQuery renders pairs as a query string.
func encodeQuery(q []queryPair) string {
	var b strings.Builder
	for i, p := range q {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.value))
	}
	return b.String()
}
