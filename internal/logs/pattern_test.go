package logs

import "testing"

func TestPatternMatch(t *testing.T) {
	const (
		errLine  = "[ERROR]\t2026-11-25T12:00:00.000Z\treq-1\tdatabase timeout after 3s"
		warnLine = "[WARNING]\t2026-11-25T12:00:00.000Z\treq-2\tslow query"
		infoLine = "START RequestId: req-3 Version: $LATEST"
		jsonLine = `{"level":"ERROR","latency":250,"user":{"id":"u-42","admin":true},"tags":["a","b"],"gone":null}`
	)
	lines := []string{errLine, warnLine, infoLine, jsonLine}
	tests := []struct {
		name    string
		pattern string
		want    []bool // per line above
	}{
		{"empty", "", []bool{true, true, true, true}},
		{"term", "ERROR", []bool{true, false, false, true}},
		{"two-terms", "ERROR timeout", []bool{true, false, false, false}},
		{"quoted", `"database timeout"`, []bool{true, false, false, false}},
		{"quoted-wrong-order", `"timeout database"`, []bool{false, false, false, false}},
		{"optional", "?ERROR ?WARNING", []bool{true, true, false, true}},
		{"exclude", "ERROR -database", []bool{false, false, false, true}},
		{"exclude-only", "-START", []bool{true, true, false, true}},
		{"case-sensitive", "error", []bool{false, false, false, false}}, // case-sensitive
		{"regex", "%req-[12]%", []bool{true, true, false, false}},
		{"json-eq", `{ $.level = "ERROR" }`, []bool{false, false, false, true}},
		{"json-bare", `{ $.level = ERROR }`, []bool{false, false, false, true}},
		{"json-wildcard", `{ $.level = "ERR*" }`, []bool{false, false, false, true}},
		{"json-ne", `{ $.level != "ERROR" }`, []bool{false, false, false, false}},
		{"json-gt", `{ $.latency > 100 }`, []bool{false, false, false, true}},
		{"json-le", `{ $.latency <= 100 }`, []bool{false, false, false, false}},
		{"json-num-eq", `{ $.latency = 250 }`, []bool{false, false, false, true}},
		{"json-and", `{ $.user.id = "u-42" && $.latency >= 250 }`, []bool{false, false, false, true}},
		{"json-or-parens", `{ ($.level = "INFO") || ($.user.admin IS TRUE) }`, []bool{false, false, false, true}},
		{"json-is-false", `{ $.user.admin IS FALSE }`, []bool{false, false, false, false}},
		{"json-is-null", `{ $.gone IS NULL }`, []bool{false, false, false, true}},
		{"json-not-exists", `{ $.missing NOT EXISTS }`, []bool{false, false, false, true}},
		{"json-not-exists-present", `{ $.level NOT EXISTS }`, []bool{false, false, false, false}},
		{"json-index", `{ $.tags[1] = "b" }`, []bool{false, false, false, true}},
		{"json-index-out", `{ $.tags[5] = "b" }`, []bool{false, false, false, false}},
		{"json-regex", `{ $.level = %ERR|WARN% }`, []bool{false, false, false, true}},
		{"json-string-vs-number", `{ $.latency = "250" }`, []bool{false, false, false, false}}, // a string never equals a number
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := compilePattern(tt.pattern)
			if err != nil {
				t.Fatalf("compilePattern(%q) error: %v", tt.pattern, err)
			}
			for i, line := range lines {
				if got := p.match(line); got != tt.want[i] {
					t.Errorf("compilePattern(%q).match(%.30q) = %v, want %v", tt.pattern, line, got, tt.want[i])
				}
			}
		})
	}
}

func TestPatternErrors(t *testing.T) {
	for _, pat := range []string{
		`"unterminated`,
		`{ $.a = "x" `,
		`{ $.a }`,
		`{ $.a < "x" }`,
		`{ a = 1 }`,
		`{ ($.a = 1 }`,
		`{ $.a IS MAYBE }`,
		`{ $.a[x] = 1 }`,
		`[ip, user]`,
		`%(%`,
		`?`,
	} {
		if _, err := compilePattern(pat); err == nil {
			t.Errorf("compilePattern(%q) = nil error, want InvalidParameterException", pat)
		}
	}
}

func TestTokensRoundTrip(t *testing.T) {
	for _, p := range []pos{{0, 0}, {1732536000000, 42}, {1<<53 - 1, ^uint64(0)}} {
		for _, tok := range []string{forwardToken(p), backwardToken(p)} {
			dir, got, ok := parseToken(tok)
			if !ok || got != p || dir != tok[0] {
				t.Errorf("parseToken(%q) = %c, %v, %v; want %c, %v, true", tok, dir, got, ok, tok[0], p)
			}
		}
		if got, ok := decodePos(p.encode()); !ok || got != p {
			t.Errorf("decodePos(encode(%v)) = %v, %v", p, got, ok)
		}
	}
	for _, tok := range []string{"", "f/", "f/123/s", "x/0000000000000000000000000000000000000000/s", "f/000000000000000000000000000000000000000a/s"} {
		if _, _, ok := parseToken(tok); ok {
			t.Errorf("parseToken(%q) ok, want refused", tok)
		}
	}
}

// Filter patterns come from users: no pattern or message may panic.
func FuzzPattern(f *testing.F) {
	for _, seed := range [][2]string{
		{`ERROR -debug ?WARN "two words"`, "ERROR two words"},
		{`{ ($.a = 1) && $.b[0] != "x*" || $.c IS NULL }`, `{"a":1,"b":["y"],"c":null}`},
		{`{ $.a NOT EXISTS }`, `[1,2]`},
		{`%a+b%`, "aab"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pat, msg string) {
		p, err := compilePattern(pat)
		if err != nil {
			return
		}
		p.match(msg)
	})
}
