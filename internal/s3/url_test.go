package s3_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

func TestParseURL(t *testing.T) {
	const unsupported = "TemplateURL must be a supported URL."
	tests := []struct {
		name        string
		url         string
		bucket, key string
		err         string
	}{
		// AWS path style.
		{"path-global", "https://s3.amazonaws.com/my-bucket/fa-005/fa-005-lambda.yaml", "my-bucket", "fa-005/fa-005-lambda.yaml", ""},
		{"path-region", "https://s3.ap-northeast-1.amazonaws.com/my-bucket/t.yaml", "my-bucket", "t.yaml", ""},
		{"path-dash-region", "https://s3-us-west-2.amazonaws.com/my-bucket/a/b/c.yaml", "my-bucket", "a/b/c.yaml", ""},
		{"path-dualstack", "https://s3.dualstack.eu-west-1.amazonaws.com/b1/k", "b1", "k", ""},
		{"path-external-1", "https://s3-external-1.amazonaws.com/b1/k", "b1", "k", ""},
		{"path-china", "https://s3.cn-north-1.amazonaws.com.cn/b1/k", "b1", "k", ""},
		{"path-version-id", "https://s3.amazonaws.com/b1/k.yaml?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", "b1", "k.yaml", ""},
		{"path-escaped-key", "https://s3.amazonaws.com/b1/dir/my%20template.yaml", "b1", "dir/my template.yaml", ""},
		{"path-http", "http://s3.amazonaws.com/b1/k", "b1", "k", ""},
		// AWS virtual-hosted style.
		{"vhost-global", "https://my-bucket.s3.amazonaws.com/fa-005/fa-005.yaml", "my-bucket", "fa-005/fa-005.yaml", ""},
		// The seed tutorial's form (fa-005.yaml).
		{"vhost-region", "https://my-bucket.s3.ap-northeast-1.amazonaws.com/fa-005/fa-005-lambda.yaml", "my-bucket", "fa-005/fa-005-lambda.yaml", ""},
		{"vhost-dash-region", "https://my-bucket.s3-eu-west-1.amazonaws.com/k", "my-bucket", "k", ""},
		{"vhost-dualstack", "https://b1.s3.dualstack.us-east-1.amazonaws.com/k", "b1", "k", ""},
		{"vhost-dotted-bucket", "https://my.dotted.bucket.s3.us-east-1.amazonaws.com/k", "my.dotted.bucket", "k", ""},
		{"vhost-bucket-with-s3-label", "https://s3.example.s3.amazonaws.com/k", "s3.example", "k", ""},
		{"vhost-version-id", "https://b1.s3.amazonaws.com/k?versionId=abc", "b1", "k", ""},
		{"vhost-uppercase-host", "https://B1.S3.AMAZONAWS.COM/Key", "b1", "Key", ""},
		// Local endpoints.
		{"localhost", "http://localhost:4566/b1/fa-005/fa-005.yaml", "b1", "fa-005/fa-005.yaml", ""},
		{"loopback", "http://127.0.0.1:4566/b1/k", "b1", "k", ""},
		{"loopback-v6", "http://[::1]:4566/b1/k", "b1", "k", ""},
		{"localhost-no-port", "http://localhost/b1/k", "b1", "k", ""},
		{"s3-localhost", "http://s3.localhost:4566/b1/k", "b1", "k", ""},
		{"vhost-localhost", "http://b1.s3.localhost:4566/dir/k", "b1", "dir/k", ""},
		{"localstack-path", "http://s3.localhost.localstack.cloud:4566/b1/k", "b1", "k", ""},
		{"localstack-vhost", "http://b1.s3.localhost.localstack.cloud:4566/k", "b1", "k", ""},
		// Refusals.
		{"s3-scheme", "s3://my-bucket/fa-005/fa-005.yaml", "", "", "S3 error: Domain name specified in my-bucket is not a valid S3 domain"},
		{"s3-scheme-upper", "S3://my-bucket/k", "", "", "S3 error: Domain name specified in my-bucket is not a valid S3 domain"},
		{"other-host", "https://example.com/b1/k", "", "", unsupported},
		{"lookalike-host", "https://s3.amazonaws.com.evil.example/b1/k", "", "", unsupported},
		{"not-s3-service", "https://lambda.us-east-1.amazonaws.com/b1/k", "", "", unsupported},
		{"website-endpoint", "http://b1.s3-website-us-east-1.amazonaws.com/k", "", "", unsupported},
		{"ftp", "ftp://s3.amazonaws.com/b1/k", "", "", unsupported},
		{"relative", "fa-005-lambda.yaml", "", "", unsupported},
		{"no-key-path", "https://s3.amazonaws.com/b1", "", "", unsupported},
		{"no-key-path-slash", "https://s3.amazonaws.com/b1/", "", "", unsupported},
		{"no-key-vhost", "https://b1.s3.amazonaws.com/", "", "", unsupported},
		{"no-bucket", "https://s3.amazonaws.com/", "", "", unsupported},
		{"empty", "", "", "", unsupported},
		{"bad-escape", "https://s3.amazonaws.com/b1/%zz", "", "", unsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, k, err := s3.ParseURL(tt.url)
			if tt.err != "" {
				e, ok := awserr.As(err)
				if !ok || e.Code != "ValidationError" || e.Message != tt.err {
					t.Errorf("ParseURL(%q) = %q, %q, %v; want ValidationError %q", tt.url, b, k, err, tt.err)
				}
				return
			}
			if err != nil || b != tt.bucket || k != tt.key {
				t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q", tt.url, b, k, err, tt.bucket, tt.key)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	for _, seed := range []string{
		"https://s3.amazonaws.com/b/k",
		"https://b.s3.us-east-1.amazonaws.com/k?versionId=1",
		"http://b.s3.localhost:4566/k",
		"http://localhost:4566/b/k",
		"s3://b/k",
		"https://example.com/b/k",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		b, k, err := s3.ParseURL(raw)
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("ParseURL(%q) error %v is not an *awserr.Error", raw, err)
			}
			if b != "" || k != "" {
				t.Fatalf("ParseURL(%q) = %q, %q with an error", raw, b, k)
			}
			return
		}
		if b == "" || k == "" || strings.Contains(b, "/") {
			t.Fatalf("ParseURL(%q) = %q, %q; want a bucket without / and a key", raw, b, k)
		}
		if utf8.ValidString(raw) && !utf8.ValidString(b) {
			t.Fatalf("ParseURL(%q) bucket %q is not UTF-8", raw, b)
		}
	})
}
