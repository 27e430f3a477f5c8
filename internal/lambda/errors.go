package lambda

import (
	"fmt"
	"net/http"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// Lambda's error codes that awserr does not share with other services.
const (
	CodePreconditionFailed = "PreconditionFailedException"
	CodeRequestTooLarge    = "RequestTooLargeException"
	CodeInvalidContent     = "InvalidRequestContentException"
	CodeValidation         = "ValidationException"
)

// Throttle reasons of TooManyRequestsException (spec lambda §8.3).
const (
	ReasonReservedLimit = "ReservedFunctionConcurrentInvocationLimitExceeded"
	ReasonAccountLimit  = "ConcurrentInvocationLimitExceeded"
)

// userError marks an error as the caller's fault, as Lambda's bodies do
// with "Type":"User" (spec lambda §8.3).
func userError(e *awserr.Error) *awserr.Error {
	e.Fields = map[string]string{"Type": "User"}
	return e
}

func invalid(format string, args ...any) error {
	return userError(awserr.New(awserr.CodeInvalidParameterValue, format, args...))
}

// validation is the model-level check failure; it carries no Type.
func validation(field, value, constraint string) error {
	return awserr.New(CodeValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func conflict(format string, args ...any) error {
	return userError(awserr.WithStatus(http.StatusConflict, awserr.CodeResourceConflict, format, args...))
}

func resourceNotFound(format string, args ...any) error {
	return userError(awserr.WithStatus(http.StatusNotFound, awserr.CodeResourceNotFound, format, args...))
}

// preconditionFailed is a RevisionId that is not the current one.
func preconditionFailed() error {
	return userError(awserr.WithStatus(http.StatusPreconditionFailed, CodePreconditionFailed,
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"))
}

// throttled is the 429 an invocation gets when no concurrency is left,
// with the body fields spec lambda §8.3 shows: Reason, Type, message.
func throttled(reason string) *awserr.Error {
	return &awserr.Error{Code: awserr.CodeTooManyRequests, Message: "Rate Exceeded.", Status: http.StatusTooManyRequests,
		Fields: map[string]string{"Reason": reason, "Type": "User"}}
}

// notFound is "Function not found" for a function or one of its
// qualifiers; an unqualified name reports $LATEST, as AWS does since 2024
// (spec lambda §8.3).
func (s *Service) notFound(name, qualifier string) error {
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	return resourceNotFound("Function not found: %s", s.functionARN(name)+":"+qualifier)
}

// notFoundUnqualified is the control plane's form, which names the
// function's unqualified ARN.
func (s *Service) notFoundUnqualified(name string) error {
	return resourceNotFound("Function not found: %s", s.functionARN(name))
}

// maxItemsError is the refusal of a MaxItems outside AWS's 1–10000,
// naming the bound it crossed.
func maxItemsError(n int) error {
	if n < 1 {
		return validation("maxItems", fmt.Sprint(n), "Member must have value greater than or equal to 1")
	}
	return validation("maxItems", fmt.Sprint(n), "Member must have value less than or equal to 10000")
}

// isNotFound reports whether err is a ResourceNotFoundException.
func isNotFound(err error) bool {
	e, ok := awserr.As(err)
	return ok && e.Code == awserr.CodeResourceNotFound
}
