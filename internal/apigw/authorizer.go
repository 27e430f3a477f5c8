package apigw

import (
	"context"
	"fmt"
	"slices"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// CreateAuthorizer adds a JWT or Lambda REQUEST authorizer
// (CreateAuthorizer); it does not trigger an auto deployment (§2).
// Errors: NotFoundException, BadRequestException.
func (s *Service) CreateAuthorizer(ctx context.Context, apiID string, in CreateAuthorizerInput) (*Authorizer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *Authorizer
	err := s.update(apiID, func(tx *store.Tx) error {
		if _, err := s.getAPI(tx, apiID); err != nil {
			return err
		}
		n := 0
		_ = tx.ForEach(bucketAuthorizers, apiID+"/", func(string, []byte) error { n++; return nil })
		if n >= maxAuthorizersPerAPI {
			return badRequest("Exceeded the maximum number of authorizers per API (%d)", maxAuthorizersPerAPI)
		}
		a := &Authorizer{
			Name:                           in.Name,
			AuthorizerType:                 in.AuthorizerType,
			IdentitySource:                 slices.Clone(in.IdentitySource),
			JWTConfiguration:               in.JWTConfiguration,
			AuthorizerURI:                  in.AuthorizerURI,
			AuthorizerCredentialsARN:       in.AuthorizerCredentialsARN,
			AuthorizerPayloadFormatVersion: in.AuthorizerPayloadFormatVersion,
			AuthorizerResultTTLInSeconds:   in.AuthorizerResultTTLInSeconds,
			EnableSimpleResponses:          in.EnableSimpleResponses,
			IdentityValidationExpression:   in.IdentityValidationExpression,
		}
		if err := validateAuthorizer(a); err != nil {
			return err
		}
		a.AuthorizerID = newID(tx, bucketAuthorizers, apiID+"/", authorizerIDLen)
		out = a
		return tx.Put(bucketAuthorizers, subKey(apiID, a.AuthorizerID), a)
	})
	return out, err
}

// validateAuthorizer applies §8.2 and §8.3's configuration rules.
func validateAuthorizer(a *Authorizer) error {
	if a.Name == "" {
		return badRequest("Name is required")
	}
	if a.AuthorizerResultTTLInSeconds != nil && (*a.AuthorizerResultTTLInSeconds < 0 || *a.AuthorizerResultTTLInSeconds > 3600) {
		return badRequest("AuthorizerResultTtlInSeconds must be between 0 and 3600")
	}
	switch a.AuthorizerType {
	case AuthorizerJWT:
		if len(a.IdentitySource) != 1 {
			return badRequest("A JWT authorizer needs exactly one identity source")
		}
		if a.JWTConfiguration == nil || a.JWTConfiguration.Issuer == "" {
			return badRequest("JwtConfiguration with an Issuer is required for JWT authorizers")
		}
		if len(a.JWTConfiguration.Audience) > maxAudiencesPerJWT {
			return badRequest("A JWT authorizer can have at most %d audiences", maxAudiencesPerJWT)
		}
	case AuthorizerRequest:
		if a.AuthorizerURI == "" {
			return badRequest("AuthorizerUri is required for REQUEST authorizers")
		}
		switch a.AuthorizerPayloadFormatVersion {
		case "1.0", "2.0":
		default:
			return badRequest("AuthorizerPayloadFormatVersion is required for REQUEST authorizers. Supported values are 1.0 and 2.0")
		}
		if a.EnableSimpleResponses != nil && *a.EnableSimpleResponses && a.AuthorizerPayloadFormatVersion != "2.0" {
			return badRequest("EnableSimpleResponses is supported only with AuthorizerPayloadFormatVersion 2.0")
		}
	case "":
		return badRequest("AuthorizerType is required")
	default:
		return badRequest("Invalid authorizer type %s. Supported values are REQUEST and JWT", a.AuthorizerType)
	}
	return nil
}

// GetAuthorizer returns one authorizer. Errors: NotFoundException.
func (s *Service) GetAuthorizer(ctx context.Context, apiID, authorizerID string) (*Authorizer, error) {
	var out *Authorizer
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		var err error
		out, err = getSub[Authorizer](tx, bucketAuthorizers, apiID, authorizerID, authorizerNotFound)
		return err
	})
	return out, err
}

// ListAuthorizers returns the API's authorizers in ID order.
func (s *Service) ListAuthorizers(ctx context.Context, apiID string) ([]Authorizer, error) {
	var out []Authorizer
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		var err error
		out, err = listSub[Authorizer](tx, bucketAuthorizers, apiID)
		return err
	})
	return out, err
}

// UpdateAuthorizer changes the fields that are set and auto-deploys, even
// when no route uses the authorizer (§2). Errors: NotFoundException,
// BadRequestException.
func (s *Service) UpdateAuthorizer(ctx context.Context, apiID, authorizerID string, in UpdateAuthorizerInput) (*Authorizer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var a *Authorizer
	err := s.update(apiID, func(tx *store.Tx) error {
		api, err := s.getAPI(tx, apiID)
		if err != nil {
			return err
		}
		if a, err = getSub[Authorizer](tx, bucketAuthorizers, apiID, authorizerID, authorizerNotFound); err != nil {
			return err
		}
		set(&a.Name, in.Name)
		set(&a.AuthorizerType, in.AuthorizerType)
		if in.IdentitySource != nil {
			a.IdentitySource = slices.Clone(in.IdentitySource)
		}
		if in.JWTConfiguration != nil {
			a.JWTConfiguration = in.JWTConfiguration
		}
		set(&a.AuthorizerURI, in.AuthorizerURI)
		set(&a.AuthorizerCredentialsARN, in.AuthorizerCredentialsARN)
		set(&a.AuthorizerPayloadFormatVersion, in.AuthorizerPayloadFormatVersion)
		if in.AuthorizerResultTTLInSeconds != nil {
			a.AuthorizerResultTTLInSeconds = in.AuthorizerResultTTLInSeconds
		}
		if in.EnableSimpleResponses != nil {
			a.EnableSimpleResponses = in.EnableSimpleResponses
		}
		set(&a.IdentityValidationExpression, in.IdentityValidationExpression)
		if err := validateAuthorizer(a); err != nil {
			return err
		}
		if err := tx.Put(bucketAuthorizers, subKey(apiID, authorizerID), a); err != nil {
			return fmt.Errorf("update authorizer %s: %w", authorizerID, err)
		}
		return s.autoDeploy(tx, api)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteAuthorizer removes an authorizer no route uses. Errors:
// NotFoundException; ConflictException while a route uses it [UNV].
func (s *Service) DeleteAuthorizer(ctx context.Context, apiID, authorizerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(apiID, func(tx *store.Tx) error {
		if _, err := s.getAPI(tx, apiID); err != nil {
			return err
		}
		if _, err := getSub[Authorizer](tx, bucketAuthorizers, apiID, authorizerID, authorizerNotFound); err != nil {
			return err
		}
		routes, err := listSub[Route](tx, bucketRoutes, apiID)
		if err != nil {
			return err
		}
		for _, r := range routes {
			if r.AuthorizerID == authorizerID && r.AuthorizationType != AuthorizationNone {
				return conflict("Authorizer %s is used by route %s (%s)", authorizerID, r.RouteID, r.RouteKey)
			}
		}
		return tx.Delete(bucketAuthorizers, subKey(apiID, authorizerID))
	})
}
