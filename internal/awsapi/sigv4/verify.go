package sigv4

import (
	"crypto/hmac"
	"net/http"
	"slices"
	"time"
)

// Verify checks that sig signs r with secret. payloadHash is the value
// the canonical request ends with: the X-Amz-Content-Sha256 header when
// sent, else the hex SHA-256 of the body (UNSIGNED-PAYLOAD for presigned
// URLs). s3 selects S3's path encoding. now is the server's clock: header
// signatures must be within MaxSkew of it, presigned ones unexpired.
func (sig *Signature) Verify(r *http.Request, secret, payloadHash string, s3 bool, now time.Time) error {
	if !slices.Contains(sig.SignedHeaders, "host") {
		return fail(Mismatch, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if sig.Presigned {
		if now.Before(sig.Time.Add(-MaxSkew)) {
			return fail(Skewed, "Request is not valid yet")
		}
		if now.After(sig.Time.Add(sig.Expires)) {
			return fail(Expired, "Request has expired")
		}
	} else if d := now.Sub(sig.Time); d < -MaxSkew {
		return fail(Skewed, "Signature not yet current: "+sig.Time.UTC().Format(TimeFormat)+" is still later than "+
			now.UTC().Add(MaxSkew).Format(TimeFormat)+" ("+now.UTC().Format(TimeFormat)+" + 15 min.)")
	} else if d > MaxSkew {
		return fail(Skewed, "Signature expired: "+sig.Time.UTC().Format(TimeFormat)+" is now earlier than "+
			now.UTC().Add(-MaxSkew).Format(TimeFormat)+" ("+now.UTC().Format(TimeFormat)+" - 15 min.)")
	}
	want := sig.Expected(r, secret, payloadHash, s3)
	if !hmac.Equal([]byte(want), []byte(sig.Signature)) {
		return fail(Mismatch, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

// Expected is the signature r should carry.
func (sig *Signature) Expected(r *http.Request, secret, payloadHash string, s3 bool) string {
	cr := CanonicalRequest(r, sig.SignedHeaders, payloadHash, s3)
	return Sign(SigningKey(secret, sig.Scope), StringToSign(sig.Time, sig.Scope, cr))
}
