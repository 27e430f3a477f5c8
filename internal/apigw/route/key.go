package route

import (
	"fmt"
	"strings"
)

// DefaultKey is the catch-all route key.
const DefaultKey = "$default"

// Methods a route key may name, in index order; ANY is index 0.
var methods = [...]string{"ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

const numMethods = len(methods)

// methodIndex maps a method to its index, or -1 for a method no route key
// can name (such requests only reach ANY routes).
func methodIndex(m string) int {
	switch m {
	case "ANY":
		return 0
	case "GET":
		return 1
	case "POST":
		return 2
	case "PUT":
		return 3
	case "PATCH":
		return 4
	case "DELETE":
		return 5
	case "HEAD":
		return 6
	case "OPTIONS":
		return 7
	}
	return -1
}

// Key is a parsed route key.
type Key struct {
	// Raw is the key as written: "GET /pets/{id}" or "$default".
	Raw string
	// Method is the method part ("ANY", "GET", …); empty for $default.
	Method string
	// Path is the path part ("/pets/{id}"); empty for $default.
	Path string
}

// IsDefault reports whether k is the $default route key.
func (k Key) IsDefault() bool { return k.Raw == DefaultKey }

// segment is one element of a route path.
type segment struct {
	text   string // literal text, or the variable name
	param  bool
	greedy bool
}

// KeyError reports an invalid route key.
type KeyError struct {
	Key    string
	Reason string // why, as a lowercase phrase
}

func (e *KeyError) Error() string { return fmt.Sprintf("invalid route key %q: %s", e.Key, e.Reason) }

// ParseKey parses and validates a route key; errors are *KeyError.
func ParseKey(s string) (Key, error) {
	if s == "" {
		return Key{}, &KeyError{Key: s, Reason: "route key is required"}
	}
	if s == DefaultKey {
		return Key{Raw: s}, nil
	}
	method, path, ok := strings.Cut(s, " ")
	if !ok || methodIndex(method) < 0 {
		return Key{}, &KeyError{Key: s, Reason: "it must be $default or a method (ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS), one space and a path"}
	}
	if _, err := parsePath(path); err != nil {
		return Key{}, &KeyError{Key: s, Reason: err.Error()}
	}
	return Key{Raw: s, Method: method, Path: path}, nil
}

// parsePath splits a route path into segments, enforcing the rules of
// shared/specs/http-api.md §1.3.
func parsePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("the path must start with '/'")
	}
	if p == "/" {
		return nil, nil
	}
	if strings.HasSuffix(p, "/") {
		return nil, fmt.Errorf("the path must not end with '/'")
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	names := map[string]bool{}
	for i, part := range parts {
		if part == "" {
			return nil, fmt.Errorf("the path must not contain an empty segment")
		}
		if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") {
			name := part[1 : len(part)-1]
			greedy := strings.HasSuffix(name, "+")
			name = strings.TrimSuffix(name, "+")
			if name == "" || !validName(name) {
				return nil, fmt.Errorf("invalid path variable %q", part)
			}
			if greedy && i != len(parts)-1 {
				return nil, fmt.Errorf("the greedy path variable %q must be the last segment", part)
			}
			if names[name] {
				return nil, fmt.Errorf("the path variable %q appears twice", name)
			}
			names[name] = true
			segs = append(segs, segment{text: name, param: true, greedy: greedy})
			continue
		}
		if !validLiteral(part) {
			return nil, fmt.Errorf("invalid path segment %q: only a-zA-Z0-9._:- are allowed, or {name} and {name+}", part)
		}
		segs = append(segs, segment{text: part})
	}
	return segs, nil
}

// validLiteral matches [a-zA-Z0-9._:-]+ (§1.3).
func validLiteral(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != ':' && c != '-' {
			return false
		}
	}
	return s != ""
}

// validName matches [\w.:-]+, the variable names of §1.3.
func validName(s string) bool { return validLiteral(s) }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
