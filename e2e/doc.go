// Package e2e holds end-to-end tests: they build the real cloudlet binary,
// run it as a separate process on a free loopback port, and drive it with
// real clients — the AWS CLI (v1 and v2), curl-equivalent HTTP, and boto3
// inside deployed functions — exactly as a user would.
package e2e
