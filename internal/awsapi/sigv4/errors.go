package sigv4

// Kind classifies a verification failure.
type Kind int

// Failure kinds. Each maps to one AWS error per protocol.
const (
	// Missing: the request carries no signature at all.
	Missing Kind = iota + 1
	// Incomplete: an Authorization header or presigned query lacking a
	// part (Credential, SignedHeaders, Signature, X-Amz-Date) or
	// malformed.
	Incomplete
	// Mismatch: the signature is not the one the secret gives.
	Mismatch
	// Skewed: the request time is more than MaxSkew from the server's.
	Skewed
	// Expired: a presigned URL past its X-Amz-Expires.
	Expired
	// BadPayload: the body does not hash to the signed payload hash, or
	// an aws-chunked body is malformed or a chunk signature is wrong.
	BadPayload
	// UnknownKey: the access key is not known with the session token
	// sent (VerifyRequest).
	UnknownKey
)

// Error is a verification failure. Message is AWS's wording for the
// commonest protocol; adapters may reword per protocol.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return "sigv4: " + e.Message }

func fail(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }
