package template

import (
	"fmt"
	"strings"
)

// Pos is a place in a template's source: the file name given to Parse and a
// 1-based line and column. The zero Pos means "unknown".
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0 && p.File == "":
		return "-"
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Kind is the shape of a Node.
type Kind uint8

// The kinds of nodes. Scalars keep their source text in Node.Value whatever
// their kind; the kind only says how an unquoted scalar would be typed.
const (
	KindNull   Kind = iota // `~`, `null`, an empty value
	KindString             // any quoted scalar, and plain text that is not a number, boolean or null
	KindNumber             // an unquoted number: 1, 1.10, 0123, 0x1F, .inf
	KindBool               // an unquoted true/false (YAML 1.2 core schema; see doc.go)
	KindMap
	KindSeq
)

var kindNames = [...]string{"null", "string", "number", "boolean", "map", "list"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Node is the template tree with source positions and each scalar's original
// text: an unquoted `2010-09-09` stays the string "2010-09-09", `1.10` stays
// "1.10", `0123` stays "0123". YAML short forms are already in long form
// (`!Sub x` is the map {"Fn::Sub": "x"}) and YAML aliases are expanded
// (copies carry the anchor's positions).
//
// Nodes are not modified after Parse returns, so one tree may be evaluated
// from several goroutines at once.
type Node struct {
	Kind Kind
	// Value is a scalar's text: the raw text of a plain scalar, the content
	// of a quoted or block scalar. Empty for maps and lists.
	Value string
	// Pairs are a map's entries in source order. Keys are unique.
	Pairs []Pair
	// Items are a list's elements.
	Items []*Node
	// Pos is where the node starts: a map's first key, a list's first
	// item marker, a short-form tag.
	Pos Pos

	// own says which part of which template the node belongs to, so that
	// evaluation errors can name the logical ID and Fn::FindInMap can find
	// the template's Mappings. Set by Parse; nil on hand-built nodes.
	own *owner
}

// Pair is one entry of a map node.
type Pair struct {
	Key    string
	KeyPos Pos
	Value  *Node
}

// owner is shared by every node of one top-level entry (a resource, an
// output, a condition...).
type owner struct {
	t         *Template
	section   string // "Resources", "Outputs", "Conditions", "Rules", "Parameters", "Mappings", "Metadata", ...
	logicalID string
}

// IsScalar reports whether n is a string, number, boolean or null.
func (n *Node) IsScalar() bool {
	return n != nil && n.Kind != KindMap && n.Kind != KindSeq
}

// Get returns the value of key in a map node, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != KindMap {
		return nil
	}
	for i := range n.Pairs {
		if n.Pairs[i].Key == key {
			return n.Pairs[i].Value
		}
	}
	return nil
}

// pair returns the entry for key in a map node, or nil.
func (n *Node) pair(key string) *Pair {
	if n == nil || n.Kind != KindMap {
		return nil
	}
	for i := range n.Pairs {
		if n.Pairs[i].Key == key {
			return &n.Pairs[i]
		}
	}
	return nil
}

// Text is the scalar's value as CloudFormation uses it in a string context:
// the source text, with booleans spelled "true"/"false" and null as "".
// ok is false for maps and lists.
func (n *Node) Text() (s string, ok bool) {
	if n == nil {
		return "", false
	}
	switch n.Kind {
	case KindString, KindNumber:
		return n.Value, true
	case KindBool:
		return strings.ToLower(n.Value), true
	case KindNull:
		return "", true
	}
	return "", false
}

// Intrinsic reports whether n is an intrinsic function call — a map with
// exactly one key that is "Ref" or starts with "Fn::" — and returns the
// function name and its argument. "Condition" is a function only inside
// condition expressions; see condCall.
func (n *Node) Intrinsic() (name string, arg *Node, ok bool) {
	if n == nil || n.Kind != KindMap || len(n.Pairs) != 1 {
		return "", nil, false
	}
	k := n.Pairs[0].Key
	if k == "Ref" || strings.HasPrefix(k, "Fn::") {
		return k, n.Pairs[0].Value, true
	}
	return "", nil, false
}

// condCall is Intrinsic plus the "Condition" function of condition
// expressions (Conditions, Fn::And/Or/Not arguments, Rules).
func (n *Node) condCall() (name string, arg *Node, ok bool) {
	if name, arg, ok = n.Intrinsic(); ok {
		return name, arg, ok
	}
	if n != nil && n.Kind == KindMap && len(n.Pairs) == 1 && n.Pairs[0].Key == "Condition" {
		return "Condition", n.Pairs[0].Value, true
	}
	return "", nil, false
}

// setOwner marks n and everything below it as belonging to o.
func (n *Node) setOwner(o *owner) {
	if n == nil {
		return
	}
	n.own = o
	for i := range n.Pairs {
		n.Pairs[i].Value.setOwner(o)
	}
	for _, it := range n.Items {
		it.setOwner(o)
	}
}

// String renders n as compact JSON-like text for messages and debugging.
func (n *Node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *Node) write(b *strings.Builder) {
	if n == nil {
		b.WriteString("null")
		return
	}
	switch n.Kind {
	case KindMap:
		b.WriteByte('{')
		for i, p := range n.Pairs {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, "%q:", p.Key)
			p.Value.write(b)
		}
		b.WriteByte('}')
	case KindSeq:
		b.WriteByte('[')
		for i, it := range n.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			it.write(b)
		}
		b.WriteByte(']')
	case KindString:
		fmt.Fprintf(b, "%q", n.Value)
	case KindNull:
		b.WriteString("null")
	default:
		b.WriteString(n.Value)
	}
}
