package ssm

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// SSM error codes.
const (
	CodeValidation               = "ValidationException"
	CodeParameterNotFound        = "ParameterNotFound"
	CodeParameterAlreadyExists   = "ParameterAlreadyExists"
	CodeParameterVersionNotFound = "ParameterVersionNotFound"
	CodeParameterPatternMismatch = "ParameterPatternMismatchException"
	CodeInvalidAllowedPattern    = "InvalidAllowedPatternException"
	CodeHierarchyLevelLimit      = "HierarchyLevelLimitExceededException"
	CodeInvalidNextToken         = "InvalidNextToken"
	CodeAccessDenied             = "AccessDeniedException"
	CodeInvalidResourceID        = "InvalidResourceId"
)

func ssmError(code, format string, args ...any) error {
	return &awserr.Error{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// errNotFound is ParameterNotFound. AWS sends it with an empty message
// ("An error occurred (ParameterNotFound) when calling the GetParameter
// operation: " is what the CLI prints).
func errNotFound() error {
	return &awserr.Error{Code: CodeParameterNotFound, Status: http.StatusBadRequest}
}

// validation renders a failed input constraint in AWS's request-validation
// wording. Values of sensitive members (the parameter value) are left out
// of the message, as AWS leaves them out.
func validation(value *string, field, constraint string) error {
	v := ""
	if value != nil {
		v = fmt.Sprintf(" '%s'", *value)
	}
	return ssmError(CodeValidation, "1 validation error detected: Value%s at '%s' failed to satisfy constraint: %s", v, field, constraint)
}

func enumSet(vals ...string) string {
	return "Member must satisfy enum value set: [" + strings.Join(vals, ", ") + "]"
}
