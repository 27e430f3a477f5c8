// Package platform is cloudlet's composition root: it builds every service
// from one Config, wires the small interfaces services declare to the
// implementations other services provide (Lambda's IAM questions to iam,
// API Gateway's invoker to lambda, the engine's nested templates to s3),
// registers the CloudFormation providers, and starts and stops it all in
// order. It is the only package that knows every implementation; the CLI
// (cmd/cloudlet) is a thin shell over it, and tests start the real thing
// through it.
package platform
