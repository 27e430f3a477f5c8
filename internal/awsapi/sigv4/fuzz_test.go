package sigv4_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
)

// FuzzParseAuthorization: no header, however malformed, panics the parser
// or the verifier.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "20150830T123600Z")
	f.Add("AWS4-HMAC-SHA256 Credential=/, SignedHeaders=, Signature=", "")
	f.Fuzz(func(t *testing.T, auth, date string) {
		r := httptest.NewRequest("GET", "/b/k?x=1&y", nil)
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		sig, err := sigv4.Parse(r)
		if err != nil {
			return
		}
		_ = sig.Verify(r, "secret", sigv4.EmptySHA256, true, time.Unix(0, 0))
	})
}

// FuzzChunkedReader: any body decodes or fails with an error, never a
// panic, and never yields more bytes than it was given.
func FuzzChunkedReader(f *testing.F) {
	f.Add("5\r\nhello\r\n0\r\n\r\n", false)
	f.Add("10000;chunk-signature=ad80\r\naaaa\r\n", true)
	f.Fuzz(func(t *testing.T, body string, signed bool) {
		payload := sigv4.StreamingUnsignedTrailer
		var sig *sigv4.Signature
		if signed {
			payload = sigv4.StreamingPayload
			sig = &sigv4.Signature{Scope: sigv4.Scope{Date: "20130524", Region: "us-east-1", Service: "s3"}, Signature: "00"}
		}
		got, _ := io.ReadAll(sigv4.NewChunkedReader(strings.NewReader(body), sig, "secret", payload))
		if len(got) > len(body) {
			t.Fatalf("decoded %d bytes from %d", len(got), len(body))
		}
	})
}
