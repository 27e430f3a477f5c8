package template

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// Error is a template problem: where it is, which logical ID it concerns,
// and AWS's wording of it. Every error this package returns is an *Error or
// an errors.Join of them; callers that need the wire error use AWSError.
type Error struct {
	// Pos is where the problem is; zero when it has no place (a supplied
	// parameter value that names nothing in the template).
	Pos Pos
	// LogicalID is the resource, output, parameter, condition or rule being
	// processed; empty for template-wide problems.
	LogicalID string
	// Message is the text AWS returns, without any position.
	Message string
	// Detail is extra text for humans that AWS would not send, such as the
	// YAML parser's source excerpt. Empty when there is none.
	Detail string
	// Err is the underlying cause (a Resolver or SSM failure), or nil.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Pos != (Pos{}) {
		b.WriteString(e.Pos.String())
		b.WriteString(": ")
	}
	if e.LogicalID != "" {
		b.WriteString(e.LogicalID)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Detail != "" {
		b.WriteString("\n")
		b.WriteString(e.Detail)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// AWSError converts err to the error CloudFormation returns on the wire: a
// failure of a Resolver, ImportValue or SSM callback that carries its own
// *awserr.Error keeps it; any other template error becomes a ValidationError
// (HTTP 400) with AWS's message and no position. For a joined error (as from
// Validate) it is the first problem, as AWS reports only one. It returns nil
// when err is nil or carries neither kind of error.
func AWSError(err error) *awserr.Error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) {
		if ae, ok := awserr.As(te.Err); ok {
			return ae
		}
		return awserr.New(awserr.CodeValidationError, "%s", te.Message)
	}
	if ae, ok := awserr.As(err); ok {
		return ae
	}
	return nil
}

// errAt builds an *Error at n's position, naming n's owner.
func errAt(n *Node, format string, args ...any) *Error {
	e := &Error{Message: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Pos = n.Pos
		if n.own != nil {
			e.LogicalID = n.own.logicalID
		}
	}
	return e
}

// Messages in AWS's wording. The spec section (shared/specs/cloudformation.md)
// and confidence tag say where each comes from; [inf] marks wording that was
// not seen from AWS and follows the style of its neighbours.
const (
	// §1.1 [rec]
	msgNoResources      = "Template format error: At least one Resources member must be defined."
	msgResourceNotMap   = "Template format error: Any Resources member must be an object."
	msgResourceNoType   = "Template format error: [%s] Every Resources object must contain a Type member."
	msgOutputNoValue    = "Template format error: Every Outputs member must contain a Value object"
	msgNull             = "[%s] 'null' values are not allowed in templates"
	msgMappingNotMap    = "Template format error: Every Mappings member %s must be a map"
	msgMappingAttr      = "Template format error: Every Mappings attribute must be a String or a List."
	msgYAML             = "Template format error: YAML not well-formed. (line %d, column %d)"
	msgJSON             = "Template format error: JSON not well-formed. (line %d, column %d)"
	msgNonAlnum         = "Template format error: %s name %s is non alphanumeric."
	msgBadResourceAttr  = "Invalid template resource property '%s'"
	msgUnresolvedDeps   = "Template format error: Unresolved resource dependencies [%s] in the %s block of the template"
	msgUnresolvedCondRs = "Template format error: Unresolved condition dependency %s in the %s block of the template"
	msgCondResources    = "Template format error: Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template"
	msgTooLarge         = "Template may not exceed %d bytes in size."

	// Seen in real AWS output quoted in public issues [WEB].
	msgBadSections     = "Template format error: Invalid template property or properties [%s]"
	msgUnsupportedFn   = "Template error: Encountered unsupported function: %s Supported functions are: [%s]"
	msgDependsOnShape  = "Template format error: DependsOn must be a string or list of strings."
	msgDescription     = "Template format error: Every Description member must be a string."
	msgConditionMember = "Template format error: Every Condition member must be a string."
	msgCondShape       = "Template format error: Conditions can only be boolean operations on parameters and other conditions"
	msgBadParamProp    = "Template format error: Invalid template parameter property '%s'"
	msgExportName      = "Template format error: Output %s is malformed. The Name field of every Export member must be specified and consist only of alphanumeric characters, colons, or hyphens."
	msgTooMany         = "Template format error: Number of %s, %d, is greater than maximum allowed, %d"

	// Intrinsic function shapes (§1.4, §1.5) [rec] unless marked.
	msgRefShape        = "Template error: every Ref object must have a single String value."
	msgGetAttShape     = "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"
	msgGetAttUndefined = "Template error: instance of Fn::GetAtt references undefined resource %s"
	msgJoinShape       = "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined."
	msgSelectShape     = "Template error: Fn::Select requires a list argument with two elements: an integer index and a list"
	msgSelectRange     = "Template error: Fn::Select cannot select nonexistent value at index %d"
	msgSplitShape      = "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split."
	msgFindInMapShape  = "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value"
	msgFindInMapMiss   = "Template error: Unable to get mapping for %s::%s::%s"
	msgIfShape         = "Template error: Fn::If requires a list argument with three elements"
	msgIfCondName      = "Template error: Fn::If requires a list argument with the first element being a condition"
	msgIfUnknown       = "Template error: unresolved condition dependency %s in Fn::If"
	msgEqualsShape     = "Template error: every Fn::Equals object requires a list of 2 string parameters."
	msgAndOrShape      = "Template error: every %s object requires a list of atleast 2 and atmost 10 boolean parameters."
	msgSubShape        = "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"
	msgSubContext      = "Template error: every value of the context object of every Fn::Sub object must be a string or a function that returns a string"
	msgSubNotString    = "Template error: variable %s in Fn::Sub expression does not resolve to a string"
	msgImportDepends   = "Template error: the attribute in Fn::ImportValue must not depend on any resources, imported values, or Fn::GetAZs"
	msgNoExport        = "No export named %s found"
	msgNotShape        = "Template error: every Fn::Not object requires a list of 1 boolean parameter."                                                                                                                                                        // [inf]
	msgCondUnknown     = "Template error: unresolved condition dependency %s in Fn::Condition"                                                                                                                                                                 // [inf], after Fn::If's
	msgCondCycle       = "Template format error: Circular dependency between conditions: [%s]"                                                                                                                                                                 // [inf], after resources'
	msgBase64Shape     = "Template error: every Fn::Base64 object must have a String value"                                                                                                                                                                    // [inf]
	msgGetAZsShape     = "Template error: every Fn::GetAZs object requires a single string parameter"                                                                                                                                                          // [inf]
	msgCidrShape       = "Template error: every Fn::Cidr object requires three parameters, (1) an ip block in CIDR notation, (2) the number of subnets to generate between 1 and 256 and (3) the number of subnet bits between 1 and the size of the ip block" // [inf]
	msgCidrSpace       = "Template error: Fn::Cidr cannot fit %d subnets of /%d in %s"                                                                                                                                                                         // [inf]
	msgImportShape     = "Template error: every Fn::ImportValue object requires a single string parameter"                                                                                                                                                     // [inf]
	msgToJSONShape     = "Template error: every Fn::ToJsonString object requires a map or a list"                                                                                                                                                              // [inf]
	msgLengthShape     = "Template error: every Fn::Length object requires a list or a function that returns a list"                                                                                                                                           // [inf]
	msgNotBoolean      = "Template error: %s must evaluate to a boolean"                                                                                                                                                                                       // [inf]
	msgCycle           = "Circular dependency between resources: [%s]"

	// §3.3, §3.4 [rec/WEB]
	msgParamsMissing    = "Parameters: [%s] must have values"
	msgParamsUnknown    = "Parameters: [%s] do not exist in the template"
	msgParamType        = "Template format error: Unrecognized parameter type: %s"
	msgParamNoType      = "Template format error: [%s] Every Parameters object must contain a Type member." // [inf], after resources'
	msgParamConstraint  = "Parameter %s failed to satisfy constraint: %s"
	msgParamAllowed     = "Parameter '%s' must be one of AllowedValues"
	msgParamPattern     = "Parameter '%s' must match pattern %s"
	msgParamMinLen      = "Parameter '%s' must contain at least %s characters"
	msgParamMaxLen      = "Parameter '%s' must contain at most %s characters"
	msgParamNumber      = "Parameter '%s' must be a number."
	msgParamMinValue    = "Parameter '%s' must be a number not less than %s"
	msgParamMaxValue    = "Parameter '%s' must be a number not greater than %s"
	msgSSMFetch         = "Unable to fetch parameters [%s] from parameter store for this account."
	msgRuleAssertFailed = "Template validation error: Assertion %d of rule %s failed" // [inf]; used when AssertDescription is absent
)

// supportedFunctions is the list AWS prints after "Supported functions are:"
// [WEB, aws/aws-cli#2746], plus the functions added since.
const supportedFunctions = "Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr, Fn::Length, Fn::ToJsonString"
