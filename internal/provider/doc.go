// Package provider holds cloudlet's CloudFormation resource providers: one
// file per resource family, each translating a type's evaluated
// properties into calls on the service that owns the resource (lambda,
// apigw, iam, logs, ssm) and reporting the Ref value and Fn::GetAtt
// attributes AWS documents for it (spec cloudformation §6).
//
// Providers hold no rules of their own: validation lives in the services,
// so a function created by a template, the Lambda API or the console is
// checked by the same code. What providers add is CloudFormation's shape:
// property names, generated physical names (announced before Create
// through stack.Planner, for crash safety), and the coercion AWS applies
// to scalars (a Timeout of "30" is the number 30).
//
// CustomResources backs AWS::CloudFormation::CustomResource and Custom::*
// with Lambda functions: it invokes the ServiceToken function with AWS's
// request event and waits for the response the function PUTs to its
// ResponseURL, which cloudlet serves under ResponsePath
// (/_cloudlet/cfn-response/) with the CustomResources handler.
//
// internal/platform registers them explicitly by type name.
package provider
