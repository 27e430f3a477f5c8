package route

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustKeys(t testing.TB, raw ...string) []Key {
	t.Helper()
	keys := make([]Key, len(raw))
	for i, r := range raw {
		k, err := ParseKey(r)
		if err != nil {
			t.Fatalf("ParseKey(%q): %v", r, err)
		}
		keys[i] = k
	}
	return keys
}

type matchCase struct {
	name   string
	method string
	path   string
	want   string // matched key, "" for no match
	params []Param
}

func runMatches(t *testing.T, tab *Table, keys []Key, tests []matchCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := tab.Match(tt.method, Split(tt.path))
			got := ""
			if ok {
				got = keys[m.Index].Raw
			}
			if got != tt.want {
				t.Fatalf("Match(%s %q) = %q, want %q", tt.method, tt.path, got, tt.want)
			}
			if diff := cmp.Diff(tt.params, m.Params); ok && diff != "" {
				t.Errorf("Match(%s %q) params (-want +got):\n%s", tt.method, tt.path, diff)
			}
		})
	}
}

// The worked example of the routing docs (shared/specs/http-api.md §1.4).
func TestMatchDocsExample(t *testing.T) {
	keys := mustKeys(t, "GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default")
	tab := Compile(keys, Options{})
	runMatches(t, tab, keys, []matchCase{
		{name: "literal", method: "GET", path: "/pets/dog/1", want: "GET /pets/dog/1"},
		{name: "param", method: "GET", path: "/pets/dog/2", want: "GET /pets/dog/{id}", params: []Param{{"id", "2"}}},
		{name: "greedy-longest-prefix", method: "GET", path: "/pets/cat/1", want: "GET /pets/{proxy+}", params: []Param{{"proxy", "cat/1"}}},
		{name: "greedy-any", method: "POST", path: "/test/5", want: "ANY /{proxy+}", params: []Param{{"proxy", "test/5"}}},
		{name: "post-param-falls-to-greedy", method: "POST", path: "/pets/dog/2", want: "ANY /{proxy+}", params: []Param{{"proxy", "pets/dog/2"}}},
		{name: "root-goes-to-default", method: "GET", path: "/", want: "$default"},
		{name: "options-to-greedy", method: "OPTIONS", path: "/x", want: "ANY /{proxy+}", params: []Param{{"proxy", "x"}}},
	})
}

func TestMatchOrdering(t *testing.T) {
	keys := mustKeys(t,
		"GET /{proxy+}", "ANY /{proxy+}",
		"GET /items/{id}", "ANY /items/{key}",
		"ANY /api/{id}",
		"GET /a/b", "POST /a/{x}",
		"GET /files/{path+}",
		"GET /Case",
		"GET /",
		"ANY /only-any",
	)
	tab := Compile(keys, Options{})
	runMatches(t, tab, keys, []matchCase{
		{name: "method-greedy-beats-any-greedy", method: "GET", path: "/zzz", want: "GET /{proxy+}", params: []Param{{"proxy", "zzz"}}},
		{name: "any-greedy-for-other-method", method: "DELETE", path: "/zzz", want: "ANY /{proxy+}", params: []Param{{"proxy", "zzz"}}},
		{name: "method-param-beats-any-param", method: "GET", path: "/items/7", want: "GET /items/{id}", params: []Param{{"id", "7"}}},
		{name: "any-param-other-method", method: "PUT", path: "/items/7", want: "ANY /items/{key}", params: []Param{{"key", "7"}}},
		// §1.4 [UNV]: by the tiers, a full match beats a method-specific greedy route.
		{name: "full-any-beats-method-greedy", method: "GET", path: "/api/1", want: "ANY /api/{id}", params: []Param{{"id", "1"}}},
		{name: "backtrack-literal-without-method", method: "POST", path: "/a/b", want: "POST /a/{x}", params: []Param{{"x", "b"}}},
		{name: "greedy-is-not-its-parent", method: "GET", path: "/files", want: "GET /{proxy+}", params: []Param{{"proxy", "files"}}},
		{name: "greedy-deep", method: "GET", path: "/files/a/b/c", want: "GET /files/{path+}", params: []Param{{"path", "a/b/c"}}},
		{name: "case-sensitive", method: "GET", path: "/case", want: "GET /{proxy+}", params: []Param{{"proxy", "case"}}},
		{name: "case-exact", method: "GET", path: "/Case", want: "GET /Case"},
		{name: "root", method: "GET", path: "/", want: "GET /"},
		{name: "empty-path-is-root", method: "GET", path: "", want: "GET /"},
		{name: "slashes-collapse", method: "GET", path: "//a///b", want: "GET /a/b"},
		{name: "head-is-not-get", method: "HEAD", path: "/a/b", want: "ANY /{proxy+}", params: []Param{{"proxy", "a/b"}}},
		{name: "unknown-method-takes-any", method: "TRACE", path: "/only-any", want: "ANY /only-any"},
		{name: "any-is-not-a-request-method", method: "ANY", path: "/items/7", want: "ANY /items/{key}", params: []Param{{"key", "7"}}},
	})
}

func TestMatchNoFallback(t *testing.T) {
	keys := mustKeys(t, "GET /", "GET /pets/{id}", "GET /pets")
	tab := Compile(keys, Options{})
	runMatches(t, tab, keys, []matchCase{
		{name: "method-mismatch-is-404", method: "POST", path: "/", want: ""},
		{name: "unknown-path", method: "GET", path: "/nope", want: ""},
		{name: "param-needs-a-segment", method: "GET", path: "/pets/", want: ""},
		{name: "too-deep", method: "GET", path: "/pets/1/2", want: ""},
		{name: "decoded-space", method: "GET", path: "/pets/Summer%20Sale%202023", want: "GET /pets/{id}", params: []Param{{"id", "Summer Sale 2023"}}},
		{name: "decoded-unicode", method: "GET", path: "/pets/%E2%98%95%20Coffee", want: "GET /pets/{id}", params: []Param{{"id", "\u2615 Coffee"}}},
		{name: "encoded-slash-stays-in-segment", method: "GET", path: "/pets/foo%2Fbar", want: "GET /pets/{id}", params: []Param{{"id", "foo/bar"}}},
		{name: "bad-escape-kept", method: "GET", path: "/pets/100%", want: "GET /pets/{id}", params: []Param{{"id", "100%"}}},
		{name: "trailing-slash-no-match", method: "GET", path: "/pets/", want: ""},
	})
}

func TestMatchTrailingSlashOption(t *testing.T) {
	keys := mustKeys(t, "GET /pets", "GET /{proxy+}")
	off := Compile(keys, Options{})
	runMatches(t, off, keys, []matchCase{
		{name: "off-goes-greedy", method: "GET", path: "/pets/", want: "GET /{proxy+}", params: []Param{{"proxy", "pets/"}}},
	})
	on := Compile(keys, Options{TrailingSlash: true})
	runMatches(t, on, keys, []matchCase{
		{name: "on-matches-full", method: "GET", path: "/pets/", want: "GET /pets"},
	})
}

func TestCompileShadowing(t *testing.T) {
	keys := mustKeys(t, "GET /a/{x}", "GET /a/{y}", "GET /a/{x}", "$default", "$default")
	tab := Compile(keys, Options{})
	m, ok := tab.Match("GET", Split("/a/1"))
	if !ok || m.Index != 0 {
		t.Errorf("Match(GET /a/1) = %+v, %v, want index 0", m, ok)
	}
	m, ok = tab.Match("GET", Split("/b"))
	if !ok || m.Index != 3 {
		t.Errorf("Match(GET /b) = %+v, %v, want index 3 ($default)", m, ok)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want Path
	}{
		{"", Path{Segments: []string{}}},
		{"/", Path{Segments: []string{}}},
		{"///", Path{Segments: []string{}}},
		{"/a", Path{Segments: []string{"a"}}},
		{"/a/", Path{Segments: []string{"a"}, Trailing: true}},
		{"//a//b//", Path{Segments: []string{"a", "b"}, Trailing: true}},
		{"/a%2Fb/c%20d", Path{Segments: []string{"a/b", "c d"}}},
		{"/%zz", Path{Segments: []string{"%zz"}}},
	}
	for _, tt := range tests {
		if got := Split(tt.in); !cmp.Equal(got, tt.want) {
			t.Errorf("Split(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	keys := mustKeys(f, "GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default", "GET /")
	tab := Compile(keys, Options{})
	f.Add("GET", "/pets/dog/1")
	f.Add("POST", "//a/%2F/")
	f.Fuzz(func(t *testing.T, method, path string) {
		m, ok := tab.Match(method, Split(path))
		if !ok || m.Index < 0 || m.Index >= len(keys) {
			t.Fatalf("Match(%q, %q) = %+v, %v; $default must catch everything", method, path, m, ok)
		}
	})
}

// benchKeys makes n routes shaped like a real API: resources with a
// literal list route and a {id} route under a few prefixes.
func benchKeys(b *testing.B, n int) []Key {
	raw := make([]string, 0, n)
	for i := 0; len(raw) < n; i++ {
		raw = append(raw, fmt.Sprintf("GET /v1/res%d", i))
		if len(raw) < n {
			raw = append(raw, fmt.Sprintf("POST /v1/res%d/{id}/items", i))
		}
	}
	return mustKeys(b, raw...)
}

// BenchmarkMatch shows that matching cost depends on path depth, not on
// the number of routes (the issue asks 10,000 routes < 2× 10 routes).
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{10, 10000} {
		keys := benchKeys(b, n)
		tab := Compile(keys, Options{})
		target := strings.Replace(keys[len(keys)-1].Path, "{id}", "42", 1)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, ok := tab.Match("POST", Split(target)); !ok {
					b.Fatal("no match")
				}
			}
		})
	}
}
