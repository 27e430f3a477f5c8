// Package cliapi serves the small cloudlet-specific HTTP API under
// /_cloudlet/api/ that AWS's own APIs have no place for: the download
// links GetFunction and GetLayerVersion answer with (AWS gives presigned
// S3 URLs; cloudlet serves the packages itself, see lambda.CodePath), and
// JSON views of the Lambda service's in-memory invocation records,
// destination records and metrics for scripts and tests.
//
// The cloudlet CLI's invoke and logs commands do not use it: they call the
// AWS Lambda and CloudWatch Logs APIs, signed, as the AWS CLI would. The
// handler only reads; it changes nothing, so it needs no protection
// against cross-site requests beyond what browsers already apply to
// reading another origin's responses.
package cliapi
