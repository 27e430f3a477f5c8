package logs

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// JSON filter patterns, the subset cloudlet supports:
//
//	{ SELECTOR OP VALUE }         OP is = != < <= > >=
//	{ SELECTOR IS TRUE|FALSE|NULL }
//	{ SELECTOR NOT EXISTS }
//	{ A && B }, { A || B }, parentheses
//
// SELECTOR is $ followed by .name and [index] steps. VALUE is a number, a
// "quoted string" or a bare word; strings compare with = and != only and
// may hold * wildcards; %regex% compares by regular expression. A
// comparison on a missing field, or on a field of another type, does not
// match; only NOT EXISTS matches a missing field.

type jsonExpr interface {
	eval(doc any) bool
}

type jsonAnd struct{ l, r jsonExpr }
type jsonOr struct{ l, r jsonExpr }

func (e jsonAnd) eval(doc any) bool { return e.l.eval(doc) && e.r.eval(doc) }
func (e jsonOr) eval(doc any) bool  { return e.l.eval(doc) || e.r.eval(doc) }

// step is one selector step: a field name, or an index when name is "".
type step struct {
	name  string
	index int
}

type jsonCmp struct {
	path []step
	op   string // = != < <= > >= true false null notexists
	num  *float64
	str  string
	re   *regexp.Regexp
}

func lookup(doc any, path []step) (any, bool) {
	cur := doc
	for _, s := range path {
		if s.name != "" {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[s.name]; !ok {
				return nil, false
			}
			continue
		}
		a, ok := cur.([]any)
		if !ok || s.index < 0 || s.index >= len(a) {
			return nil, false
		}
		cur = a[s.index]
	}
	return cur, true
}

func (c jsonCmp) eval(doc any) bool {
	v, ok := lookup(doc, c.path)
	switch c.op {
	case "notexists":
		return !ok
	case "true", "false":
		b, isBool := v.(bool)
		return ok && isBool && b == (c.op == "true")
	case "null":
		return ok && v == nil
	}
	if !ok {
		return false
	}
	if c.num != nil {
		n, isNum := v.(json.Number)
		if !isNum {
			return false
		}
		f, err := n.Float64()
		if err != nil {
			return false
		}
		switch c.op {
		case "=":
			return f == *c.num
		case "!=":
			return f != *c.num
		case "<":
			return f < *c.num
		case "<=":
			return f <= *c.num
		case ">":
			return f > *c.num
		case ">=":
			return f >= *c.num
		}
		return false
	}
	s, isStr := v.(string)
	if !isStr {
		return false
	}
	var eq bool
	if c.re != nil {
		eq = c.re.MatchString(s)
	} else {
		eq = wildcardMatch(c.str, s)
	}
	return eq == (c.op == "=")
}

// wildcardMatch matches s against pat, where * matches any run of
// characters.
func wildcardMatch(pat, s string) bool {
	parts := strings.Split(pat, "*")
	if len(parts) == 1 {
		return pat == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}

func matchJSON(e jsonExpr, msg string) bool {
	m := strings.TrimSpace(msg)
	if !strings.HasPrefix(m, "{") {
		return false
	}
	dec := json.NewDecoder(strings.NewReader(m))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return false
	}
	return e.eval(doc)
}

// jsonParser is a recursive-descent parser over the pattern text.
type jsonParser struct {
	s string
	i int
}

func parseJSONPattern(src string) (jsonExpr, error) {
	s := strings.TrimSpace(src)
	if !strings.HasSuffix(s, "}") {
		return nil, errors.New("JSON pattern must end with }")
	}
	p := &jsonParser{s: s[1 : len(s)-1]}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q", p.s[p.i:])
	}
	return e, nil
}

func (p *jsonParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jsonParser) accept(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

// acceptWord accepts a case-insensitive keyword followed by a non-word
// character.
func (p *jsonParser) acceptWord(w string) bool {
	p.space()
	rest := p.s[p.i:]
	if len(rest) < len(w) || !strings.EqualFold(rest[:len(w)], w) {
		return false
	}
	if len(rest) > len(w) && isWordByte(rest[len(w)]) {
		return false
	}
	p.i += len(w)
	return true
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *jsonParser) or() (jsonExpr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.accept("||") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = jsonOr{l, r}
	}
	return l, nil
}

func (p *jsonParser) and() (jsonExpr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.accept("&&") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = jsonAnd{l, r}
	}
	return l, nil
}

func (p *jsonParser) unary() (jsonExpr, error) {
	if p.accept("(") {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, errors.New("missing )")
		}
		return e, nil
	}
	return p.comparison()
}

func (p *jsonParser) comparison() (jsonExpr, error) {
	path, err := p.selector()
	if err != nil {
		return nil, err
	}
	c := jsonCmp{path: path}
	switch {
	case p.acceptWord("IS"):
		switch {
		case p.acceptWord("TRUE"):
			c.op = "true"
		case p.acceptWord("FALSE"):
			c.op = "false"
		case p.acceptWord("NULL"):
			c.op = "null"
		default:
			return nil, errors.New("IS must be followed by TRUE, FALSE or NULL")
		}
		return c, nil
	case p.acceptWord("NOT"):
		if !p.acceptWord("EXISTS") {
			return nil, errors.New("NOT must be followed by EXISTS")
		}
		c.op = "notexists"
		return c, nil
	}
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if p.accept(op) {
			c.op = op
			break
		}
	}
	if c.op == "" {
		return nil, errors.New("expected a comparison operator")
	}
	if err := p.value(&c); err != nil {
		return nil, err
	}
	if c.num == nil && c.op != "=" && c.op != "!=" {
		return nil, fmt.Errorf("operator %s needs a number", c.op)
	}
	return c, nil
}

func (p *jsonParser) selector() ([]step, error) {
	if !p.accept("$") {
		return nil, errors.New("expected a selector starting with $")
	}
	var path []step
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '.':
			p.i++
			start := p.i
			for p.i < len(p.s) && (isWordByte(p.s[p.i]) || p.s[p.i] == '@' || p.s[p.i] == '$') {
				p.i++
			}
			if start == p.i {
				return nil, errors.New("empty field name in selector")
			}
			path = append(path, step{name: p.s[start:p.i]})
		case '[':
			end := strings.IndexByte(p.s[p.i:], ']')
			if end < 0 {
				return nil, errors.New("missing ] in selector")
			}
			n, err := strconv.Atoi(p.s[p.i+1 : p.i+end])
			if err != nil {
				return nil, fmt.Errorf("bad array index %q", p.s[p.i+1:p.i+end])
			}
			path = append(path, step{index: n})
			p.i += end + 1
		default:
			return path, nil
		}
	}
	return path, nil
}

func (p *jsonParser) value(c *jsonCmp) error {
	p.space()
	rest := p.s[p.i:]
	switch {
	case rest == "":
		return errors.New("missing value")
	case rest[0] == '"':
		end := closingQuote(rest)
		if end < 0 {
			return errors.New("unterminated string")
		}
		c.str = unescapeQuoted(rest[1:end])
		p.i += end + 1
		return nil
	case rest[0] == '%':
		end := strings.IndexByte(rest[1:], '%')
		if end < 0 {
			return errors.New("unterminated regular expression")
		}
		re, err := regexp.Compile(rest[1 : end+1])
		if err != nil {
			return fmt.Errorf("bad regular expression: %v", err)
		}
		c.re = re
		p.i += end + 2
		return nil
	}
	end := 0
	for end < len(rest) && strings.IndexByte(" \t\r\n)&|", rest[end]) < 0 {
		end++
	}
	word := rest[:end]
	p.i += end
	if f, err := strconv.ParseFloat(word, 64); err == nil {
		c.num = &f
		return nil
	}
	c.str = word
	return nil
}
