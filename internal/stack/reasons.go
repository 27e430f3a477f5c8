package stack

import (
	"errors"
	"fmt"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// ReasonError is a failure whose message is already the status reason AWS
// shows, in AWS's wording (nested stacks' "Embedded stack … was not
// successfully created: …", property validation messages).
type ReasonError struct{ Reason string }

func (e *ReasonError) Error() string { return e.Reason }

// Reasonf returns a *ReasonError; AWS's messages start with capitals and
// end with periods, which Go's error-string style would not allow.
func Reasonf(format string, args ...any) error {
	return &ReasonError{Reason: fmt.Sprintf(format, args...)}
}

// reasonOf renders a failure as a resource event's status reason.
func reasonOf(err error) string {
	var re *ReasonError
	if errors.As(err, &re) {
		return re.Reason
	}
	if ae, ok := awserr.As(err); ok {
		return fmt.Sprintf("Resource handler returned message: %q (RequestToken: %s, HandlerErrorCode: %s)",
			ae.Message, newUUID(), handlerErrorCode(ae))
	}
	if te := template.AWSError(err); te != nil {
		return te.Message
	}
	return err.Error()
}

// handlerErrorCode maps a service error to the CloudFormation handler
// error code AWS reports beside it.
func handlerErrorCode(e *awserr.Error) string {
	switch {
	case e.HTTPStatus() == 404:
		return "NotFound"
	case e.HTTPStatus() == 409:
		return "AlreadyExists"
	case e.HTTPStatus() == 403:
		return "AccessDenied"
	case e.HTTPStatus() >= 500:
		return "ServiceInternalError"
	}
	return "InvalidRequest"
}

// positioned adds the resource's file and line to a failure, for the
// terminal; the event reason stays AWS's.
func positioned(tr *template.Resource, err error) error {
	var te *template.Error
	if errors.As(err, &te) {
		return err
	}
	return fmt.Errorf("%s:%d:%d: %w", tr.Pos.File, tr.Pos.Line, tr.Pos.Col, err)
}
