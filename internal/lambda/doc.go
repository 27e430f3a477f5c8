// Package lambda is cloudlet's Lambda service: function records (created
// by the CloudFormation provider, the Lambda API and the console alike,
// validated once here), their code and layers, versions and aliases,
// resource-based policies, concurrency, and Invoke — the one entry point
// through which API Gateway, the AWS Invoke API, custom resources and the
// CLI run a function.
//
// # Records
//
// A function is one record in the store holding $LATEST, its published
// versions (immutable snapshots of code and configuration, numbered 1,
// 2, … and never reused), its aliases, its policy and its Event
// invocation settings. Records are cached in memory as decoded, shared,
// read-only values; every write goes through one store transaction on a
// private copy and then drops the cached one, so an invocation reads no
// store at all. Code is unpacked once per distinct archive under
// DataDir/lambda/code/<hash>, with the archive kept beside it for
// GetFunction's download link; layers share the same store.
//
// # Invoke
//
// Invoke resolves the qualifier ($LATEST, a version, or an alias, which
// may route a weighted share to a second version), authorises the caller
// against the qualified ARN it named (the service decides, with IAM's
// evaluator and the function's resource policy, spec lambda §10), then
// takes a concurrency lease before touching a pool: a function with
// reserved concurrency runs at most that many at once (zero throttles
// everything), the others share what reservations leave of the account
// limit, and a refusal is AWS's 429 TooManyRequestsException (§9). The
// event then goes to the version's sandbox pool. Pools are made lazily,
// one per version: a deployed function that is never called costs no
// process. A change of code or configuration retires $LATEST's pool once
// the invocations it is running are over. Each outcome is counted and
// kept, in memory only, for Invocations and Metrics.
//
// Event invocations return 202 at once and run in the background with
// AWS's retry policy: function errors are retried twice (after
// Config.RetryDelays), throttles until the event is too old; the outcome
// goes to the configured destinations and dead-letter queue as AWS's
// invocation records, which DestinationRecords lists. Shutdown drops the
// events waiting for a retry and bounds those running.
//
// The service reaches IAM, S3 and CloudWatch Logs only through the small
// interfaces declared here (Authorizer, CodeSource, and sandbox.LogSink);
// internal/platform passes the implementations in.
package lambda
