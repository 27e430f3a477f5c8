package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// OpenAPI import (ImportApi, ReimportApi, and CloudFormation's Api Body,
// which is what SAM emits): an OpenAPI 3 definition with API Gateway's
// extensions becomes routes, integrations, authorizers and CORS.
//
// Read: info.title (name), info.version, info.description;
// paths.<path>.<get|put|post|delete|options|head|patch|x-amazon-apigateway-any-method>
// with x-amazon-apigateway-integration, security and operationId; the
// path "$default" (isDefaultRoute) as the $default route;
// components.securitySchemes.<name>.x-amazon-apigateway-authorizer (jwt
// and request) and x-amazon-apigateway-authtype awsSigv4 (AWS_IAM);
// top-level security; x-amazon-apigateway-cors;
// x-amazon-apigateway-disable-execute-api-endpoint; tags with
// x-amazon-apigateway-tag-value. Anything not understood becomes a
// warning; FailOnWarnings turns warnings into a BadRequestException.

// ImportAPIInput is the body of ImportApi and ReimportApi.
type ImportAPIInput struct {
	// Body is the OpenAPI 3 definition as JSON. YAML must be converted by
	// the caller (the YAML library lives in package template).
	Body []byte `json:"body"`
	// Basepath is "ignore" (the default) or "prepend": prepend puts the
	// path of servers[0].url in front of every route path.
	Basepath       string `json:"basepath,omitempty"`
	FailOnWarnings bool   `json:"failOnWarnings,omitempty"`
}

type oasDoc struct {
	OpenAPI string `json:"openapi"`
	Swagger string `json:"swagger"`
	Info    struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	} `json:"info"`
	Servers []struct {
		URL       string `json:"url"`
		Variables map[string]struct {
			Default string `json:"default"`
		} `json:"variables"`
	} `json:"servers"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		SecuritySchemes map[string]oasScheme `json:"securitySchemes"`
	} `json:"components"`
	Security       []map[string][]string `json:"security"`
	Cors           *Cors                 `json:"x-amazon-apigateway-cors"`
	DisableExecute *bool                 `json:"x-amazon-apigateway-disable-execute-api-endpoint"`
	Tags           []struct {
		Name  string `json:"name"`
		Value string `json:"x-amazon-apigateway-tag-value"`
	} `json:"tags"`
}

type oasScheme struct {
	Type       string         `json:"type"`
	AuthType   string         `json:"x-amazon-apigateway-authtype"`
	Authorizer *oasAuthorizer `json:"x-amazon-apigateway-authorizer"`
}

type oasAuthorizer struct {
	Type                           string            `json:"type"`
	IdentitySource                 json.RawMessage   `json:"identitySource"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration"`
	AuthorizerURI                  string            `json:"authorizerUri"`
	AuthorizerCredentialsARN       string            `json:"authorizerCredentialsArn"`
	AuthorizerPayloadFormatVersion string            `json:"authorizerPayloadFormatVersion"`
	AuthorizerResultTTLInSeconds   *int              `json:"authorizerResultTtlInSeconds"`
	EnableSimpleResponses          *bool             `json:"enableSimpleResponses"`
}

type oasOperation struct {
	OperationID    string                 `json:"operationId"`
	Security       *[]map[string][]string `json:"security"`
	Integration    *oasIntegration        `json:"x-amazon-apigateway-integration"`
	IsDefaultRoute bool                   `json:"isDefaultRoute"`
}

type oasIntegration struct {
	Type                 string                       `json:"type"`
	Subtype              string                       `json:"integrationSubtype"`
	HTTPMethod           string                       `json:"httpMethod"`
	URI                  json.RawMessage              `json:"uri"`
	PayloadFormatVersion string                       `json:"payloadFormatVersion"`
	ConnectionType       string                       `json:"connectionType"`
	ConnectionID         string                       `json:"connectionId"`
	Credentials          string                       `json:"credentials"`
	TimeoutInMillis      int                          `json:"timeoutInMillis"`
	RequestParameters    map[string]string            `json:"requestParameters"`
	ResponseParameters   map[string]map[string]string `json:"responseParameters"`
	TLSConfig            *TLSConfig                   `json:"tlsConfig"`
	Description          string                       `json:"description"`
}

var oasMethods = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
	"head": "HEAD", "patch": "PATCH", "x-amazon-apigateway-any-method": "ANY",
}

// importPlan is a parsed definition, ready to be written.
type importPlan struct {
	doc         oasDoc
	authorizers []CreateAuthorizerInput // named by security scheme
	schemes     map[string]oasScheme
	routes      []plannedRoute
	warnings    []string
}

type plannedRoute struct {
	route CreateRouteInput
	integ *CreateIntegrationInput // nil: the route has no target
}

// parseOpenAPI reads a definition; errors are BadRequestException.
func parseOpenAPI(in ImportAPIInput) (*importPlan, error) {
	body := bytes.TrimSpace(in.Body)
	if len(body) == 0 {
		return nil, badRequest("Body is required: an OpenAPI 3 definition")
	}
	if body[0] != '{' {
		return nil, badRequest("Invalid OpenAPI definition: cloudlet reads OpenAPI definitions as JSON; convert YAML first")
	}
	p := &importPlan{}
	if err := json.Unmarshal(body, &p.doc); err != nil {
		return nil, badRequest("Invalid OpenAPI definition: %v", err)
	}
	d := &p.doc
	if d.Swagger != "" {
		return nil, badRequest("Invalid OpenAPI definition: HTTP APIs import OpenAPI 3 definitions, not Swagger %s", d.Swagger)
	}
	if !strings.HasPrefix(d.OpenAPI, "3.") {
		return nil, badRequest("Invalid OpenAPI definition: the openapi field must name version 3.x")
	}
	if d.Info.Title == "" {
		return nil, badRequest("Invalid OpenAPI definition: info.title is required; it becomes the API name")
	}
	if err := validateCors(d.Cors); err != nil {
		return nil, err
	}
	prefix := ""
	switch in.Basepath {
	case "", "ignore":
	case "prepend":
		prefix = serverBasePath(d)
	case "split":
		p.warnings = append(p.warnings, "basepath=split is not supported by cloudlet; the base path was ignored")
	default:
		return nil, badRequest("Invalid basepath %q: use ignore, prepend or split", in.Basepath)
	}
	p.schemes = d.Components.SecuritySchemes
	for _, name := range slices.Sorted(maps.Keys(p.schemes)) {
		sc := p.schemes[name]
		if sc.Authorizer == nil {
			continue
		}
		a := CreateAuthorizerInput{
			Name:                           name,
			AuthorizerType:                 strings.ToUpper(sc.Authorizer.Type),
			JWTConfiguration:               sc.Authorizer.JWTConfiguration,
			AuthorizerURI:                  sc.Authorizer.AuthorizerURI,
			AuthorizerCredentialsARN:       sc.Authorizer.AuthorizerCredentialsARN,
			AuthorizerPayloadFormatVersion: sc.Authorizer.AuthorizerPayloadFormatVersion,
			AuthorizerResultTTLInSeconds:   sc.Authorizer.AuthorizerResultTTLInSeconds,
			EnableSimpleResponses:          sc.Authorizer.EnableSimpleResponses,
		}
		a.IdentitySource = identitySources(sc.Authorizer.IdentitySource)
		if a.AuthorizerType == AuthorizerRequest && a.AuthorizerPayloadFormatVersion == "" {
			a.AuthorizerPayloadFormatVersion = "2.0"
		}
		if err := validateAuthorizer(&Authorizer{Name: a.Name, AuthorizerType: a.AuthorizerType, IdentitySource: a.IdentitySource,
			JWTConfiguration: a.JWTConfiguration, AuthorizerURI: a.AuthorizerURI, AuthorizerPayloadFormatVersion: a.AuthorizerPayloadFormatVersion,
			AuthorizerResultTTLInSeconds: a.AuthorizerResultTTLInSeconds, EnableSimpleResponses: a.EnableSimpleResponses}); err != nil {
			return nil, fmt.Errorf("security scheme %s: %w", name, err)
		}
		p.authorizers = append(p.authorizers, a)
	}
	paths := slices.Sorted(maps.Keys(d.Paths))
	for _, path := range paths {
		ops := d.Paths[path]
		for _, m := range slices.Sorted(maps.Keys(ops)) {
			method, ok := oasMethods[strings.ToLower(m)]
			if !ok {
				if m != "parameters" && m != "summary" && m != "description" && m != "servers" && !strings.HasPrefix(m, "x-") {
					p.warnings = append(p.warnings, fmt.Sprintf("paths.%s.%s is not an HTTP method and was ignored", path, m))
				}
				continue
			}
			var op oasOperation
			if err := json.Unmarshal(ops[m], &op); err != nil {
				return nil, badRequest("Invalid OpenAPI definition at paths.%s.%s: %v", path, m, err)
			}
			pr, err := p.planRoute(path, prefix, method, &op)
			if err != nil {
				return nil, err
			}
			if pr != nil {
				p.routes = append(p.routes, *pr)
			}
		}
	}
	if len(p.routes) > maxRoutesPerAPI {
		return nil, badRequest("Exceeded the maximum number of routes per API (%d)", maxRoutesPerAPI)
	}
	if in.FailOnWarnings && len(p.warnings) > 0 {
		return nil, badRequest("Warnings found during import:\n\t%s", strings.Join(p.warnings, "\n\t"))
	}
	return p, nil
}

func (p *importPlan) planRoute(path, prefix, method string, op *oasOperation) (*plannedRoute, error) {
	key := method + " " + prefix + path
	if path == "$default" || path == "/$default" || op.IsDefaultRoute {
		key = "$default"
	}
	if err := validateRouteKey(key); err != nil {
		p.warnings = append(p.warnings, fmt.Sprintf("route %s was skipped: %v", key, awsMessage(err)))
		return nil, nil
	}
	pr := &plannedRoute{route: CreateRouteInput{RouteKey: key, OperationName: op.OperationID}}
	security := p.doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	if len(security) > 1 {
		p.warnings = append(p.warnings, fmt.Sprintf("route %s: only the first security requirement is used", key))
	}
	if len(security) > 0 {
		for name, scopes := range security[0] {
			sc, ok := p.schemes[name]
			switch {
			case !ok:
				return nil, badRequest("Invalid OpenAPI definition: route %s uses security scheme %s, which is not defined", key, name)
			case strings.EqualFold(sc.AuthType, "awsSigv4"):
				pr.route.AuthorizationType = AuthorizationIAM
			case sc.Authorizer != nil && strings.EqualFold(sc.Authorizer.Type, "jwt"):
				pr.route.AuthorizationType = AuthorizationJWT
				pr.route.AuthorizationScopes = scopes
				pr.route.AuthorizerID = name // resolved to the ID when written
			case sc.Authorizer != nil:
				pr.route.AuthorizationType = AuthorizationCustom
				pr.route.AuthorizerID = name
			default:
				p.warnings = append(p.warnings, fmt.Sprintf("route %s: security scheme %s has no API Gateway authorizer and was ignored", key, name))
			}
		}
	}
	ig := op.Integration
	if ig == nil {
		p.warnings = append(p.warnings, fmt.Sprintf("route %s has no x-amazon-apigateway-integration; it was imported without a target", key))
		return pr, nil
	}
	var uri string
	if len(ig.URI) > 0 {
		if err := json.Unmarshal(ig.URI, &uri); err != nil {
			return nil, badRequest("Invalid OpenAPI definition: the integration uri of route %s is not a string (unresolved intrinsic function?)", key)
		}
	}
	pr.integ = &CreateIntegrationInput{
		IntegrationType:      strings.ToUpper(ig.Type),
		IntegrationSubtype:   ig.Subtype,
		IntegrationURI:       uri,
		IntegrationMethod:    ig.HTTPMethod,
		ConnectionType:       strings.ToUpper(ig.ConnectionType),
		ConnectionID:         ig.ConnectionID,
		CredentialsARN:       ig.Credentials,
		Description:          ig.Description,
		PayloadFormatVersion: ig.PayloadFormatVersion,
		TimeoutInMillis:      ig.TimeoutInMillis,
		RequestParameters:    ig.RequestParameters,
		ResponseParameters:   ig.ResponseParameters,
		TLSConfig:            ig.TLSConfig,
	}
	if pr.integ.PayloadFormatVersion == "" {
		// The import default: 2.0 for Lambda, 1.0 for HTTP (§10).
		pr.integ.PayloadFormatVersion = "2.0"
		if pr.integ.IntegrationType == IntegrationHTTPProxy {
			pr.integ.PayloadFormatVersion = "1.0"
		}
	}
	return pr, nil
}

func awsMessage(err error) string {
	if e, ok := awserr.As(err); ok {
		return e.Message
	}
	return err.Error()
}

// identitySources accepts a list or one comma-separated string.
func identitySources(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) != nil || one == "" {
		return nil
	}
	for part := range strings.SplitSeq(one, ",") {
		if part = strings.TrimSpace(part); part != "" {
			list = append(list, part)
		}
	}
	return list
}

// serverBasePath is the path of servers[0].url with its variables'
// defaults filled in, without a trailing slash.
func serverBasePath(d *oasDoc) string {
	if len(d.Servers) == 0 {
		return ""
	}
	u := d.Servers[0].URL
	for name, v := range d.Servers[0].Variables {
		u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
	}
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = ""
		}
	}
	u = strings.TrimSuffix(u, "/")
	if u != "" && !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	return u
}

// ImportAPI creates an API from an OpenAPI 3 definition (ImportApi).
// Errors: BadRequestException for an invalid definition, or any warning
// when FailOnWarnings is set.
func (s *Service) ImportAPI(ctx context.Context, in ImportAPIInput) (*API, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	plan, err := parseOpenAPI(in)
	if err != nil {
		return nil, err
	}
	var api *API
	var apiID string
	err = func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		err := s.cfg.DB.Update(func(tx *store.Tx) error {
			apiID = newID(tx, bucketAPIs, "", apiIDLen)
			api = &API{
				APIID:                     apiID,
				ProtocolType:              ProtocolHTTP,
				APIEndpoint:               s.cfg.EndpointURL(apiID),
				APIKeySelectionExpression: defaultAPIKeySelection,
				RouteSelectionExpression:  defaultRouteSelection,
				CreatedDate:               s.timestamp(),
				IPAddressType:             "ipv4",
			}
			return s.applyImport(tx, api, plan)
		})
		if err != nil {
			return err
		}
		return s.reload(apiID)
	}()
	if err != nil {
		return nil, err
	}
	return api, nil
}

// ReimportAPI replaces an API's routes, integrations, authorizers and
// CORS with a definition's (ReimportApi) and auto-deploys. Errors:
// NotFoundException, BadRequestException.
func (s *Service) ReimportAPI(ctx context.Context, apiID string, in ImportAPIInput) (*API, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	plan, err := parseOpenAPI(in)
	if err != nil {
		return nil, err
	}
	var api *API
	err = s.update(apiID, func(tx *store.Tx) error {
		if api, err = s.getAPI(tx, apiID); err != nil {
			return err
		}
		for _, b := range []string{bucketRoutes, bucketIntegrations, bucketAuthorizers} {
			if err := deleteSubs(tx, b, apiID); err != nil {
				return fmt.Errorf("reimport API %s: %w", apiID, err)
			}
		}
		if err := s.applyImport(tx, api, plan); err != nil {
			return err
		}
		return s.autoDeploy(tx, api)
	})
	if err != nil {
		return nil, err
	}
	return api, nil
}

// applyImport writes a plan into an API whose sub-resources are empty.
func (s *Service) applyImport(tx *store.Tx, api *API, plan *importPlan) error {
	d := &plan.doc
	api.Name = d.Info.Title
	api.Version = d.Info.Version
	api.Description = d.Info.Description
	api.CorsConfiguration = normalizeCors(d.Cors)
	if d.DisableExecute != nil {
		api.DisableExecuteAPIEndpoint = *d.DisableExecute
	}
	api.Tags = orEmpty(api.Tags)
	for _, t := range d.Tags {
		if t.Value != "" {
			api.Tags[t.Name] = t.Value
		}
	}
	sort.Strings(plan.warnings)
	api.Warnings = plan.warnings
	api.ImportInfo = nil
	if err := tx.Put(bucketAPIs, api.APIID, api); err != nil {
		return fmt.Errorf("import API: %w", err)
	}
	authIDs := map[string]string{}
	for _, in := range plan.authorizers {
		a := &Authorizer{
			AuthorizerID:                   newID(tx, bucketAuthorizers, api.APIID+"/", authorizerIDLen),
			Name:                           in.Name,
			AuthorizerType:                 in.AuthorizerType,
			IdentitySource:                 in.IdentitySource,
			JWTConfiguration:               in.JWTConfiguration,
			AuthorizerURI:                  in.AuthorizerURI,
			AuthorizerCredentialsARN:       in.AuthorizerCredentialsARN,
			AuthorizerPayloadFormatVersion: in.AuthorizerPayloadFormatVersion,
			AuthorizerResultTTLInSeconds:   in.AuthorizerResultTTLInSeconds,
			EnableSimpleResponses:          in.EnableSimpleResponses,
		}
		if err := tx.Put(bucketAuthorizers, subKey(api.APIID, a.AuthorizerID), a); err != nil {
			return fmt.Errorf("import authorizer %s: %w", in.Name, err)
		}
		authIDs[in.Name] = a.AuthorizerID
	}
	for _, pr := range plan.routes {
		in := pr.route
		if pr.integ != nil {
			ig, err := s.createIntegration(tx, api, *pr.integ, false)
			if err != nil {
				return fmt.Errorf("import route %s: %w", in.RouteKey, err)
			}
			in.Target = "integrations/" + ig.IntegrationID
		}
		if in.AuthorizerID != "" {
			in.AuthorizerID = authIDs[in.AuthorizerID]
		}
		if _, err := s.createRoute(tx, api, in, false); err != nil {
			return fmt.Errorf("import route %s: %w", in.RouteKey, err)
		}
	}
	return nil
}
