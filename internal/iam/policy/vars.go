package policy

import "strings"

// pattern is a Resource value or a String/Arn condition value: precompiled
// when it holds no policy variable, expanded per request when it does.
type pattern struct {
	raw  string
	g    glob
	vars bool // raw holds ${…} and the document's version expands variables
}

func newPattern(raw string, fold, vars bool) pattern {
	p := pattern{raw: raw, vars: vars && strings.Contains(raw, "${")}
	if !p.vars {
		p.g = compileGlob(raw, fold)
	} else {
		p.g.fold = fold
	}
	return p
}

// match reports whether s matches the pattern with wildcards.
func (p *pattern) match(s string, r *Request) bool {
	if !p.vars {
		return p.g.match(s)
	}
	g := glob{fold: p.g.fold}
	raw := p.raw
	for len(raw) > 0 {
		switch c := raw[0]; {
		case c == '*' || c == '?':
			g.appendWild(c)
			raw = raw[1:]
		case strings.HasPrefix(raw, "${"):
			end := strings.IndexByte(raw, '}')
			if end < 0 {
				g.appendLiteral(raw)
				raw = ""
				continue
			}
			v, ok := resolveVar(raw[2:end], r)
			if !ok {
				return false
			}
			g.appendLiteral(v)
			raw = raw[end+1:]
		default:
			n := strings.IndexAny(raw, "*?$")
			if n < 0 {
				n = len(raw)
			} else if n == 0 { // a lone '$' not starting a variable
				n = 1
			}
			g.appendLiteral(raw[:n])
			raw = raw[n:]
		}
	}
	return g.match(s)
}

// literal returns the pattern's text with variables expanded, for
// operators that compare exactly; false when a variable cannot be resolved.
func (p *pattern) literal(r *Request) (string, bool) {
	if !p.vars {
		return p.raw, true
	}
	var b strings.Builder
	raw := p.raw
	for {
		i := strings.Index(raw, "${")
		if i < 0 {
			b.WriteString(raw)
			return b.String(), true
		}
		end := strings.IndexByte(raw[i:], '}')
		if end < 0 {
			b.WriteString(raw)
			return b.String(), true
		}
		v, ok := resolveVar(raw[i+2:i+end], r)
		if !ok {
			return "", false
		}
		b.WriteString(raw[:i])
		b.WriteString(v)
		raw = raw[i+end+1:]
	}
}

// resolveVar resolves the inside of ${…}: the escapes ${*}, ${?} and ${$},
// or a condition key with an optional default, ${aws:username, 'none'}. A
// key that is absent or has several values leaves the variable unresolved,
// and IAM then treats the value as not matching.
func resolveVar(inner string, r *Request) (string, bool) {
	inner = strings.TrimSpace(inner)
	switch inner {
	case "*", "?", "$":
		return inner, true
	}
	key, def, hasDef := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	if vs, ok := r.lookup(key); ok && len(vs) == 1 {
		return vs[0], true
	}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
			return def[1 : len(def)-1], true
		}
	}
	return "", false
}
