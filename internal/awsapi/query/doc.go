// Package query is the AWS Query protocol that CloudFormation, IAM and STS
// speak: form-encoded requests (Action=…&Version=…, lists as
// Name.member.N, structures in lists as Name.member.N.Field, maps as
// Name.entry.N.key/value, an empty list sent as "Name=") and XML answers
// wrapped in <ActionResponse><ActionResult>…</ActionResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>, with
// errors as <ErrorResponse><Error><Type/><Code/><Message/></Error>
// <RequestId/></ErrorResponse> (spec cloudformation §9).
//
// It is pure: Parse reads bytes, the writers write bytes, and nothing here
// knows what an operation means.
package query
