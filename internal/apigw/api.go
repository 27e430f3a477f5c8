package apigw

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// CreateAPI creates an HTTP API (CreateApi). With Target set it is a
// quick create (§10). Errors: BadRequestException for invalid input;
// NotImplemented (501) for WEBSOCKET APIs, which cloudlet does not serve.
func (s *Service) CreateAPI(ctx context.Context, in CreateAPIInput) (*API, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := validateProtocol(in.ProtocolType); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, badRequest("Name is required")
	}
	if err := validateCors(in.CorsConfiguration); err != nil {
		return nil, err
	}
	if in.Target == "" && (in.RouteKey != "" || in.CredentialsARN != "") {
		return nil, badRequest("RouteKey and CredentialsArn are only supported together with Target (quick create)")
	}
	var api API
	var apiID string
	err := func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		err := s.cfg.DB.Update(func(tx *store.Tx) error {
			apiID = newID(tx, bucketAPIs, "", apiIDLen)
			api = API{
				APIID:                     apiID,
				Name:                      in.Name,
				ProtocolType:              ProtocolHTTP,
				APIEndpoint:               s.cfg.EndpointURL(apiID),
				APIKeySelectionExpression: or(in.APIKeySelectionExpression, defaultAPIKeySelection),
				RouteSelectionExpression:  or(in.RouteSelectionExpression, defaultRouteSelection),
				CorsConfiguration:         normalizeCors(in.CorsConfiguration),
				CreatedDate:               s.timestamp(),
				Description:               in.Description,
				DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint,
				DisableSchemaValidation:   in.DisableSchemaValidation,
				Version:                   in.Version,
				Tags:                      orEmpty(in.Tags),
				IPAddressType:             or(in.IPAddressType, "ipv4"),
			}
			if err := tx.Put(bucketAPIs, apiID, api); err != nil {
				return fmt.Errorf("create API: %w", err)
			}
			if in.Target != "" {
				return s.quickCreate(tx, &api, in)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return s.reload(apiID)
	}()
	if err != nil {
		return nil, err
	}
	return &api, nil
}

// quickCreate adds the integration, route and auto-deployed $default
// stage that CreateApi with a target makes (§10).
func (s *Service) quickCreate(tx *store.Tx, api *API, in CreateAPIInput) error {
	integ := CreateIntegrationInput{
		IntegrationType:      IntegrationAWSProxy,
		IntegrationURI:       in.Target,
		IntegrationMethod:    "POST",
		PayloadFormatVersion: "2.0",
		CredentialsARN:       in.CredentialsARN,
	}
	if strings.HasPrefix(in.Target, "http://") || strings.HasPrefix(in.Target, "https://") {
		integ.IntegrationType, integ.IntegrationMethod, integ.PayloadFormatVersion = IntegrationHTTPProxy, "ANY", "1.0"
	}
	ig, err := s.createIntegration(tx, api, integ, true)
	if err != nil {
		return err
	}
	if _, err := s.createRoute(tx, api, CreateRouteInput{
		RouteKey: or(in.RouteKey, "$default"),
		Target:   "integrations/" + ig.IntegrationID,
	}, true); err != nil {
		return err
	}
	_, err = s.createStage(tx, api, CreateStageInput{StageName: DefaultStage, AutoDeploy: true}, true)
	return err
}

func validateProtocol(p string) error {
	switch p {
	case ProtocolHTTP:
		return nil
	case ProtocolWebSocket:
		return notImplemented("cloudlet serves HTTP APIs only: ProtocolType WEBSOCKET is not supported")
	}
	return badRequest("Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")
}

// GetAPI returns one API (GetApi). Errors: NotFoundException.
func (s *Service) GetAPI(ctx context.Context, apiID string) (*API, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var api *API
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		var err error
		api, err = s.getAPI(tx, apiID)
		return err
	})
	return api, err
}

// ListAPIs returns every API in ID order (GetApis without paging; the
// wire adapter pages).
func (s *Service) ListAPIs(ctx context.Context) ([]API, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []API
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		var err error
		out, err = store.List[API](tx, bucketAPIs, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list APIs: %w", err)
	}
	return out, nil
}

// UpdateAPI changes the fields that are set (UpdateApi) and auto-deploys
// (§2). Errors: NotFoundException, BadRequestException.
func (s *Service) UpdateAPI(ctx context.Context, apiID string, in UpdateAPIInput) (*API, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var api *API
	err := s.update(apiID, func(tx *store.Tx) error {
		var err error
		if api, err = s.getAPI(tx, apiID); err != nil {
			return err
		}
		if in.Name != nil {
			if *in.Name == "" {
				return badRequest("Name must not be empty")
			}
			api.Name = *in.Name
		}
		if in.CorsConfiguration != nil {
			if err := validateCors(in.CorsConfiguration); err != nil {
				return err
			}
			api.CorsConfiguration = normalizeCors(in.CorsConfiguration)
		}
		set(&api.APIKeySelectionExpression, in.APIKeySelectionExpression)
		set(&api.Description, in.Description)
		set(&api.DisableExecuteAPIEndpoint, in.DisableExecuteAPIEndpoint)
		set(&api.DisableSchemaValidation, in.DisableSchemaValidation)
		set(&api.RouteSelectionExpression, in.RouteSelectionExpression)
		set(&api.Version, in.Version)
		set(&api.IPAddressType, in.IPAddressType)
		api.Tags = orEmpty(api.Tags) // AWS shows tags: {} after an update
		if err := tx.Put(bucketAPIs, apiID, api); err != nil {
			return fmt.Errorf("update API %s: %w", apiID, err)
		}
		return s.autoDeploy(tx, api)
	})
	if err != nil {
		return nil, err
	}
	return api, nil
}

// DeleteCorsConfiguration removes the API's CORS configuration
// (DeleteCorsConfiguration). Like any change it goes live with the next
// deployment; auto-deploy stages get one (§2 [UNV] which calls trigger).
func (s *Service) DeleteCorsConfiguration(ctx context.Context, apiID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(apiID, func(tx *store.Tx) error {
		api, err := s.getAPI(tx, apiID)
		if err != nil {
			return err
		}
		api.CorsConfiguration = nil
		if err := tx.Put(bucketAPIs, apiID, api); err != nil {
			return fmt.Errorf("delete CORS of %s: %w", apiID, err)
		}
		return s.autoDeploy(tx, api)
	})
}

// DeleteAPI deletes an API with its routes, integrations, authorizers,
// stages and deployments (DeleteApi). Errors: NotFoundException.
func (s *Service) DeleteAPI(ctx context.Context, apiID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(apiID, func(tx *store.Tx) error {
		if _, err := s.getAPI(tx, apiID); err != nil {
			return err
		}
		for _, b := range []string{bucketRoutes, bucketIntegrations, bucketAuthorizers, bucketStages, bucketDeployments, bucketSnapshots} {
			if err := deleteSubs(tx, b, apiID); err != nil {
				return fmt.Errorf("delete API %s: %w", apiID, err)
			}
		}
		return tx.Delete(bucketAPIs, apiID)
	})
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// normalizeCors copies a CORS configuration; a configuration with nothing
// in it is no configuration.
func normalizeCors(c *Cors) *Cors {
	if c == nil {
		return nil
	}
	cp := *c
	cp.AllowHeaders = slices.Clone(c.AllowHeaders)
	cp.AllowMethods = slices.Clone(c.AllowMethods)
	cp.AllowOrigins = slices.Clone(c.AllowOrigins)
	cp.ExposeHeaders = slices.Clone(c.ExposeHeaders)
	return &cp
}
