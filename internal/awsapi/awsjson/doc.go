// Package awsjson writes the AWS JSON 1.1 protocol's answers, which
// CloudWatch Logs and SSM speak: every call is POST / with an
// X-Amz-Target naming the operation; answers are
// application/x-amz-json-1.1 bodies, and errors carry the code in
// "__type" (and the X-Amzn-ErrorType header) with a "message".
package awsjson
