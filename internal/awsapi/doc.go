// Package awsapi is cloudlet's AWS wire layer: one http.Handler through
// which the AWS CLI and SDKs reach every service on cloudlet's one port.
//
// # Flow
//
// A request is dispatched on its SigV4 credential scope's service
// (Authorization header or X-Amz-Credential query), then on what that
// service's protocol names the operation by: X-Amz-Target (JSON 1.1:
// logs, ssm), Action (Query: cloudformation, iam, sts), or method and path
// (REST-JSON: lambda, apigatewayv2; REST-XML: s3). Before an operation
// runs, the signature is verified (package sigv4) against the configured
// root key pair or the temporary credentials IAM issued, within the
// 15-minute skew window; the caller is then the account root or the role
// session those credentials belong to, and every operation asks IAM's
// Authorize whether that caller may perform the AWS action on the AWS
// resource ARN the operation names (root may do anything).
//
// # Adapters
//
// One file per service maps operations to service calls. Adapters
// translate wire shapes to service inputs and service results (and
// *awserr.Error values) back to wire shapes; they hold no rules of their
// own. Each protocol renders errors in one place, in its own shape:
// <ErrorResponse> for Query, S3's <Error> document, X-Amzn-ErrorType plus
// a JSON body for REST-JSON and JSON 1.1. An operation cloudlet does not
// implement answers 501 NotImplemented naming the service and operation,
// in that protocol's error shape.
//
// # Stack operations look synchronous
//
// CreateStack, UpdateStack, DeleteStack and ExecuteChangeSet start work
// that the engine runs in the background; AWS answers at once and clients
// poll. Their waiters poll once immediately and then every 30 seconds, so
// the handler waits (bounded by Config.SettleTimeout and the request's
// context) for the operation to end before answering: locally an
// operation takes well under a second, and the first poll is then the
// last. See settle.go.
package awsapi
