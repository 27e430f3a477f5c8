package s3_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

func TestValidateBucketName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"my-bucket", true},
		{"abc", true},
		{"a.b.c", true},
		{"b1" + strings.Repeat("x", 61), true},
		{"ab", false},
		{strings.Repeat("x", 64), false},
		{"My-Bucket", false},
		{"my_bucket", false},
		{"-bucket", false},
		{"bucket-", false},
		{".bucket", false},
		{"a..b", false},
		{"192.168.5.4", false},
		{"xn--bucket", false},
		{"sthree-bucket", false},
		{"amzn-s3-demo-bucket", false},
		{"bucket-s3alias", false},
		{"bucket--ol-s3", false},
		{"bucket.mrap", false},
		{"bucket--x-s3", false},
		{"bucket--table-s3", false},
		{"a\x00b", false},
	}
	for _, tt := range tests {
		err := s3.ValidateBucketName(tt.name)
		if tt.ok && err != nil {
			t.Errorf("ValidateBucketName(%q) = %v, want nil", tt.name, err)
		}
		if !tt.ok {
			e, ok := awserr.As(err)
			if !ok || e.Code != "InvalidBucketName" || e.Message != "The specified bucket is not valid." || e.HTTPStatus() != 400 {
				t.Errorf("ValidateBucketName(%q) = %v, want InvalidBucketName", tt.name, err)
			}
		}
	}
}

func TestValidateKey(t *testing.T) {
	tests := []struct {
		name string
		key  string
		code string // "" means accepted
	}{
		{"plain", "fa-005/fa-005.yaml", ""},
		{"dots-inside", "a/..b/c..", ""},
		{"single-dot", "a/./b", ""},
		{"trailing-slash", "dir/", ""},
		{"unicode", "données/日本.txt", ""},
		{"max-length", strings.Repeat("k", 1024), ""},
		{"too-long", strings.Repeat("k", 1025), "KeyTooLongError"},
		{"empty", "", "InvalidArgument"},
		{"absolute", "/etc/passwd", "InvalidArgument"},
		{"absolute-backslash", `\windows`, "InvalidArgument"},
		{"dotdot", "..", "InvalidArgument"},
		{"dotdot-leading", "../secret", "InvalidArgument"},
		{"dotdot-middle", "a/../../b", "InvalidArgument"},
		{"dotdot-trailing", "a/..", "InvalidArgument"},
		{"dotdot-backslash", `a\..\b`, "InvalidArgument"},
		{"nul", "a\x00b", "InvalidArgument"},
		{"bad-utf8", "a\xffb", "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s3.ValidateKey(tt.key)
			if tt.code == "" {
				if err != nil {
					t.Errorf("ValidateKey(%.40q) = %v, want nil", tt.key, err)
				}
				return
			}
			if got := awserr.Code(err); got != tt.code {
				t.Errorf("ValidateKey(%.40q) = %v, want %s", tt.key, err, tt.code)
			}
		})
	}
}

func FuzzValidateKey(f *testing.F) {
	for _, seed := range []string{"a/b", "../x", "/abs", "a\x00", "ok/..ok", strings.Repeat("k", 1025)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := s3.ValidateKey(key)
		if err != nil {
			if c := awserr.Code(err); c != "InvalidArgument" && c != "KeyTooLongError" {
				t.Fatalf("ValidateKey(%q) code %s", key, c)
			}
			return
		}
		// Whatever is accepted can never leave a directory it is joined
		// to, should anyone ever map it to a path.
		if key == "" || len(key) > s3.MaxKeyLength || !utf8.ValidString(key) || strings.ContainsRune(key, 0) ||
			key[0] == '/' || key[0] == '\\' {
			t.Fatalf("ValidateKey(%q) accepted an unsafe key", key)
		}
		for _, seg := range strings.FieldsFunc(key, func(r rune) bool { return r == '/' || r == '\\' }) {
			if seg == ".." {
				t.Fatalf("ValidateKey(%q) accepted a .. segment", key)
			}
		}
	})
}
