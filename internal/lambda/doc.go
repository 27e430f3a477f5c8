// Package lambda is cloudlet's Lambda service: function records (created
// by the CloudFormation provider, the Lambda API and the console alike,
// validated once here), their code, their resource-based policies, and
// Invoke — the one entry point through which API Gateway, the AWS Invoke
// API, custom resources and the CLI run a function.
//
// Invoke authorises the caller first (the service decides, with IAM's
// evaluator, whether a principal may call lambda:InvokeFunction on the
// function, using the function's resource policy), then hands the event
// to the function version's sandbox pool. Pools are made lazily, on the
// first invocation: a deployed function that is never called costs no
// process.
//
// The service reaches IAM, S3 and CloudWatch Logs only through the small
// interfaces declared here (Authorizer, CodeSource, and sandbox.LogSink);
// internal/platform passes the implementations in.
package lambda
