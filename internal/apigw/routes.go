package apigw

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/route"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// CreateRoute adds a route (CreateRoute) and auto-deploys (§2). Errors:
// NotFoundException for the API, BadRequestException for an invalid key,
// target or authorization, ConflictException for a key already in use.
func (s *Service) CreateRoute(ctx context.Context, apiID string, in CreateRouteInput) (*Route, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *Route
	err := s.update(apiID, func(tx *store.Tx) error {
		api, err := s.getAPI(tx, apiID)
		if err != nil {
			return err
		}
		if out, err = s.createRoute(tx, api, in, false); err != nil {
			return err
		}
		return s.autoDeploy(tx, api)
	})
	return out, err
}

func (s *Service) createRoute(tx *store.Tx, api *API, in CreateRouteInput, managed bool) (*Route, error) {
	r := &Route{
		RouteKey:                         in.RouteKey,
		Target:                           in.Target,
		AuthorizationType:                or(in.AuthorizationType, AuthorizationNone),
		AuthorizerID:                     in.AuthorizerID,
		AuthorizationScopes:              in.AuthorizationScopes,
		APIKeyRequired:                   in.APIKeyRequired,
		OperationName:                    in.OperationName,
		RequestModels:                    in.RequestModels,
		RequestParameters:                in.RequestParameters,
		RouteResponseSelectionExpression: in.RouteResponseSelectionExpression,
		ModelSelectionExpression:         in.ModelSelectionExpression,
		APIGatewayManaged:                managed,
	}
	routes, err := listSub[Route](tx, bucketRoutes, api.APIID)
	if err != nil {
		return nil, err
	}
	if len(routes) >= maxRoutesPerAPI {
		return nil, badRequest("Exceeded the maximum number of routes per API (%d)", maxRoutesPerAPI)
	}
	if err := s.validateRoute(tx, api.APIID, r, routes); err != nil {
		return nil, err
	}
	r.RouteID = newID(tx, bucketRoutes, api.APIID+"/", routeIDLen)
	if err := tx.Put(bucketRoutes, subKey(api.APIID, r.RouteID), r); err != nil {
		return nil, fmt.Errorf("create route: %w", err)
	}
	return r, nil
}

// validateRoute checks a new or changed route against the others
// (§1.3, §8.1).
func (s *Service) validateRoute(tx *store.Tx, apiID string, r *Route, others []Route) error {
	if err := validateRouteKey(r.RouteKey); err != nil {
		return err
	}
	for _, o := range others {
		if o.RouteID != r.RouteID && o.RouteKey == r.RouteKey {
			return conflict("Route with key %s already exists for this API", r.RouteKey)
		}
	}
	if r.Target != "" {
		id, ok := strings.CutPrefix(r.Target, "integrations/")
		if !ok || id == "" {
			return badRequest("Invalid target %s: a target has the form integrations/{integrationId}", r.Target)
		}
		if tx.GetRaw(bucketIntegrations, subKey(apiID, id)) == nil {
			return badRequest("Invalid target %s: %s", r.Target, integrationNotFound(id).Error())
		}
	}
	// §8.1 [VAL]: CreateRoute accepts an unknown authorizationType, so
	// only the types that need an authorizer are checked below.
	if len(r.AuthorizationScopes) > 0 && r.AuthorizationType != AuthorizationJWT {
		return badRequest("Authorization scopes are supported only for JWT authorizers")
	}
	if len(r.AuthorizationScopes) > maxScopesPerRoute {
		return badRequest("A route can have at most %d authorization scopes", maxScopesPerRoute)
	}
	if r.AuthorizationType == AuthorizationCustom || r.AuthorizationType == AuthorizationJWT {
		if r.AuthorizerID == "" {
			return badRequest("AuthorizerId is required for authorization type %s", r.AuthorizationType)
		}
		a, err := getSub[Authorizer](tx, bucketAuthorizers, apiID, r.AuthorizerID, authorizerNotFound)
		if err != nil {
			return badRequest("Invalid authorizer %s: %s", r.AuthorizerID, err.Error())
		}
		want := AuthorizerRequest
		if r.AuthorizationType == AuthorizationJWT {
			want = AuthorizerJWT
		}
		if a.AuthorizerType != want {
			return badRequest("Authorization type %s needs a %s authorizer; %s is %s", r.AuthorizationType, want, a.AuthorizerID, a.AuthorizerType)
		}
	}
	return nil
}

// GetRoute returns one route. Errors: NotFoundException.
func (s *Service) GetRoute(ctx context.Context, apiID, routeID string) (*Route, error) {
	var out *Route
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		var err error
		out, err = getSub[Route](tx, bucketRoutes, apiID, routeID, routeNotFound)
		return err
	})
	return out, err
}

// ListRoutes returns the API's routes in ID order.
func (s *Service) ListRoutes(ctx context.Context, apiID string) ([]Route, error) {
	var out []Route
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		var err error
		out, err = listSub[Route](tx, bucketRoutes, apiID)
		return err
	})
	return out, err
}

// UpdateRoute changes the fields that are set and auto-deploys (§2).
// Errors: NotFoundException, BadRequestException, ConflictException.
func (s *Service) UpdateRoute(ctx context.Context, apiID, routeID string, in UpdateRouteInput) (*Route, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var r *Route
	err := s.update(apiID, func(tx *store.Tx) error {
		api, err := s.getAPI(tx, apiID)
		if err != nil {
			return err
		}
		if r, err = getSub[Route](tx, bucketRoutes, apiID, routeID, routeNotFound); err != nil {
			return err
		}
		wasNone := r.AuthorizationType == AuthorizationNone
		if wasNone && in.AuthorizationType == nil && (in.AuthorizerID != nil || in.AuthorizationScopes != nil) {
			// §8.1 [VAL]: only AuthorizerId or AuthorizationScopes on a NONE route is rejected.
			return badRequest("AuthorizerId and AuthorizationScopes need an AuthorizationType other than NONE")
		}
		set(&r.RouteKey, in.RouteKey)
		set(&r.Target, in.Target)
		set(&r.AuthorizationType, in.AuthorizationType)
		set(&r.AuthorizerID, in.AuthorizerID)
		if in.AuthorizationScopes != nil {
			r.AuthorizationScopes = slices.Clone(in.AuthorizationScopes)
			if len(r.AuthorizationScopes) == 0 {
				r.AuthorizationScopes = nil
			}
		}
		if r.AuthorizationType != AuthorizationJWT && in.AuthorizationType != nil && in.AuthorizationScopes == nil {
			r.AuthorizationScopes = nil // scopes belong to JWT routes only
		}
		set(&r.APIKeyRequired, in.APIKeyRequired)
		set(&r.OperationName, in.OperationName)
		set(&r.RouteResponseSelectionExpression, in.RouteResponseSelectionExpression)
		set(&r.ModelSelectionExpression, in.ModelSelectionExpression)
		if in.RequestModels != nil {
			r.RequestModels = in.RequestModels
		}
		if in.RequestParameters != nil {
			r.RequestParameters = in.RequestParameters
		}
		others, err := listSub[Route](tx, bucketRoutes, apiID)
		if err != nil {
			return err
		}
		if err := s.validateRoute(tx, apiID, r, others); err != nil {
			return err
		}
		if err := tx.Put(bucketRoutes, subKey(apiID, routeID), r); err != nil {
			return fmt.Errorf("update route %s: %w", routeID, err)
		}
		return s.autoDeploy(tx, api)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteRoute removes a route and auto-deploys (§2). Errors:
// NotFoundException.
func (s *Service) DeleteRoute(ctx context.Context, apiID, routeID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(apiID, func(tx *store.Tx) error {
		api, err := s.getAPI(tx, apiID)
		if err != nil {
			return err
		}
		if _, err := getSub[Route](tx, bucketRoutes, apiID, routeID, routeNotFound); err != nil {
			return err
		}
		if err := tx.Delete(bucketRoutes, subKey(apiID, routeID)); err != nil {
			return fmt.Errorf("delete route %s: %w", routeID, err)
		}
		return s.autoDeploy(tx, api)
	})
}

// validateRouteKey checks a route key's syntax (§1.3).
func validateRouteKey(key string) error {
	_, err := route.ParseKey(key)
	if err == nil {
		return nil
	}
	if key == "" {
		return badRequest("Route key is required")
	}
	var ke *route.KeyError
	if errors.As(err, &ke) {
		return badRequest("Invalid route key %q: %s", key, ke.Reason)
	}
	return badRequest("Invalid route key %q", key)
}
