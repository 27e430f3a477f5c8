package sigv4_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
)

var (
	creds  = aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	signAt = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
)

// serverSide turns a client request into what a server sees: the request
// line as sent becomes RequestURI, Host moves out of the headers.
func serverSide(t *testing.T, req *http.Request) *http.Request {
	t.Helper()
	uri := req.URL.RequestURI()
	if req.URL.RawPath != "" {
		uri = req.URL.RawPath
		if req.URL.RawQuery != "" {
			uri += "?" + req.URL.RawQuery
		}
	}
	sr := httptest.NewRequest(req.Method, uri, req.Body)
	sr.Host = req.Host
	if sr.Host == "" {
		sr.Host = req.URL.Host
	}
	for k, v := range req.Header {
		sr.Header[k] = v
	}
	if req.ContentLength > 0 {
		sr.Header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	}
	return sr
}

func kindOf(err error) sigv4.Kind {
	var e *sigv4.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// TestVerifySDKSigned checks requests signed by the AWS SDK's own signer.
func TestVerifySDKSigned(t *testing.T) {
	tests := []struct {
		name, method, url, service, body string
		s3                               bool
	}{
		{"query-post", "POST", "http://localhost:4566/", "cloudformation", "Action=DescribeStacks&Version=2010-05-15", false},
		{"lambda-arn-path", "GET", "http://localhost:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn/configuration", "lambda", "", false},
		{"apigw-dollar", "GET", "http://localhost:4566/v2/apis/abc/stages/%24default", "apigateway", "", false},
		{"s3-key-spaces", "PUT", "http://localhost:4566/bucket/dir/a%20b%2Bc.txt", "s3", "hello", true},
		{"s3-list-query", "GET", "http://localhost:4566/bucket?list-type=2&prefix=a%2Fb&delimiter=%2F", "s3", "", true},
		{"s3-uploads-flag", "POST", "http://localhost:4566/bucket/key?uploads", "s3", "", true},
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) {})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			hash := sigv4.HashHex([]byte(tt.body))
			req.Header.Set("X-Amz-Content-Sha256", hash)
			var opts []func(*v4.SignerOptions)
			if tt.s3 {
				opts = append(opts, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			}
			if err := signer.SignHTTP(context.Background(), creds, req, hash, tt.service, "us-east-1", signAt, opts...); err != nil {
				t.Fatal(err)
			}
			sr := serverSide(t, req)
			sig, err := sigv4.Parse(sr)
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if sig.AccessKeyID != "AKIDEXAMPLE" || sig.Scope != (sigv4.Scope{Date: "20150830", Region: "us-east-1", Service: tt.service}) {
				t.Errorf("Parse = %+v", sig)
			}
			if err := sig.Verify(sr, creds.SecretAccessKey, hash, tt.s3, signAt.Add(time.Minute)); err != nil {
				t.Errorf("Verify(SDK-signed) = %v, want nil", err)
			}
			if err := sig.Verify(sr, "wrong", hash, tt.s3, signAt); kindOf(err) != sigv4.Mismatch {
				t.Errorf("Verify(wrong secret) = %v, want Mismatch", err)
			}
			if err := sig.Verify(sr, creds.SecretAccessKey, sigv4.HashHex([]byte("other")), tt.s3, signAt); kindOf(err) != sigv4.Mismatch {
				t.Errorf("Verify(other payload) = %v, want Mismatch", err)
			}
			if err := sig.Verify(sr, creds.SecretAccessKey, hash, tt.s3, signAt.Add(16*time.Minute)); kindOf(err) != sigv4.Skewed {
				t.Errorf("Verify(16 min later) = %v, want Skewed", err)
			}
			if err := sig.Verify(sr, creds.SecretAccessKey, hash, tt.s3, signAt.Add(-16*time.Minute)); kindOf(err) != sigv4.Skewed {
				t.Errorf("Verify(16 min earlier) = %v, want Skewed", err)
			}
		})
	}
}

func TestVerifyPresigned(t *testing.T) {
	signer := v4.NewSigner()
	req, _ := http.NewRequest("GET", "http://localhost:4566/bucket/key.txt?X-Amz-Expires=300", nil)
	u, _, err := signer.PresignHTTP(context.Background(), creds, req, sigv4.UnsignedPayload, "s3", "us-east-1", signAt,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	preq, _ := http.NewRequest("GET", u, nil)
	sr := serverSide(t, preq)
	sig, err := sigv4.Parse(sr)
	if err != nil || !sig.Presigned || sig.Expires != 5*time.Minute {
		t.Fatalf("Parse(presigned) = %+v, %v", sig, err)
	}
	if err := sig.Verify(sr, creds.SecretAccessKey, sigv4.UnsignedPayload, true, signAt.Add(4*time.Minute)); err != nil {
		t.Errorf("Verify(presigned, in time) = %v", err)
	}
	if err := sig.Verify(sr, creds.SecretAccessKey, sigv4.UnsignedPayload, true, signAt.Add(6*time.Minute)); kindOf(err) != sigv4.Expired {
		t.Errorf("Verify(presigned, late) = %v, want Expired", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, auth, date string
		want             sigv4.Kind
	}{
		{"none", "", "", sigv4.Missing},
		{"other-algorithm", "AWS4-HMAC-SHA512 Credential=a/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "20150830T123600Z", sigv4.Incomplete},
		{"no-signature", "AWS4-HMAC-SHA256 Credential=a/20150830/us-east-1/s3/aws4_request, SignedHeaders=host", "20150830T123600Z", sigv4.Incomplete},
		{"bad-scope", "AWS4-HMAC-SHA256 Credential=a/2015/us-east-1/s3, SignedHeaders=host, Signature=00", "20150830T123600Z", sigv4.Incomplete},
		{"no-date", "AWS4-HMAC-SHA256 Credential=a/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "", sigv4.Incomplete},
		{"bad-date", "AWS4-HMAC-SHA256 Credential=a/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "yesterday", sigv4.Incomplete},
		{"no-equals", "AWS4-HMAC-SHA256 Credential", "20150830T123600Z", sigv4.Incomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.date != "" {
				r.Header.Set("X-Amz-Date", tt.date)
			}
			_, err := sigv4.Parse(r)
			if got := kindOf(err); got != tt.want {
				t.Errorf("Parse(%q) = %v (kind %d), want kind %d", tt.auth, err, got, tt.want)
			}
		})
	}
}

// TestChunkedAWSExample decodes the aws-chunked example of AWS's
// "Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks" (66,560 bytes of 'a' in 64 KB chunks).
func TestChunkedAWSExample(t *testing.T) {
	sig := &sigv4.Signature{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", Time: time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC),
		Scope:     sigv4.Scope{Date: "20130524", Region: "us-east-1", Service: "s3"},
		Signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"}
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	body := "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" + strings.Repeat("a", 65536) + "\r\n" +
		"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" + strings.Repeat("a", 1024) + "\r\n" +
		"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"
	got, err := io.ReadAll(sigv4.NewChunkedReader(strings.NewReader(body), sig, secret, sigv4.StreamingPayload))
	if err != nil || len(got) != 66560 || strings.Trim(string(got), "a") != "" {
		t.Fatalf("ChunkedReader(AWS example) = %d bytes, %v; want 66560 'a's", len(got), err)
	}
	tampered := strings.Replace(body, "aaaa\r\n400", "aaab\r\n400", 1)
	if _, err := io.ReadAll(sigv4.NewChunkedReader(strings.NewReader(tampered), sig, secret, sigv4.StreamingPayload)); kindOf(err) != sigv4.Mismatch {
		t.Errorf("ChunkedReader(tampered) = %v, want Mismatch", err)
	}
	short := body[:1000]
	if _, err := io.ReadAll(sigv4.NewChunkedReader(strings.NewReader(short), sig, secret, sigv4.StreamingPayload)); kindOf(err) != sigv4.BadPayload {
		t.Errorf("ChunkedReader(truncated) = %v, want BadPayload", err)
	}
}

func TestChunkedUnsignedTrailer(t *testing.T) {
	body := "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"
	cr := sigv4.NewChunkedReader(strings.NewReader(body), nil, "", sigv4.StreamingUnsignedTrailer)
	got, err := io.ReadAll(cr)
	if err != nil || string(got) != "hello world" || cr.Trailers.Get("x-amz-checksum-crc32") != "NhCmhg==" {
		t.Fatalf("ChunkedReader(unsigned trailer) = %q, %v, trailers %v", got, err, cr.Trailers)
	}
}
