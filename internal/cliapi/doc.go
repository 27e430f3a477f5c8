// Package cliapi serves the small cloudlet-specific HTTP API under
// /_cloudlet/api/ that AWS's own APIs have no place for: the download
// links GetFunction and GetLayerVersion answer with (AWS gives presigned
// S3 URLs; cloudlet serves the packages itself, see lambda.CodePath), and
// JSON views of the Lambda service's in-memory invocation records,
// destination records and metrics for scripts and tests.
//
// Who may read what: the download links are presigned, as AWS's are. The
// Lambda service signs them with a key only the server holds and checks
// them here (lambda.Service.VerifyCodeLink), so only a caller IAM let call
// GetFunction or GetLayerVersion holds one, for ten minutes; anything else
// gets S3's 403 <Error> document. The records and metrics are cloudlet's
// own view, with no AWS operation behind them: internal/platform serves
// them only to holders of the console token, like the console. Function
// processes share the host's loopback, so neither may be open to whoever
// reaches the port.
//
// The cloudlet CLI's invoke and logs commands do not use it: they call the
// AWS Lambda and CloudWatch Logs APIs, signed, as the AWS CLI would. The
// handler only reads; it changes nothing, so it needs no protection
// against cross-site requests beyond what browsers already apply to
// reading another origin's responses.
package cliapi
