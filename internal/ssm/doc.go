// Package ssm is cloudlet's Systems Manager Parameter Store: String,
// StringList and SecureString parameters with versions, hierarchies,
// paths and AWS's error codes, kept in the store so they survive a
// restart. The CloudFormation engine resolves
// AWS::SSM::Parameter::Value<…> template parameters through GetParameter,
// and the AWS::SSM::Parameter resource provider creates, updates and
// deletes parameters through PutParameter and DeleteParameter; the SSM
// JSON 1.1 wire adapter maps the API onto the same calls.
//
// Every PutParameter makes a new version; the last 100 versions are kept
// and readable with the "name:version" selector, as in AWS. Labels are not
// supported.
//
// SecureString values are stored as given. cloudlet has no KMS: reading
// one without WithDecryption returns an opaque base64 token in place of
// AWS's ciphertext, which is enough for clients that only pass it along
// but is not encryption. The data directory must be protected like the
// secrets in it.
package ssm
