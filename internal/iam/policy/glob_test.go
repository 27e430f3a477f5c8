package policy

import (
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold       bool
		want       bool
	}{
		{"*", "", false, true},
		{"*", "anything:at/all", false, true},
		{"", "", false, true},
		{"", "x", false, false},
		{"abc", "abc", false, true},
		{"abc", "abd", false, false},
		{"abc", "ABC", false, false},
		{"abc", "ABC", true, true},
		{"lambda:Invoke*", "lambda:InvokeFunction", true, true},
		{"lambda:invoke*", "LAMBDA:InvokeFunction", true, true},
		{"lambda:Get*", "lambda:InvokeFunction", true, false},
		{"s3:?etObject", "s3:GetObject", true, true},
		{"s3:?etObject", "s3:etObject", true, false},
		{"a?c", "aéc", false, true},
		{"a*b*c", "aXbYc", false, true},
		{"a*b*c", "aXbY", false, false},
		{"a*a*a*a*b", strings.Repeat("a", 200), false, false},
		{"*c", "abcbc", false, true},
		{"**x", "ax", false, true},
		{"arn:aws:lambda:*:*:function:f", "arn:aws:lambda:us-east-1:123456789012:function:f", false, true},
		// IAM: a trailing * in a resource ARN runs past colon boundaries.
		{"arn:aws:lambda:us-east-1:123456789012:function:f*", "arn:aws:lambda:us-east-1:123456789012:function:f:prod", false, true},
		{"arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:lambda:us-east-1:123456789012:function:f:prod", false, false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", false, true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false, false},
	}
	for _, tt := range tests {
		g := compileGlob(tt.pattern, tt.fold)
		if got := g.match(tt.s); got != tt.want {
			t.Errorf("compileGlob(%q, %v).match(%q) = %v, want %v", tt.pattern, tt.fold, tt.s, got, tt.want)
		}
	}
}

func TestMatchARN(t *testing.T) {
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets", true},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/*/*", "arn:aws:execute-api:us-east-1:123456789012:abc123/$default/$default", true},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/pets", false},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/*", "arn:aws:execute-api:us-east-1:123456789012:other/prod/GET/", false},
		// Each part matches on its own: a * in the service part cannot
		// swallow the region.
		{"arn:aws:*:us-east-1:123456789012:x", "arn:aws:lambda:extra:us-east-1:123456789012:x", false},
		{"arn:aws:execute-api:*:*:abc123/*", "arn:aws:execute-api:us-east-1:123456789012:abc123/x", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:f:*", "arn:aws:lambda:us-east-1:123456789012:function:f:prod", true},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true},
		{"arn:aws:s3:::bucket", "not-an-arn", false},
		{"arn:aws:s3:::bucket", "arn:aws:s3::bucket", false},
	}
	for _, tt := range tests {
		segs := compileARN(tt.pattern)
		if segs == nil {
			t.Fatalf("compileARN(%q) = nil", tt.pattern)
		}
		if got := matchARN(segs, tt.arn); got != tt.want {
			t.Errorf("matchARN(%q, %q) = %v, want %v", tt.pattern, tt.arn, got, tt.want)
		}
	}
	if compileARN("arn:aws:s3") != nil {
		t.Errorf("compileARN(%q) = segments, want nil", "arn:aws:s3")
	}
}

func BenchmarkGlobAction(b *testing.B) {
	g := compileGlob("lambda:Invoke*", true)
	for b.Loop() {
		g.match("lambda:InvokeFunction")
	}
}
