package apigw

import (
	"net/http"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// Error codes of the apigatewayv2 API (shared/specs/http-api.md §11).
const (
	CodeBadRequest      = "BadRequestException"
	CodeNotFound        = "NotFoundException"
	CodeConflict        = "ConflictException"
	CodeTooManyRequests = "TooManyRequestsException"
)

func badRequest(format string, args ...any) error {
	return awserr.WithStatus(http.StatusBadRequest, CodeBadRequest, format, args...)
}

func notFound(format string, args ...any) error {
	return awserr.WithStatus(http.StatusNotFound, CodeNotFound, format, args...)
}

func conflict(format string, args ...any) error {
	return awserr.WithStatus(http.StatusConflict, CodeConflict, format, args...)
}

// notImplemented refuses a feature cloudlet does not serve, naming it, as
// DESIGN.md asks (501, never a misleading 400).
func notImplemented(format string, args ...any) error {
	return awserr.WithStatus(http.StatusNotImplemented, awserr.CodeNotImplemented, format, args...)
}

// AWS's not-found messages; the API one carries the account, as real
// responses show ("Invalid API identifier specified 123456789012:abcdef1234").
func (s *Service) apiNotFound(apiID string) error {
	return notFound("Invalid API identifier specified %s:%s", s.cfg.AccountID, apiID)
}

func routeNotFound(id string) error {
	return notFound("Invalid Route identifier specified %s", id)
}

func integrationNotFound(id string) error {
	return notFound("Invalid Integration identifier specified %s", id)
}

func authorizerNotFound(id string) error {
	return notFound("Invalid Authorizer identifier specified %s", id)
}

func deploymentNotFound(id string) error {
	return notFound("Invalid Deployment identifier specified %s", id)
}

func stageNotFound(name string) error {
	return notFound("Invalid stage identifier specified %s", name)
}
