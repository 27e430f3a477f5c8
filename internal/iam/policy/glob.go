package policy

import (
	"strings"
	"unicode/utf8"
)

// pieceKind is one element of a compiled wildcard pattern.
type pieceKind uint8

const (
	pieceLiteral pieceKind = iota
	pieceStar              // *: any run of characters, colons and slashes included
	pieceOne               // ?: exactly one character
)

type piece struct {
	kind pieceKind
	lit  string
}

// glob is a compiled IAM wildcard pattern. Patterns are compiled once when
// a document is parsed so that matching a request allocates nothing.
type glob struct {
	pieces []piece
	fold   bool // compare literals case-insensitively (actions)
}

// compileGlob compiles pattern, treating * and ? as wildcards. With fold the
// pattern matches regardless of ASCII case, as IAM matches action names.
func compileGlob(pattern string, fold bool) glob {
	g := glob{fold: fold}
	start := 0
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '*' && c != '?' {
			continue
		}
		if i > start {
			g.pieces = append(g.pieces, piece{kind: pieceLiteral, lit: pattern[start:i]})
		}
		if c == '*' {
			// Consecutive stars mean the same as one.
			if n := len(g.pieces); n == 0 || g.pieces[n-1].kind != pieceStar {
				g.pieces = append(g.pieces, piece{kind: pieceStar})
			}
		} else {
			g.pieces = append(g.pieces, piece{kind: pieceOne})
		}
		start = i + 1
	}
	if start < len(pattern) || len(g.pieces) == 0 {
		g.pieces = append(g.pieces, piece{kind: pieceLiteral, lit: pattern[start:]})
	}
	return g
}

// appendLiteral adds text that must match exactly: what a policy variable
// expands to is never a wildcard, even when it contains * or ?.
func (g *glob) appendLiteral(s string) {
	if s == "" {
		return
	}
	if n := len(g.pieces); n > 0 && g.pieces[n-1].kind == pieceLiteral {
		g.pieces[n-1].lit += s
		return
	}
	g.pieces = append(g.pieces, piece{kind: pieceLiteral, lit: s})
}

func (g *glob) appendWild(c byte) {
	if c == '*' {
		if n := len(g.pieces); n == 0 || g.pieces[n-1].kind != pieceStar {
			g.pieces = append(g.pieces, piece{kind: pieceStar})
		}
		return
	}
	g.pieces = append(g.pieces, piece{kind: pieceOne})
}

// match reports whether s matches the whole pattern. It is the linear
// "remember the last star" algorithm: on a mismatch the last star swallows
// one more character and matching resumes after it, so the worst case is
// O(len(pattern)·len(s)) and never exponential.
func (g *glob) match(s string) bool {
	ps := g.pieces
	pi, si := 0, 0
	starPi, starSi := -1, 0
	for {
		if pi < len(ps) {
			p := ps[pi]
			switch p.kind {
			case pieceStar:
				starPi, starSi = pi, si
				pi++
				continue
			case pieceOne:
				if si < len(s) {
					_, size := utf8.DecodeRuneInString(s[si:])
					si += size
					pi++
					continue
				}
			case pieceLiteral:
				if g.hasPrefix(s[si:], p.lit) {
					si += len(p.lit)
					pi++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starPi < 0 || starSi >= len(s) {
			return false
		}
		_, size := utf8.DecodeRuneInString(s[starSi:])
		starSi += size
		pi, si = starPi+1, starSi
	}
}

func (g *glob) hasPrefix(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	if g.fold {
		return strings.EqualFold(s[:len(prefix)], prefix)
	}
	return s[:len(prefix)] == prefix
}
