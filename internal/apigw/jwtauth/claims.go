package jwtauth

import (
	"bytes"
	"encoding/json"
	"strings"
)

// stringify renders every claim as API Gateway passes it to an
// integration (shared/specs/http-api.md §8.2, measured by FLOCI): strings
// as they are, numbers with the issuer's own digits ("exp": "1700000000",
// never 1.7e+09), booleans as true/false, arrays bracketed and
// space-separated ("[admin poweruser]", the form of Go's fmt that AWS's
// stack shows), objects as compact JSON text. Null claims are left out.
func (c claimSet) stringify() map[string]string {
	out := make(map[string]string, len(c))
	for name, raw := range c {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		out[name] = stringifyValue(raw)
	}
	return out
}

func stringifyValue(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			var b strings.Builder
			b.WriteByte('[')
			for i, it := range items {
				if i > 0 {
					b.WriteByte(' ')
				}
				if bytes.Equal(bytes.TrimSpace(it), []byte("null")) {
					b.WriteString("<nil>") // as fmt prints a nil element
					continue
				}
				b.WriteString(stringifyValue(it))
			}
			b.WriteByte(']')
			return b.String()
		}
	case '{':
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			return buf.String()
		}
	}
	return string(raw) // numbers, true, false
}
