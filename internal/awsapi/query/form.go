package query

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Form is a decoded Query request: flat keys as sent.
type Form struct {
	v url.Values
}

// Parse decodes a form body (or a query string; the caller passes
// whichever the request used). Malformed escapes are an error.
func Parse(raw string) (Form, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return Form{}, err
	}
	return Form{v: v}, nil
}

// FromValues wraps already-decoded values.
func FromValues(v url.Values) Form { return Form{v: v} }

// Get returns a key's value, "" when absent.
func (f Form) Get(key string) string { return f.v.Get(key) }

// Has reports whether the key was sent (even empty).
func (f Form) Has(key string) bool { _, ok := f.v[key]; return ok }

// Bool reads true/false; anything else (or absence) is false.
func (f Form) Bool(key string) bool { return strings.EqualFold(f.v.Get(key), "true") }

// OptBool reads a boolean that may be absent.
func (f Form) OptBool(key string) *bool {
	if !f.Has(key) {
		return nil
	}
	b := f.Bool(key)
	return &b
}

// Int reads a decimal integer; ok is false when absent or malformed.
func (f Form) Int(key string) (n int, ok bool) {
	s := f.v.Get(key)
	if s == "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// indexes lists the N of prefix.N.… (or prefix.N) keys, in order.
func (f Form) indexes(prefix string) []int {
	seen := map[int]bool{}
	p := prefix + "."
	for k := range f.v {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			continue
		}
		seen[n] = true
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// List returns the strings of a list sent as Name.member.N (nil when
// none, including the empty-list form "Name=").
func (f Form) List(name string) []string {
	var out []string
	for _, n := range f.indexes(name + ".member") {
		out = append(out, f.v.Get(name+".member."+strconv.Itoa(n)))
	}
	return out
}

// Structs returns the structures of a list sent as Name.member.N.Field,
// each as a Form whose keys are the Field parts.
func (f Form) Structs(name string) []Form {
	return f.sub(name + ".member")
}

// sub scopes the keys under prefix.N. into one Form per N.
func (f Form) sub(prefix string) []Form {
	var out []Form
	for _, n := range f.indexes(prefix) {
		p := prefix + "." + strconv.Itoa(n) + "."
		v := url.Values{}
		for k, vals := range f.v {
			if rest, ok := strings.CutPrefix(k, p); ok {
				v[rest] = vals
			}
		}
		out = append(out, Form{v: v})
	}
	return out
}

// Map returns a map sent as Name.entry.N.key / Name.entry.N.value (the
// keyName and valueName are the member names of the model, "key" and
// "value" by default).
func (f Form) Map(name, keyName, valueName string) map[string]string {
	entries := f.sub(name + ".entry")
	if len(entries) == 0 {
		return nil
	}
	m := make(map[string]string, len(entries))
	for _, e := range entries {
		m[e.Get(keyName)] = e.Get(valueName)
	}
	return m
}

// Pairs returns a list of Key/Value structures (Tags.member.N.Key and
// .Value, Parameters.member.N.ParameterKey …) as a map.
func (f Form) Pairs(name, keyName, valueName string) map[string]string {
	items := f.Structs(name)
	if len(items) == 0 {
		return nil
	}
	m := make(map[string]string, len(items))
	for _, it := range items {
		m[it.Get(keyName)] = it.Get(valueName)
	}
	return m
}
