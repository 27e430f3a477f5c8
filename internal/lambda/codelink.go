package lambda

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// Code links are presigned, as the S3 URLs AWS answers GetFunction and
// GetLayerVersion with are (spec lambda §8.4): knowing a function's name
// is not enough to download its code. A link comes only from an API call
// IAM allowed, carries the time it was made and its lifetime, and is
// signed with an HMAC-SHA256 over its path and every other query
// parameter under a key only the server holds (Config.CodeLinkKey). Like
// AWS's, it lapses after CodeLinkTTL.
//
// The parameters borrow S3's names, so that a client sees the errors S3
// gives for the same faults; the signature itself is not SigV4, since no
// access key is involved.
const (
	// CodeLinkTTL is how long a link works: AWS's links last 10 minutes.
	CodeLinkTTL = 10 * time.Minute

	linkDate      = "X-Amz-Date"
	linkExpires   = "X-Amz-Expires"
	linkSignature = "X-Amz-Signature"
	// linkDateFormat is SigV4's ISO 8601 basic format.
	linkDateFormat = "20060102T150405Z"
	// maxLinkExpires is S3's bound on X-Amz-Expires: a week.
	maxLinkExpires = 7 * 24 * time.Hour
)

// newLinkKey makes the key of a service whose Config names none: links
// then work until the process ends.
func newLinkKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand.Read never fails (Go 1.24+)
	return k
}

// signedLink is the absolute link to path (unescaped) with query q, valid
// for CodeLinkTTL from now.
func (s *Service) signedLink(path string, q url.Values) string {
	q.Set(linkDate, s.now().UTC().Format(linkDateFormat))
	q.Set(linkExpires, strconv.Itoa(int(CodeLinkTTL/time.Second)))
	return s.cfg.EndpointURL + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode() + "&" + linkSignature + "=" + s.linkMAC(path, q)
}

// linkMAC signs path and the query without its signature. Encode sorts
// the parameters, so their order in the URL does not matter.
func (s *Service) linkMAC(path string, q url.Values) string {
	m := hmac.New(sha256.New, s.linkKey)
	m.Write([]byte(path))
	m.Write([]byte{'?'})
	m.Write([]byte(q.Encode()))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyCodeLink checks a request for a code link: path is the request's
// unescaped path, query its query. It returns nil for a link this service
// made that has not lapsed, else an *awserr.Error in S3's words: 403
// AccessDenied "Access Denied" for a link without a signature, "Request
// has expired" past its lifetime, SignatureDoesNotMatch for anything
// altered, and 400 AuthorizationQueryParametersError for a malformed date
// or lifetime.
func (s *Service) VerifyCodeLink(path string, query url.Values) error {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	sig, date, expires := q.Get(linkSignature), q.Get(linkDate), q.Get(linkExpires)
	if sig == "" || date == "" || expires == "" {
		return awserr.WithStatus(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	t, err := time.Parse(linkDateFormat, date)
	if err != nil {
		return awserr.WithStatus(http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	n, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || n < 0 {
		return awserr.WithStatus(http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires should be a number")
	}
	// Compared in seconds: n*time.Second overflows for huge n.
	if n > int64(maxLinkExpires/time.Second) {
		return awserr.WithStatus(http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	now := s.now().UTC()
	if end := t.Add(time.Duration(n) * time.Second); now.After(end) {
		e := awserr.WithStatus(http.StatusForbidden, "AccessDenied", "Request has expired")
		e.Fields = map[string]string{"X-Amz-Expires": expires, "Expires": end.Format(time.RFC3339), "ServerTime": now.Format(time.RFC3339)}
		return e
	}
	q.Del(linkSignature)
	if !hmac.Equal([]byte(s.linkMAC(path, q)), []byte(sig)) || len(query[linkSignature]) != 1 {
		return awserr.WithStatus(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	return nil
}
