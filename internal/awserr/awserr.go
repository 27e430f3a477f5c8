package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a failure with AWS's code, message and HTTP status.
type Error struct {
	// Code is AWS's error code, spelled as AWS spells it.
	Code string
	// Message is the message in AWS's wording.
	Message string
	// Status is the HTTP status AWS answers with; zero means 400.
	Status int
	// Fields holds extra body fields some protocols carry (Lambda's
	// "Reason", "Type"); nil when there are none.
	Fields map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus is the status to answer with: Status, or 400 when unset.
func (e *Error) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// New returns an *Error with status 400.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// WithStatus returns an *Error with the given HTTP status.
func WithStatus(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

// As reports whether err wraps an *Error and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Code returns the AWS code of err, or "InternalFailure" when err carries
// none.
func Code(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return "InternalFailure"
}

// Common codes shared by several services.
const (
	CodeValidationError        = "ValidationError"
	CodeResourceNotFound       = "ResourceNotFoundException"
	CodeResourceConflict       = "ResourceConflictException"
	CodeInvalidParameterValue  = "InvalidParameterValueException"
	CodeAccessDenied           = "AccessDenied"
	CodeAccessDeniedException  = "AccessDeniedException"
	CodeTooManyRequests        = "TooManyRequestsException"
	CodeNotImplemented         = "NotImplemented"
	CodeInternalFailure        = "InternalFailure"
	CodeNoSuchEntity           = "NoSuchEntity"
	CodeEntityAlreadyExists    = "EntityAlreadyExists"
	CodeMalformedPolicy        = "MalformedPolicyDocument"
	CodeAlreadyExistsException = "AlreadyExistsException"
)
