// Package awserr is cloudlet's one error type for failures that AWS reports
// to its callers: an AWS error code (ValidationError,
// ResourceNotFoundException, …), the message in AWS's wording, and the HTTP
// status AWS answers with. Services return these; the wire adapters in
// awsapi render them in each protocol's shape, and nothing else decides a
// status code. Any other error reaching a wire adapter is an internal
// failure.
package awserr
