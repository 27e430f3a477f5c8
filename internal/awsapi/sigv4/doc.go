// Package sigv4 verifies AWS Signature Version 4: the Authorization
// header and presigned-URL (query string) forms, the canonical request and
// string to sign, the 15-minute clock-skew window, and aws-chunked
// streaming bodies whose chunks (and trailer) carry their own signatures.
//
// It is pure: it reads an *http.Request and a secret, never a store or a
// clock of its own, so every rule is testable with fixed vectors and
// fuzzable. Failures are *Error values whose Kind says which of AWS's
// errors applies; the wire layer (package awsapi) turns a Kind into the
// code, status and shape of the protocol the request spoke, because the
// same failure is SignatureDoesNotMatch to CloudFormation,
// InvalidSignatureException to Lambda and RequestTimeTooSkewed to S3.
//
// VerifyRequest is the whole check for a request whose body is read
// whole: parse, key lookup (through a function the caller passes, so the
// package knows no key store), session token, payload hash and signature.
// The AWS API handler uses it for every service but S3, and API Gateway's
// AWS_IAM routes can use it with Check.Service "execute-api".
package sigv4
