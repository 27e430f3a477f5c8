package route

import (
	"net/url"
	"strings"
)

// Options change matching where API Gateway's behaviour is not settled.
type Options struct {
	// TrailingSlash lets "/pets/" fully match "GET /pets". The zero value
	// answers 404 for it (shared/specs/http-api.md §13.1).
	TrailingSlash bool
}

// Table is a compiled, immutable set of routes. It is safe for concurrent
// use.
type Table struct {
	root   *node
	routes []compiled
	def    int // index of $default in the keys given to Compile, or -1
	opts   Options
}

type compiled struct {
	params []paramPos // {name} positions, in path order
	greedy paramPos   // {name+} position; pos -1 when none
}

type paramPos struct {
	pos  int
	name string
}

// node is one path position in the segment tree. end and greedy hold, per
// method index, 1 + the index of the route that ends here (or ends here
// with a greedy variable); 0 means none.
type node struct {
	lit    map[string]*node
	param  *node
	end    [numMethods]int32
	greedy [numMethods]int32
}

// Compile builds a table from parsed keys. Match reports indexes into
// keys. A key equal to an earlier one (or differing only in parameter
// names) is shadowed by it.
func Compile(keys []Key, opts Options) *Table {
	t := &Table{root: &node{}, routes: make([]compiled, len(keys)), def: -1, opts: opts}
	for i, k := range keys {
		t.routes[i].greedy.pos = -1
		if k.IsDefault() {
			if t.def < 0 {
				t.def = i
			}
			continue
		}
		segs, err := parsePath(k.Path)
		if err != nil {
			continue // keys come from ParseKey; a bad one simply never matches
		}
		n := t.root
		for pos, s := range segs {
			switch {
			case s.greedy:
				t.routes[i].greedy = paramPos{pos: pos, name: s.text}
			case s.param:
				t.routes[i].params = append(t.routes[i].params, paramPos{pos: pos, name: s.text})
				if n.param == nil {
					n.param = &node{}
				}
				n = n.param
			default:
				if n.lit == nil {
					n.lit = map[string]*node{}
				}
				c := n.lit[s.text]
				if c == nil {
					c = &node{}
					n.lit[s.text] = c
				}
				n = c
			}
		}
		slots := &n.end
		if t.routes[i].greedy.pos >= 0 {
			slots = &n.greedy
		}
		if m := methodIndex(k.Method); slots[m] == 0 {
			slots[m] = int32(i + 1)
		}
	}
	return t
}

// Path is a request path split for matching: percent-decoded segments,
// with empty segments (runs of slashes) dropped.
type Path struct {
	Segments []string
	// Trailing reports a '/' after the last segment.
	Trailing bool
}

// Split splits an escaped request path ("/a/b%2Fc//d") into decoded
// segments (["a", "b/c", "d"]). Splitting happens before decoding so that
// %2F stays inside its segment (§1.4). A segment whose escapes are
// malformed is kept as received.
func Split(escaped string) Path {
	n := 0
	for i := 0; i < len(escaped); i++ {
		if escaped[i] == '/' {
			n++
		}
	}
	p := Path{Segments: make([]string, 0, n+1)}
	rest := escaped
	for rest != "" {
		seg := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if seg == "" {
			continue
		}
		if strings.IndexByte(seg, '%') >= 0 {
			if d, err := url.PathUnescape(seg); err == nil {
				seg = d
			}
		}
		p.Segments = append(p.Segments, seg)
	}
	p.Trailing = len(p.Segments) > 0 && strings.HasSuffix(escaped, "/")
	return p
}

// Param is one path parameter of a match.
type Param struct {
	Name, Value string
}

// Match is the outcome of a successful lookup.
type Match struct {
	// Index is the position of the matched key in the keys given to
	// Compile.
	Index int
	// Params are the path parameters in path order; nil when none.
	Params []Param
}

// Match finds the route for a request method and split path; ok is false
// when nothing, not even $default, matches.
func (t *Table) Match(method string, p Path) (m Match, ok bool) {
	mi := methodIndex(method)
	if mi == 0 {
		mi = -1 // "ANY" is not a request method; only ANY routes take it
	}
	full := !p.Trailing || t.opts.TrailingSlash
	if full {
		if r := t.full(t.root, p.Segments, mi); r != 0 {
			return t.result(int(r-1), p), true
		}
	}
	if r := t.greedyMatch(t.root, p.Segments, mi); r != 0 {
		return t.result(int(r-1), p), true
	}
	if t.def >= 0 {
		return Match{Index: t.def}, true
	}
	return Match{}, false
}

// pick returns the slot for the request's method, else the ANY slot.
func pick(slots *[numMethods]int32, mi int) int32 {
	if mi > 0 && slots[mi] != 0 {
		return slots[mi]
	}
	return slots[0]
}

// full walks literal children before the {param} child, so a literal
// segment beats a variable one, and backtracks when a branch has no route
// for the method.
func (t *Table) full(n *node, segs []string, mi int) int32 {
	if len(segs) == 0 {
		return pick(&n.end, mi)
	}
	if c := n.lit[segs[0]]; c != nil {
		if r := t.full(c, segs[1:], mi); r != 0 {
			return r
		}
	}
	if n.param != nil {
		return t.full(n.param, segs[1:], mi)
	}
	return 0
}

// greedyMatch prefers the deepest prefix: it tries children first and
// only then a greedy route attached here, which needs at least one
// segment left (a greedy route does not match its own parent, §1.4).
func (t *Table) greedyMatch(n *node, segs []string, mi int) int32 {
	if len(segs) == 0 {
		return 0
	}
	if c := n.lit[segs[0]]; c != nil {
		if r := t.greedyMatch(c, segs[1:], mi); r != 0 {
			return r
		}
	}
	if n.param != nil {
		if r := t.greedyMatch(n.param, segs[1:], mi); r != 0 {
			return r
		}
	}
	return pick(&n.greedy, mi)
}

func (t *Table) result(i int, p Path) Match {
	c := &t.routes[i]
	m := Match{Index: i}
	if len(c.params) == 0 && c.greedy.pos < 0 {
		return m
	}
	m.Params = make([]Param, 0, len(c.params)+1)
	for _, pp := range c.params {
		m.Params = append(m.Params, Param{Name: pp.name, Value: p.Segments[pp.pos]})
	}
	if g := c.greedy; g.pos >= 0 {
		v := strings.Join(p.Segments[g.pos:], "/")
		if p.Trailing {
			v += "/"
		}
		m.Params = append(m.Params, Param{Name: g.name, Value: v})
	}
	return m
}
