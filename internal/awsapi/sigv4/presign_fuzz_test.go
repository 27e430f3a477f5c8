package sigv4_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
)

// FuzzParsePresigned: no presigned query, however malformed, panics the
// parser or the verifier, and what is accepted never outlives SigV4's
// week. The seed corpus is under testdata/fuzz/FuzzParsePresigned.
func FuzzParsePresigned(f *testing.F) {
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeee")
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=9223372037&X-Amz-SignedHeaders=host&X-Amz-Signature=00")
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest("GET", "/b/k", nil)
		r.URL.RawQuery = query
		sig, err := sigv4.Parse(r)
		if err != nil {
			return
		}
		if sig.Presigned && (sig.Expires < 0 || sig.Expires > 7*24*time.Hour) {
			t.Fatalf("Parse(%q) Expires = %v, want 0..7 days", query, sig.Expires)
		}
		_ = sig.Verify(r, "secret", "UNSIGNED-PAYLOAD", true, time.Unix(1369353600, 0))
	})
}
