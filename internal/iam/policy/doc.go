// Package policy is the IAM policy language: it parses JSON policy
// documents the way IAM validates them (same checks, same
// MalformedPolicyDocument messages) and evaluates one document against one
// request. It is pure — no I/O, no clock, no store — so the rules that decide
// whether a Lambda function may be invoked or a role assumed can be tested
// exhaustively with tables.
//
// # Documents
//
// Parse takes the raw JSON text and the kind of document it is: an identity
// policy (inline or managed; no Principal allowed), a resource-based policy
// (a Lambda function policy; Principal required) or a role trust policy
// (Principal required, Resource prohibited, only sts: actions). Statement may
// be one object or a list; Action, Resource, Principal values may be one
// string or a list. Wildcards * and ? match actions case-insensitively and
// resources case-sensitively. Condition supports the String, Numeric, Date,
// Bool, Binary, IpAddress, Arn and Null operators, the ForAnyValue: and
// ForAllValues: set qualifiers and the IfExists suffix. Policy variables
// (${aws:username}, ${*}, defaults with ${key, 'value'}) are expanded in
// Resource and in String and Arn condition values of 2012-10-17 documents.
//
// # Evaluation
//
// Policy.Evaluate reports the first statement that explicitly denies the
// request, or else the statement that allows it, and whether that allow
// only named the principal's account (a delegation to the account's own
// identity policies, not a grant). Combining several documents — explicit
// deny wins, identity OR resource policy within an account, both across
// accounts — is the caller's job (package iam), because it needs to know
// which documents apply to whom.
package policy
