package sigv4

import (
	"context"
	"net/http"
	"time"
)

// Key is what verifying a signature needs to know of an access key.
type Key struct {
	Secret string
	// SessionToken is the X-Amz-Security-Token temporary credentials
	// must be sent with; "" for long-term keys, which must send none.
	SessionToken string
	// AnyToken accepts whatever token is sent: cloudlet's root keys
	// stand in for any credentials a developer's environment holds.
	AnyToken bool
}

// KeyLookup finds the key of an access key ID. VerifyRequest returns its
// error as it is, so that the caller can tell an unknown key from an
// expired token in its own protocol's words.
type KeyLookup func(ctx context.Context, accessKeyID string) (Key, error)

// Check says what VerifyRequest checks a request against.
type Check struct {
	// Service, when set, is the signing name the credential scope must
	// carry ("execute-api" for API Gateway's AWS_IAM routes).
	Service string
	// Lookup finds the signing key's secret.
	Lookup KeyLookup
	// Now is the server's time.
	Now time.Time
}

// VerifyRequest checks a whole request whose body has been read: that it
// is signed (header or presigned query), for the service, with a known
// key and that key's session token, over exactly this body (when the
// X-Amz-Content-Sha256 header names a hash), within the clock-skew window.
// It returns the signature, whose AccessKeyID says who signed, even when
// verification fails after parsing. Failures are *Error values, or
// Lookup's error.
//
// It is the whole of SigV4 for a request that is not S3's (S3 streams its
// bodies, see ChunkedReader): the AWS API handler uses it, and so can
// API Gateway's AWS_IAM check, with a Lookup over the same keys.
func VerifyRequest(ctx context.Context, r *http.Request, body []byte, c Check) (*Signature, error) {
	sig, err := Parse(r)
	if err != nil {
		return nil, err
	}
	if c.Service != "" && sig.Scope.Service != c.Service {
		return sig, fail(Mismatch, "Credential should be scoped to correct service: '"+c.Service+"'.")
	}
	key, err := c.Lookup(ctx, sig.AccessKeyID)
	if err != nil {
		return sig, err
	}
	if !key.AnyToken && sig.SecurityToken != key.SessionToken {
		return sig, fail(UnknownKey, "The security token included in the request is invalid.")
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if sig.Presigned {
		payload = UnsignedPayload
		if p := r.URL.Query().Get("X-Amz-Content-Sha256"); p != "" {
			payload = p
		}
	} else {
		sum := HashHex(body)
		if payload != "" && payload != sum && payload != UnsignedPayload {
			return sig, fail(BadPayload, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		if payload == "" {
			payload = sum
		}
	}
	return sig, sig.Verify(r, key.Secret, payload, false, c.Now)
}
