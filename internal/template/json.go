package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"
)

// parseJSON builds the node tree of a JSON template. encoding/json checks
// the syntax (it is strict ECMA-404, as CloudFormation's parser is); a small
// scanner over the then-known-valid text records positions, keeps numbers'
// raw text and refuses duplicate keys.
func parseJSON(name string, src []byte) (*Node, error) {
	lines := lineStarts(src)
	var raw json.RawMessage
	if err := json.Unmarshal(src, &raw); err != nil {
		var se *json.SyntaxError
		off := len(src)
		if errors.As(err, &se) {
			off = int(se.Offset)
		}
		// Offset counts the bytes read, the offending one included.
		p := posAt(name, src, lines, max(off-1, 0))
		return nil, &Error{Pos: p, Message: fmt.Sprintf(msgJSON, p.Line, p.Col), Detail: err.Error()}
	}
	c := &jsonConv{src: src, file: name, lines: lines}
	return c.value()
}

type jsonConv struct {
	src   []byte
	i     int
	file  string
	lines []int
}

// lineStarts returns the offset of the first byte of every line.
func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// posAt converts a byte offset to a 1-based line and a 1-based column
// counted in characters.
func posAt(file string, src []byte, lines []int, off int) Pos {
	off = min(off, len(src))
	l := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
	return Pos{File: file, Line: l + 1, Col: utf8.RuneCount(src[lines[l]:off]) + 1}
}

func (c *jsonConv) pos() Pos { return posAt(c.file, c.src, c.lines, c.i) }

func (c *jsonConv) skipWS() {
	for c.i < len(c.src) {
		switch c.src[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *jsonConv) value() (*Node, error) {
	c.skipWS()
	p := c.pos()
	switch c.src[c.i] {
	case '{':
		c.i++
		n := &Node{Kind: KindMap, Pos: p, Pairs: []Pair{}}
		seen := map[string]bool{}
		for {
			c.skipWS()
			if c.src[c.i] == '}' {
				c.i++
				return n, nil
			}
			if c.src[c.i] == ',' {
				c.i++
				c.skipWS()
			}
			kp := c.pos()
			k := c.str()
			if seen[k] {
				return nil, &Error{Pos: kp, Message: fmt.Sprintf(msgJSON, kp.Line, kp.Col), Detail: fmt.Sprintf("duplicate key %q", k)}
			}
			seen[k] = true
			c.skipWS()
			c.i++ // ':'
			v, err := c.value()
			if err != nil {
				return nil, err
			}
			n.Pairs = append(n.Pairs, Pair{Key: k, KeyPos: kp, Value: v})
		}
	case '[':
		c.i++
		n := &Node{Kind: KindSeq, Pos: p, Items: []*Node{}}
		for {
			c.skipWS()
			if c.src[c.i] == ']' {
				c.i++
				return n, nil
			}
			if c.src[c.i] == ',' {
				c.i++
			}
			v, err := c.value()
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
		}
	case '"':
		return &Node{Kind: KindString, Value: c.str(), Pos: p}, nil
	case 't':
		c.i += len("true")
		return &Node{Kind: KindBool, Value: "true", Pos: p}, nil
	case 'f':
		c.i += len("false")
		return &Node{Kind: KindBool, Value: "false", Pos: p}, nil
	case 'n':
		c.i += len("null")
		return &Node{Kind: KindNull, Pos: p}, nil
	}
	start := c.i
	for c.i < len(c.src) {
		switch c.src[c.i] {
		case '-', '+', '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			c.i++
			continue
		}
		break
	}
	return &Node{Kind: KindNumber, Value: string(c.src[start:c.i]), Pos: p}, nil
}

// str reads the (valid) string literal at c.i.
func (c *jsonConv) str() string {
	start := c.i
	escaped := false
	c.i++
	for c.src[c.i] != '"' {
		if c.src[c.i] == '\\' {
			escaped = true
			c.i++
		}
		c.i++
	}
	c.i++
	if !escaped {
		return string(c.src[start+1 : c.i-1])
	}
	var s string
	_ = json.Unmarshal(c.src[start:c.i], &s) // valid: checked by parseJSON
	return s
}
