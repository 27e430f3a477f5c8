package policy

import "strconv"

// Kind says which sort of document a policy is; IAM validates each
// differently.
type Kind int

const (
	// Identity is an inline or managed policy attached to a role: it may not
	// name a principal and must name resources.
	Identity Kind = iota
	// Resource is a resource-based policy, such as a Lambda function
	// policy: it must name a principal.
	Resource
	// Trust is a role's AssumeRolePolicyDocument: it must name a principal,
	// may not name resources, and may only allow sts: actions.
	Trust
)

func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity"
	case Resource:
		return "resource"
	case Trust:
		return "trust"
	}
	return "unknown"
}

// Effect is a statement's effect.
type Effect string

// The two effects IAM knows.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Versions IAM accepts.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed, validated document. It is immutable and safe for
// concurrent use.
type Policy struct {
	// Version is the document's Version, or "" when it has none (IAM then
	// reads it as 2008-10-17: policy variables are not expanded).
	Version string
	// ID is the optional top-level Id.
	ID string
	// Statements are the document's statements in order.
	Statements []Statement

	kind Kind
}

// Kind is the kind the document was parsed as.
func (p *Policy) Kind() Kind { return p.kind }

// Statement is one parsed statement. Its matching rules are compiled and
// unexported; Sid and Effect are for reporting which statement decided.
type Statement struct {
	Sid    string
	Effect Effect

	principal    *principalSet // nil when the statement names none
	notPrincipal bool
	actions      []glob
	notAction    bool
	resources    []pattern // nil with hasResource false: trust statements match any resource
	notResource  bool
	hasResource  bool
	conditions   []condition
}

// Label names the statement at index i for humans: its Sid, or its
// position counted from 1.
func (s *Statement) Label(i int) string {
	if s.Sid != "" {
		return strconv.Quote(s.Sid)
	}
	return "#" + strconv.Itoa(i+1)
}

// Error is a document IAM would refuse. Message is IAM's wording, which
// callers return as a MalformedPolicyDocument error.
type Error struct {
	Message string
}

func (e *Error) Error() string { return e.Message }

// IAM's messages for malformed documents.
const (
	msgSyntax           = "Syntax errors in policy."
	msgVersion          = "Policy document must be version 2012-10-17 or greater."
	msgLegacy           = "The policy failed legacy parsing"
	msgSidUnique        = "Statement IDs (SID) in a single policy must be unique."
	msgNoActions        = "Policy statement must contain actions."
	msgNoResources      = "Policy statement must contain resources."
	msgVendor           = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgColon            = "Actions/Condition can contain only one colon."
	msgVendorInvalid    = "Vendor %s is not valid"
	msgResourceARN      = `Resource %s must be in ARN format or "*".`
	msgResourceVendor   = "Resource vendor must be fully qualified and cannot contain regexes."
	msgPartition        = `Partition "%s" is not valid for resource "%s".`
	msgPrincipalBanned  = "Policy document should not specify a principal."
	msgPrincipalMissing = "Missing required field Principal"
	msgTrustResource    = "Has prohibited field Resource"
	msgTrustNotResource = "Has prohibited field NotResource"
	msgTrustAction      = "AssumeRole policy may only specify STS AssumeRole actions."
	msgInvalidPrincipal = `Invalid principal in policy: "%s":"%s"`
)
