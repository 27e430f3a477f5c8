package template

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Limits on the tree built from a template. AWS rejects aliases outright;
// cloudlet expands them (the issue asks for them), so the copies must be
// bounded or a few lines of nested aliases ("billion laughs") would eat the
// machine.
const (
	maxNodes = 500_000
	maxDepth = 2_000
)

// yamlConv turns goccy/go-yaml's syntax tree into Nodes: short-form tags to
// long form (spec §1.3), aliases and `<<` merge keys resolved, positions and
// raw scalar text kept.
type yamlConv struct {
	file    string
	anchors map[string]*Node
	nodes   int
}

// goccyError is what goccy/go-yaml's errors provide besides Error().
type goccyError interface {
	GetToken() *token.Token
}

func parseYAML(name string, src []byte) (*Node, error) {
	f, err := parser.Parse(repairFlowTags(lexer.Tokenize(string(src))), 0)
	if err != nil {
		line, col := 0, 0
		if ge, ok := err.(goccyError); ok && ge.GetToken() != nil {
			tk := ge.GetToken()
			// For an over-indented "key: value" goccy blames the plain
			// scalar that the key was folded into, which starts on an
			// earlier line; the mistake is at the colon that follows it.
			if tk.Type == token.StringType && tk.Next != nil && tk.Next.Type == token.MappingValueType &&
				strings.HasPrefix(err.Error(), fmt.Sprintf("[%d:%d] mapping value", tk.Position.Line, tk.Position.Column)) {
				tk = tk.Next
			}
			line, col = tk.Position.Line, tk.Position.Column
		}
		return nil, &Error{
			Pos:     Pos{File: name, Line: line, Col: col},
			Message: fmt.Sprintf(msgYAML, line, col),
			Detail:  err.Error(),
		}
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return &Node{Kind: KindNull, Pos: Pos{File: name, Line: 1, Col: 1}}, nil
	}
	c := &yamlConv{file: name, anchors: map[string]*Node{}}
	if len(docs) > 1 {
		p := c.pos(docs[1].Body.GetToken())
		return nil, &Error{Pos: p, Message: fmt.Sprintf(msgYAML, p.Line, p.Col),
			Detail: "a template is one YAML document; this is the start of a second one"}
	}
	return c.conv(docs[0].Body, 0)
}

// repairFlowTags works around a goccy/go-yaml lexer bug: inside a flow
// mapping, a tagged plain scalar containing a colon (`{Value: !Ref
// AWS::Region}`) is split at the colon into a key and a value. YAML (and
// CloudFormation's parser) keep a colon that is not followed by a space in
// the scalar, so the pieces are joined back: a plain scalar right after a
// tag, a ":" touching it, and a plain scalar touching the ":".
func repairFlowTags(tks token.Tokens) token.Tokens {
	out := make(token.Tokens, 0, len(tks))
	flowMaps := 0
	for i := 0; i < len(tks); i++ {
		tk := tks[i]
		switch tk.Type {
		case token.MappingStartType:
			flowMaps++
		case token.MappingEndType:
			flowMaps--
		}
		if flowMaps > 0 && tk.Type == token.StringType && i > 0 && tks[i-1].Type == token.TagType {
			for i+2 < len(tks) && touches(tk, tks[i+1]) && tks[i+1].Type == token.MappingValueType &&
				tks[i+2].Type == token.StringType && touches(tks[i+1], tks[i+2]) {
				n := tks[i+2]
				merged := *tk
				merged.Value = tk.Value + ":" + n.Value
				merged.Origin = tk.Origin + ":" + n.Origin
				merged.Next = n.Next
				if n.Next != nil {
					n.Next.Prev = &merged
				}
				if merged.Prev != nil {
					merged.Prev.Next = &merged
				}
				tk = &merged
				i += 2
			}
		}
		out = append(out, tk)
	}
	return out
}

// touches reports whether b starts right where a ends, with no space.
func touches(a, b *token.Token) bool {
	if a.Position == nil || b.Position == nil || b.Origin == "" || b.Origin[0] == ' ' || b.Origin[0] == '\t' {
		return false
	}
	return b.Position.Offset == a.Position.Offset+utf8.RuneCountInString(a.Origin)
}

func (c *yamlConv) pos(tk *token.Token) Pos {
	if tk == nil || tk.Position == nil {
		return Pos{File: c.file}
	}
	return Pos{File: c.file, Line: tk.Position.Line, Col: tk.Position.Column}
}

func (c *yamlConv) fail(tk *token.Token, detail string) error {
	p := c.pos(tk)
	return &Error{Pos: p, Message: fmt.Sprintf(msgYAML, p.Line, p.Col), Detail: detail}
}

func (c *yamlConv) newNode(n *Node, tk *token.Token) (*Node, error) {
	c.nodes++
	if c.nodes > maxNodes {
		return nil, c.fail(tk, fmt.Sprintf("the template expands to more than %d nodes (YAML aliases are copied where used)", maxNodes))
	}
	return n, nil
}

func (c *yamlConv) conv(an ast.Node, depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, c.fail(an.GetToken(), fmt.Sprintf("nesting deeper than %d levels", maxDepth))
	}
	switch v := an.(type) {
	case nil:
		return c.newNode(&Node{Kind: KindNull}, nil)
	case *ast.DocumentNode:
		if v.Body == nil {
			return c.newNode(&Node{Kind: KindNull, Pos: c.pos(v.GetToken())}, v.GetToken())
		}
		return c.conv(v.Body, depth)
	case *ast.NullNode:
		return c.newNode(&Node{Kind: KindNull, Pos: c.pos(v.GetToken())}, v.GetToken())
	case *ast.StringNode:
		return c.newNode(&Node{Kind: KindString, Value: v.Value, Pos: c.pos(v.GetToken())}, v.GetToken())
	case *ast.LiteralNode:
		s := ""
		if v.Value != nil {
			s = v.Value.Value
		}
		return c.newNode(&Node{Kind: KindString, Value: s, Pos: c.pos(v.GetToken())}, v.GetToken())
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		tk := an.GetToken()
		return c.newNode(&Node{Kind: KindNumber, Value: tk.Value, Pos: c.pos(tk)}, tk)
	case *ast.BoolNode:
		tk := v.GetToken()
		return c.newNode(&Node{Kind: KindBool, Value: tk.Value, Pos: c.pos(tk)}, tk)
	case *ast.MappingNode:
		return c.mapping(v.Values, v.GetToken(), v.IsFlowStyle, depth)
	case *ast.MappingValueNode:
		return c.mapping([]*ast.MappingValueNode{v}, v.GetToken(), false, depth)
	case *ast.SequenceNode:
		n, err := c.newNode(&Node{Kind: KindSeq, Pos: c.pos(v.GetToken()), Items: make([]*Node, 0, len(v.Values))}, v.GetToken())
		if err != nil {
			return nil, err
		}
		for _, it := range v.Values {
			cn, err := c.conv(it, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, cn)
		}
		return n, nil
	case *ast.TagNode:
		return c.tag(v, depth)
	case *ast.AnchorNode:
		n, err := c.conv(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.Name != nil {
			c.anchors[v.Name.GetToken().Value] = n
		}
		return n, nil
	case *ast.AliasNode:
		name := ""
		if v.Value != nil {
			name = v.Value.GetToken().Value
		}
		target, ok := c.anchors[name]
		if !ok {
			return nil, c.fail(v.GetToken(), fmt.Sprintf("alias *%s names no anchor defined before it", name))
		}
		return c.copy(target, v.GetToken())
	}
	return nil, c.fail(an.GetToken(), fmt.Sprintf("unsupported YAML construct %s", an.Type()))
}

// copy deep-copies an anchored subtree for an alias, so that every node
// has one parent and one owner.
func (c *yamlConv) copy(n *Node, at *token.Token) (*Node, error) {
	cp, err := c.newNode(&Node{Kind: n.Kind, Value: n.Value, Pos: n.Pos}, at)
	if err != nil {
		return nil, err
	}
	if n.Pairs != nil {
		cp.Pairs = make([]Pair, len(n.Pairs))
		for i, p := range n.Pairs {
			v, err := c.copy(p.Value, at)
			if err != nil {
				return nil, err
			}
			cp.Pairs[i] = Pair{Key: p.Key, KeyPos: p.KeyPos, Value: v}
		}
	}
	if n.Items != nil {
		cp.Items = make([]*Node, len(n.Items))
		for i, it := range n.Items {
			v, err := c.copy(it, at)
			if err != nil {
				return nil, err
			}
			cp.Items[i] = v
		}
	}
	return cp, nil
}

func (c *yamlConv) mapping(values []*ast.MappingValueNode, start *token.Token, flow bool, depth int) (*Node, error) {
	n, err := c.newNode(&Node{Kind: KindMap, Pos: c.pos(start), Pairs: make([]Pair, 0, len(values))}, start)
	if err != nil {
		return nil, err
	}
	if !flow && len(values) > 0 && values[0].Key != nil {
		n.Pos = c.pos(values[0].Key.GetToken())
	}
	// Explicit keys win over merged ones wherever they appear (YAML merge
	// key semantics), so collect them first.
	explicit := map[string]bool{}
	for _, mv := range values {
		if _, merge := mv.Key.(*ast.MergeKeyNode); merge {
			continue
		}
		k, err := c.keyText(mv.Key)
		if err != nil {
			return nil, err
		}
		if explicit[k] {
			return nil, c.fail(mv.Key.GetToken(), fmt.Sprintf("mapping key %q already defined", k))
		}
		explicit[k] = true
	}
	seen := map[string]bool{}
	for _, mv := range values {
		if _, merge := mv.Key.(*ast.MergeKeyNode); merge {
			src, err := c.conv(mv.Value, depth+1)
			if err != nil {
				return nil, err
			}
			var maps []*Node
			switch src.Kind {
			case KindMap:
				maps = []*Node{src}
			case KindSeq:
				maps = src.Items
			}
			for _, m := range maps {
				if m.Kind != KindMap {
					return nil, c.fail(mv.Key.GetToken(), "a << merge key takes a map or a list of maps")
				}
				for _, p := range m.Pairs {
					if explicit[p.Key] || seen[p.Key] {
						continue
					}
					seen[p.Key] = true
					n.Pairs = append(n.Pairs, p)
				}
			}
			if len(maps) == 0 {
				return nil, c.fail(mv.Key.GetToken(), "a << merge key takes a map or a list of maps")
			}
			continue
		}
		k, _ := c.keyText(mv.Key)
		v, err := c.conv(mv.Value, depth+1)
		if err != nil {
			return nil, err
		}
		seen[k] = true
		n.Pairs = append(n.Pairs, Pair{Key: k, KeyPos: c.pos(mv.Key.GetToken()), Value: v})
	}
	return n, nil
}

// keyText is a map key's text. Keys are scalars in templates; a tagged
// scalar key keeps its text.
func (c *yamlConv) keyText(k ast.MapKeyNode) (string, error) {
	var an ast.Node = k
	for {
		switch v := an.(type) {
		case *ast.MappingKeyNode:
			an = v.Value
			continue
		case *ast.TagNode:
			an = v.Value
			continue
		case *ast.AnchorNode:
			an = v.Value
			continue
		case *ast.AliasNode:
			name := ""
			if v.Value != nil {
				name = v.Value.GetToken().Value
			}
			if t, ok := c.anchors[name]; ok {
				if s, ok := t.Text(); ok {
					return s, nil
				}
			}
			return "", c.fail(v.GetToken(), "a map key must be a scalar")
		case *ast.StringNode:
			return v.Value, nil
		case *ast.LiteralNode:
			if v.Value != nil {
				return v.Value.Value, nil
			}
			return "", nil
		case *ast.NullNode:
			// A key spelled Null, null or ~ is that text, not a null.
			if tk := v.GetToken(); tk != nil {
				return tk.Value, nil
			}
			return "", nil
		case nil:
			return "", nil
		case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
			return an.GetToken().Value, nil
		}
		return "", c.fail(an.GetToken(), "a map key must be a scalar")
	}
}

// tag applies a YAML tag. `!X` is CloudFormation's short form of `Fn::X`
// (`!Ref` and `!Condition` keep their names); the standard `!!` tags pass
// through, except those CloudFormation forbids (spec §1.2).
func (c *yamlConv) tag(v *ast.TagNode, depth int) (*Node, error) {
	tk := v.GetToken()
	tag := tk.Value
	inner, err := c.conv(v.Value, depth+1)
	if err != nil {
		return nil, err
	}
	if std, ok := strings.CutPrefix(tag, "tag:yaml.org,2002:"); ok {
		tag = "!!" + std
	}
	switch tag {
	case "!!str", "!":
		if !inner.IsScalar() {
			return nil, c.fail(tk, fmt.Sprintf("%s applies to scalars only", tag))
		}
		s, _ := inner.Text()
		inner.Kind, inner.Value = KindString, s
		return inner, nil
	case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq":
		return inner, nil
	}
	if strings.HasPrefix(tag, "!!") || strings.HasPrefix(tag, "!<") {
		return nil, c.fail(tk, fmt.Sprintf("the YAML tag %s is not supported in CloudFormation templates", tag))
	}
	name := strings.TrimPrefix(tag, "!")
	switch name {
	case "Ref", "Condition":
	default:
		name = "Fn::" + name
	}
	if inner.IsScalar() {
		// A tagged scalar is always a string: `!Ref 123` names "123".
		s, _ := inner.Text()
		inner.Kind, inner.Value = KindString, s
		if name == "Fn::GetAtt" {
			// Split on the first dot only: !GetAtt Stack.Outputs.Name →
			// ["Stack", "Outputs.Name"] (spec §1.3, §1.6).
			items := []*Node{{Kind: KindString, Value: s, Pos: inner.Pos}}
			if res, attr, ok := strings.Cut(s, "."); ok {
				items = []*Node{
					{Kind: KindString, Value: res, Pos: inner.Pos},
					{Kind: KindString, Value: attr, Pos: Pos{File: inner.Pos.File, Line: inner.Pos.Line, Col: inner.Pos.Col + len(res) + 1}},
				}
			}
			c.nodes += len(items)
			inner = &Node{Kind: KindSeq, Items: items, Pos: inner.Pos}
		}
	}
	return c.newNode(&Node{Kind: KindMap, Pos: c.pos(tk), Pairs: []Pair{{Key: name, KeyPos: c.pos(tk), Value: inner}}}, tk)
}
