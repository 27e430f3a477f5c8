package iam

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// IAM and STS error codes not shared with other services.
const (
	CodeDeleteConflict       = "DeleteConflict"
	CodeLimitExceeded        = "LimitExceeded"
	CodeInvalidInput         = "InvalidInput"
	CodeExpiredToken         = "ExpiredToken"
	CodeInvalidClientTokenID = "InvalidClientTokenId"
)

func errNoSuchRole(name string) error {
	return awserr.WithStatus(http.StatusNotFound, awserr.CodeNoSuchEntity, "The role with name %s cannot be found.", name)
}

func errRoleExists(name string) error {
	return awserr.WithStatus(http.StatusConflict, awserr.CodeEntityAlreadyExists, "Role with name %s already exists.", name)
}

func errNoSuchRolePolicy(name string) error {
	return awserr.WithStatus(http.StatusNotFound, awserr.CodeNoSuchEntity, "The role policy with name %s cannot be found.", name)
}

func errNoSuchPolicy(arn string) error {
	return awserr.WithStatus(http.StatusNotFound, awserr.CodeNoSuchEntity, "Policy %s was not found.", arn)
}

func errNotAttachable(arn string) error {
	return awserr.WithStatus(http.StatusNotFound, awserr.CodeNoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
}

func errNoSuchVersion(arn, version string) error {
	return awserr.WithStatus(http.StatusNotFound, awserr.CodeNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, version)
}

func errPolicyExists(name string) error {
	return awserr.WithStatus(http.StatusConflict, awserr.CodeEntityAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", name)
}

func errMalformed(msg string) error {
	return awserr.WithStatus(http.StatusBadRequest, awserr.CodeMalformedPolicy, "%s", msg)
}

func errDeleteConflict(msg string) error {
	return awserr.WithStatus(http.StatusConflict, CodeDeleteConflict, "%s", msg)
}

func errLimit(format string, args ...any) error {
	return awserr.WithStatus(http.StatusConflict, CodeLimitExceeded, format, args...)
}

// validationError builds IAM's (and STS's) constraint message:
// 1 validation error detected: Value 'x' at 'roleName' failed to satisfy
// constraint: Member must ….
func validationError(value, field, constraint string) error {
	return awserr.WithStatus(http.StatusBadRequest, awserr.CodeValidationError,
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member %s", value, field, constraint)
}

// checkName validates a role or policy name.
func checkName(value, field string, max int) error {
	switch {
	case len(value) < 1:
		return validationError(value, field, "must have length greater than or equal to 1")
	case len(value) > max:
		return validationError(value, field, fmt.Sprintf("must have length less than or equal to %d", max))
	case strings.IndexFunc(value, func(r rune) bool { return !isNameRune(r) }) >= 0:
		return validationError(value, field, `must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return nil
}

func isNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)
}

// checkPath validates an IAM path: "/" or "/…/" of printable ASCII.
func checkPath(path string) error {
	const pattern = `must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	if len(path) > 512 {
		return validationError(path, "path", "must have length less than or equal to 512")
	}
	if path == "/" {
		return nil
	}
	if len(path) < 3 || path[0] != '/' || path[len(path)-1] != '/' {
		return validationError(path, "path", pattern)
	}
	for i := 0; i < len(path); i++ {
		if path[i] < 0x21 || path[i] > 0x7e {
			return validationError(path, "path", pattern)
		}
	}
	return nil
}

// policySize is the size IAM counts against its quotas: characters other
// than whitespace.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}
