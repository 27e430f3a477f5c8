// Package iam is cloudlet's Identity and Access Management: roles with
// their trust, inline and attached policies, customer managed policies, the
// catalog of AWS managed policies users commonly attach, temporary
// credentials for role sessions, and the authorizer that answers "may this
// principal do this action on this resource?" the way AWS does.
//
// # Who asks what
//
// CloudFormation's IAM providers create roles and policies through the
// wire-shaped methods (CreateRole, PutRolePolicy, AttachRolePolicy,
// CreatePolicy, …), which validate exactly as IAM does and return
// *awserr.Error values with IAM's codes, statuses and messages. The Lambda
// service calls Authorize before an invoke (API Gateway through its
// credentials role, or its service principal through the function's
// resource policy) and when a function's role writes logs; it calls
// CanAssume before acting as a role and IssueCredentials to hand a
// function its role's session keys. SigV4 verification resolves access
// keys with LookupAccessKey.
//
// # Evaluation
//
// Authorize gathers the documents that apply — the role's inline and
// attached managed policies (bounded by its permissions boundary), and the
// resource policy the caller passes — and combines what package policy says
// about each: an explicit deny anywhere wins; within the account an allow
// from an identity policy or from a resource policy naming the principal is
// enough; across accounts both sides must allow. The root user of the
// service's own account may do anything no resource policy explicitly
// denies; a service principal may act only where a resource policy names
// it. Parsed documents are cached per role and dropped on every write, so
// the invoke path does no store writes and no JSON parsing once warm.
// RecentDenials keeps the last denials, with the reason, for the console.
package iam
