package apigw

// Create inputs carry the request body of the matching apigatewayv2
// operation; Update inputs use nil for "not sent, keep the current value"
// (PATCH semantics, shared/specs/http-api.md §11.2).

// CreateAPIInput is the body of CreateApi.
type CreateAPIInput struct {
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *Cors             `json:"corsConfiguration,omitempty"`
	Description               string            `json:"description,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint,omitempty"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation,omitempty"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression,omitempty"`
	Version                   string            `json:"version,omitempty"`
	Tags                      map[string]string `json:"tags,omitempty"`
	IPAddressType             string            `json:"ipAddressType,omitempty"`
	// Target, RouteKey and CredentialsARN are quick create (§10): an
	// integration for Target, a route (RouteKey or $default) and an
	// auto-deployed $default stage, all apiGatewayManaged.
	Target         string `json:"target,omitempty"`
	RouteKey       string `json:"routeKey,omitempty"`
	CredentialsARN string `json:"credentialsArn,omitempty"`
}

// UpdateAPIInput is the body of UpdateApi. CorsConfiguration, when sent,
// replaces the whole configuration (§7).
type UpdateAPIInput struct {
	Name                      *string `json:"name,omitempty"`
	APIKeySelectionExpression *string `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *Cors   `json:"corsConfiguration,omitempty"`
	Description               *string `json:"description,omitempty"`
	DisableExecuteAPIEndpoint *bool   `json:"disableExecuteApiEndpoint,omitempty"`
	DisableSchemaValidation   *bool   `json:"disableSchemaValidation,omitempty"`
	RouteSelectionExpression  *string `json:"routeSelectionExpression,omitempty"`
	Version                   *string `json:"version,omitempty"`
	IPAddressType             *string `json:"ipAddressType,omitempty"`
}

// CreateStageInput is the body of CreateStage.
type CreateStageInput struct {
	StageName            string                   `json:"stageName"`
	DeploymentID         string                   `json:"deploymentId,omitempty"`
	AutoDeploy           bool                     `json:"autoDeploy,omitempty"`
	DefaultRouteSettings *RouteSettings           `json:"defaultRouteSettings,omitempty"`
	RouteSettings        map[string]RouteSettings `json:"routeSettings,omitempty"`
	StageVariables       map[string]string        `json:"stageVariables,omitempty"`
	Tags                 map[string]string        `json:"tags,omitempty"`
	AccessLogSettings    *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	Description          string                   `json:"description,omitempty"`
	ClientCertificateID  string                   `json:"clientCertificateId,omitempty"`
}

// UpdateStageInput is the body of UpdateStage. A non-nil map replaces the
// stage's map.
type UpdateStageInput struct {
	DeploymentID         *string                  `json:"deploymentId,omitempty"`
	AutoDeploy           *bool                    `json:"autoDeploy,omitempty"`
	DefaultRouteSettings *RouteSettings           `json:"defaultRouteSettings,omitempty"`
	RouteSettings        map[string]RouteSettings `json:"routeSettings,omitempty"`
	StageVariables       map[string]string        `json:"stageVariables,omitempty"`
	AccessLogSettings    *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	Description          *string                  `json:"description,omitempty"`
	ClientCertificateID  *string                  `json:"clientCertificateId,omitempty"`
}

// CreateIntegrationInput is the body of CreateIntegration.
type CreateIntegrationInput struct {
	IntegrationType             string                       `json:"integrationType"`
	IntegrationSubtype          string                       `json:"integrationSubtype,omitempty"`
	IntegrationURI              string                       `json:"integrationUri,omitempty"`
	IntegrationMethod           string                       `json:"integrationMethod,omitempty"`
	ConnectionType              string                       `json:"connectionType,omitempty"`
	ConnectionID                string                       `json:"connectionId,omitempty"`
	CredentialsARN              string                       `json:"credentialsArn,omitempty"`
	Description                 string                       `json:"description,omitempty"`
	PayloadFormatVersion        string                       `json:"payloadFormatVersion,omitempty"`
	TimeoutInMillis             int                          `json:"timeoutInMillis,omitempty"` // 0: 30000
	RequestParameters           map[string]string            `json:"requestParameters,omitempty"`
	ResponseParameters          map[string]map[string]string `json:"responseParameters,omitempty"`
	RequestTemplates            map[string]string            `json:"requestTemplates,omitempty"`
	TemplateSelectionExpression string                       `json:"templateSelectionExpression,omitempty"`
	PassthroughBehavior         string                       `json:"passthroughBehavior,omitempty"`
	ContentHandlingStrategy     string                       `json:"contentHandlingStrategy,omitempty"`
	TLSConfig                   *TLSConfig                   `json:"tlsConfig,omitempty"`
}

// UpdateIntegrationInput is the body of UpdateIntegration. In
// RequestParameters a "" value deletes that key; in ResponseParameters an
// empty map deletes that status entry (§11.2).
type UpdateIntegrationInput struct {
	IntegrationType             *string                      `json:"integrationType,omitempty"`
	IntegrationSubtype          *string                      `json:"integrationSubtype,omitempty"`
	IntegrationURI              *string                      `json:"integrationUri,omitempty"`
	IntegrationMethod           *string                      `json:"integrationMethod,omitempty"`
	ConnectionType              *string                      `json:"connectionType,omitempty"`
	ConnectionID                *string                      `json:"connectionId,omitempty"`
	CredentialsARN              *string                      `json:"credentialsArn,omitempty"`
	Description                 *string                      `json:"description,omitempty"`
	PayloadFormatVersion        *string                      `json:"payloadFormatVersion,omitempty"`
	TimeoutInMillis             *int                         `json:"timeoutInMillis,omitempty"`
	RequestParameters           map[string]string            `json:"requestParameters,omitempty"`
	ResponseParameters          map[string]map[string]string `json:"responseParameters,omitempty"`
	RequestTemplates            map[string]string            `json:"requestTemplates,omitempty"`
	TemplateSelectionExpression *string                      `json:"templateSelectionExpression,omitempty"`
	PassthroughBehavior         *string                      `json:"passthroughBehavior,omitempty"`
	ContentHandlingStrategy     *string                      `json:"contentHandlingStrategy,omitempty"`
	TLSConfig                   *TLSConfig                   `json:"tlsConfig,omitempty"`
}

// CreateRouteInput is the body of CreateRoute.
type CreateRouteInput struct {
	RouteKey                         string                          `json:"routeKey"`
	Target                           string                          `json:"target,omitempty"`
	AuthorizationType                string                          `json:"authorizationType,omitempty"`
	AuthorizerID                     string                          `json:"authorizerId,omitempty"`
	AuthorizationScopes              []string                        `json:"authorizationScopes,omitempty"`
	APIKeyRequired                   bool                            `json:"apiKeyRequired,omitempty"`
	OperationName                    string                          `json:"operationName,omitempty"`
	RequestModels                    map[string]string               `json:"requestModels,omitempty"`
	RequestParameters                map[string]ParameterConstraints `json:"requestParameters,omitempty"`
	RouteResponseSelectionExpression string                          `json:"routeResponseSelectionExpression,omitempty"`
	ModelSelectionExpression         string                          `json:"modelSelectionExpression,omitempty"`
}

// UpdateRouteInput is the body of UpdateRoute. AuthorizationScopes nil
// keeps the scopes, an empty list clears them (§8.1).
type UpdateRouteInput struct {
	RouteKey                         *string                         `json:"routeKey,omitempty"`
	Target                           *string                         `json:"target,omitempty"`
	AuthorizationType                *string                         `json:"authorizationType,omitempty"`
	AuthorizerID                     *string                         `json:"authorizerId,omitempty"`
	AuthorizationScopes              []string                        `json:"authorizationScopes"`
	APIKeyRequired                   *bool                           `json:"apiKeyRequired,omitempty"`
	OperationName                    *string                         `json:"operationName,omitempty"`
	RequestModels                    map[string]string               `json:"requestModels,omitempty"`
	RequestParameters                map[string]ParameterConstraints `json:"requestParameters,omitempty"`
	RouteResponseSelectionExpression *string                         `json:"routeResponseSelectionExpression,omitempty"`
	ModelSelectionExpression         *string                         `json:"modelSelectionExpression,omitempty"`
}

// CreateDeploymentInput is the body of CreateDeployment.
type CreateDeploymentInput struct {
	Description string `json:"description,omitempty"`
	StageName   string `json:"stageName,omitempty"`
}

// UpdateDeploymentInput is the body of UpdateDeployment.
type UpdateDeploymentInput struct {
	Description *string `json:"description,omitempty"`
}

// CreateAuthorizerInput is the body of CreateAuthorizer.
type CreateAuthorizerInput struct {
	Name                           string            `json:"name"`
	AuthorizerType                 string            `json:"authorizerType"`
	IdentitySource                 []string          `json:"identitySource,omitempty"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration,omitempty"`
	AuthorizerURI                  string            `json:"authorizerUri,omitempty"`
	AuthorizerCredentialsARN       string            `json:"authorizerCredentialsArn,omitempty"`
	AuthorizerPayloadFormatVersion string            `json:"authorizerPayloadFormatVersion,omitempty"`
	AuthorizerResultTTLInSeconds   *int              `json:"authorizerResultTtlInSeconds,omitempty"`
	EnableSimpleResponses          *bool             `json:"enableSimpleResponses,omitempty"`
	IdentityValidationExpression   string            `json:"identityValidationExpression,omitempty"`
}

// UpdateAuthorizerInput is the body of UpdateAuthorizer.
type UpdateAuthorizerInput struct {
	Name                           *string           `json:"name,omitempty"`
	AuthorizerType                 *string           `json:"authorizerType,omitempty"`
	IdentitySource                 []string          `json:"identitySource,omitempty"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration,omitempty"`
	AuthorizerURI                  *string           `json:"authorizerUri,omitempty"`
	AuthorizerCredentialsARN       *string           `json:"authorizerCredentialsArn,omitempty"`
	AuthorizerPayloadFormatVersion *string           `json:"authorizerPayloadFormatVersion,omitempty"`
	AuthorizerResultTTLInSeconds   *int              `json:"authorizerResultTtlInSeconds,omitempty"`
	EnableSimpleResponses          *bool             `json:"enableSimpleResponses,omitempty"`
	IdentityValidationExpression   *string           `json:"identityValidationExpression,omitempty"`
}
