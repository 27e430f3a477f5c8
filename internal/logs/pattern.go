package logs

import (
	"regexp"
	"strings"
)

// Filter patterns, as far as cloudlet understands them:
//
//   - empty: every event matches;
//   - terms: `ERROR timeout` matches events containing every term
//     (case-sensitive substrings); `"two words"` is one term;
//     `?ERROR ?WARN` matches events containing any ?-term; `-DEBUG`
//     excludes events containing DEBUG; `%regex%` is a regular
//     expression term (RE2 syntax, a superset of what AWS accepts);
//   - JSON: `{ $.level = "ERROR" && $.latency > 100 }` on events whose
//     message is a JSON object; see jsonpattern.go.
//
// Space-delimited patterns (`[ip, user, ...]`) are not supported and are
// refused rather than matched wrongly.

// pattern is a compiled filter pattern.
type pattern struct {
	all                          bool
	required, optional, excluded []term
	json                         jsonExpr
}

type term struct {
	text string
	re   *regexp.Regexp
}

func (t term) in(msg string) bool {
	if t.re != nil {
		return t.re.MatchString(msg)
	}
	return strings.Contains(msg, t.text)
}

func (p *pattern) match(msg string) bool {
	switch {
	case p.all:
		return true
	case p.json != nil:
		return matchJSON(p.json, msg)
	}
	for _, t := range p.required {
		if !t.in(msg) {
			return false
		}
	}
	for _, t := range p.excluded {
		if t.in(msg) {
			return false
		}
	}
	if len(p.optional) == 0 {
		return true
	}
	for _, t := range p.optional {
		if t.in(msg) {
			return true
		}
	}
	return false
}

func errPattern(pat, why string) error {
	return invalidParameter("Invalid filter pattern %q: %s", pat, why)
}

// compilePattern parses a filter pattern.
func compilePattern(src string) (*pattern, error) {
	s := strings.TrimSpace(src)
	switch {
	case s == "" || s == `""`:
		return &pattern{all: true}, nil
	case strings.HasPrefix(s, "{"):
		e, err := parseJSONPattern(s)
		if err != nil {
			return nil, errPattern(src, err.Error())
		}
		return &pattern{json: e}, nil
	case strings.HasPrefix(s, "["):
		return nil, errPattern(src, "space-delimited filter patterns are not supported by cloudlet")
	}
	p := &pattern{}
	for s != "" {
		list := &p.required
		switch s[0] {
		case '?':
			list, s = &p.optional, s[1:]
		case '-':
			list, s = &p.excluded, s[1:]
		}
		var text string
		var quoted bool
		if strings.HasPrefix(s, `"`) {
			end := closingQuote(s)
			if end < 0 {
				return nil, errPattern(src, "unterminated quoted term")
			}
			text, quoted = unescapeQuoted(s[1:end]), true
			s = s[end+1:]
		} else {
			end := strings.IndexAny(s, " \t\r\n")
			if end < 0 {
				end = len(s)
			}
			text, s = s[:end], s[end:]
		}
		if text == "" {
			return nil, errPattern(src, "empty term")
		}
		t := term{text: text}
		if !quoted && len(text) >= 2 && text[0] == '%' && text[len(text)-1] == '%' {
			re, err := regexp.Compile(text[1 : len(text)-1])
			if err != nil {
				return nil, errPattern(src, "bad regular expression: "+err.Error())
			}
			t.re = re
		}
		*list = append(*list, t)
		s = strings.TrimLeft(s, " \t\r\n")
	}
	return p, nil
}

// closingQuote returns the index of the quote closing the one at s[0], or
// -1. A backslash escapes the next character.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func unescapeQuoted(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
