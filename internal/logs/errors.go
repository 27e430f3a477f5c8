package logs

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// AWS error codes of CloudWatch Logs.
const (
	CodeResourceNotFound      = "ResourceNotFoundException"
	CodeResourceAlreadyExists = "ResourceAlreadyExistsException"
	CodeInvalidParameter      = "InvalidParameterException"
)

func errGroupNotFound() error {
	return awserr.New(CodeResourceNotFound, "The specified log group does not exist.")
}

func errStreamNotFound() error {
	return awserr.New(CodeResourceNotFound, "The specified log stream does not exist.")
}

func errGroupExists() error {
	return awserr.New(CodeResourceAlreadyExists, "The specified log group already exists")
}

func errStreamExists() error {
	return awserr.New(CodeResourceAlreadyExists, "The specified log stream already exists")
}

func invalidParameter(format string, args ...any) error {
	return &awserr.Error{Code: CodeInvalidParameter, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// validationError renders a failed input constraint in the wording AWS's
// request validation uses ("1 validation error detected: Value 'x' at
// 'field' failed to satisfy constraint: …"), which CloudWatch Logs
// reports as InvalidParameterException.
func validationError(value any, field, constraint string) error {
	v := ""
	if value != nil {
		v = fmt.Sprintf(" '%v'", value)
	}
	return invalidParameter("1 validation error detected: Value%s at '%s' failed to satisfy constraint: %s", v, field, constraint)
}

func errInvalidToken() error {
	return invalidParameter("The specified nextToken is invalid.")
}

// validateGroupName applies AWS's logGroupName constraints (length 1–512,
// [\.\-_/#A-Za-z0-9]+).
func validateGroupName(name string) error {
	const pattern = `[\.\-_/#A-Za-z0-9]+`
	if len(name) < 1 {
		return validationError(name, "logGroupName", "Member must have length greater than or equal to 1")
	}
	if len(name) > 512 {
		return validationError(name, "logGroupName", "Member must have length less than or equal to 512")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/#", c) >= 0
		if !ok {
			return validationError(name, "logGroupName", "Member must satisfy regular expression pattern: "+pattern)
		}
	}
	return nil
}

// validateStreamName applies AWS's logStreamName constraints (length
// 1–512, [^:*]*). NUL is refused too: it separates names in store keys.
func validateStreamName(name string) error {
	if len(name) < 1 {
		return validationError(name, "logStreamName", "Member must have length greater than or equal to 1")
	}
	if len(name) > 512 {
		return validationError(name, "logStreamName", "Member must have length less than or equal to 512")
	}
	if strings.ContainsAny(name, ":*\x00") {
		return validationError(name, "logStreamName", "Member must satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

// validateLimit checks a page size against AWS's bounds for the operation.
// Zero means "not given" and is replaced by def.
func validateLimit(limit, max, def int) (int, error) {
	switch {
	case limit == 0:
		return def, nil
	case limit < 1:
		return 0, validationError(limit, "limit", "Member must have value greater than or equal to 1")
	case limit > max:
		return 0, validationError(limit, "limit", fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
	return limit, nil
}
