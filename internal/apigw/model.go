package apigw

import "time"

// The model structs use the apigatewayv2 wire shapes
// (shared/specs/http-api.md §11.2): camelCase JSON keys, so the REST-JSON
// adapter can encode them as they are. Timestamps are whole seconds in
// UTC, which encoding/json renders as "2020-04-08T19:05:45Z".

// Values spelled as AWS spells them.
const (
	ProtocolHTTP      = "HTTP"
	ProtocolWebSocket = "WEBSOCKET"

	IntegrationAWSProxy  = "AWS_PROXY"
	IntegrationHTTPProxy = "HTTP_PROXY"

	ConnectionInternet = "INTERNET"
	ConnectionVPCLink  = "VPC_LINK"

	AuthorizationNone   = "NONE"
	AuthorizationIAM    = "AWS_IAM"
	AuthorizationCustom = "CUSTOM"
	AuthorizationJWT    = "JWT"

	AuthorizerRequest = "REQUEST"
	AuthorizerJWT     = "JWT"

	DeploymentPending  = "PENDING"
	DeploymentFailed   = "FAILED"
	DeploymentDeployed = "DEPLOYED"

	// DefaultStage is the stage served at the root of the endpoint.
	DefaultStage = "$default"

	defaultAPIKeySelection   = "$request.header.x-api-key"
	defaultRouteSelection    = "$request.method $request.path"
	defaultTimeoutMillis     = 30000
	autoDeployDescription    = "Automatic deployment triggered by changes to the Api configuration"
	deployedStatusMessageFmt = "Successfully deployed stage with deployment ID '%s'"
)

// Cors is an API's corsConfiguration (§7).
type Cors struct {
	AllowCredentials *bool    `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty"`
}

// API is an HTTP API.
type API struct {
	APIID                     string            `json:"apiId"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	APIEndpoint               string            `json:"apiEndpoint"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	CorsConfiguration         *Cors             `json:"corsConfiguration,omitempty"`
	CreatedDate               time.Time         `json:"createdDate"`
	Description               string            `json:"description,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation,omitempty"`
	Version                   string            `json:"version,omitempty"`
	Tags                      map[string]string `json:"tags"`
	APIGatewayManaged         bool              `json:"apiGatewayManaged,omitempty"`
	ImportInfo                []string          `json:"importInfo,omitempty"`
	Warnings                  []string          `json:"warnings,omitempty"`
	IPAddressType             string            `json:"ipAddressType,omitempty"`
}

// ParameterConstraints is a route request parameter's constraint.
type ParameterConstraints struct {
	Required bool `json:"required"`
}

// Route is one route of an API.
type Route struct {
	RouteID                          string                          `json:"routeId"`
	RouteKey                         string                          `json:"routeKey"`
	Target                           string                          `json:"target,omitempty"`
	AuthorizationType                string                          `json:"authorizationType"`
	AuthorizerID                     string                          `json:"authorizerId,omitempty"`
	AuthorizationScopes              []string                        `json:"authorizationScopes,omitempty"`
	APIKeyRequired                   bool                            `json:"apiKeyRequired"`
	OperationName                    string                          `json:"operationName,omitempty"`
	RequestModels                    map[string]string               `json:"requestModels,omitempty"`
	RequestParameters                map[string]ParameterConstraints `json:"requestParameters,omitempty"`
	RouteResponseSelectionExpression string                          `json:"routeResponseSelectionExpression,omitempty"`
	ModelSelectionExpression         string                          `json:"modelSelectionExpression,omitempty"`
	APIGatewayManaged                bool                            `json:"apiGatewayManaged,omitempty"`
}

// TLSConfig is an integration's tlsConfig.
type TLSConfig struct {
	ServerNameToVerify string `json:"serverNameToVerify,omitempty"`
}

// Integration is a route target.
type Integration struct {
	IntegrationID                          string                       `json:"integrationId"`
	IntegrationType                        string                       `json:"integrationType"`
	IntegrationSubtype                     string                       `json:"integrationSubtype,omitempty"`
	IntegrationURI                         string                       `json:"integrationUri,omitempty"`
	IntegrationMethod                      string                       `json:"integrationMethod,omitempty"`
	ConnectionType                         string                       `json:"connectionType"`
	ConnectionID                           string                       `json:"connectionId,omitempty"`
	CredentialsARN                         string                       `json:"credentialsArn,omitempty"`
	Description                            string                       `json:"description,omitempty"`
	PayloadFormatVersion                   string                       `json:"payloadFormatVersion,omitempty"`
	TimeoutInMillis                        int                          `json:"timeoutInMillis"`
	RequestParameters                      map[string]string            `json:"requestParameters,omitempty"`
	ResponseParameters                     map[string]map[string]string `json:"responseParameters,omitempty"`
	RequestTemplates                       map[string]string            `json:"requestTemplates,omitempty"`
	TemplateSelectionExpression            string                       `json:"templateSelectionExpression,omitempty"`
	PassthroughBehavior                    string                       `json:"passthroughBehavior,omitempty"`
	ContentHandlingStrategy                string                       `json:"contentHandlingStrategy,omitempty"`
	TLSConfig                              *TLSConfig                   `json:"tlsConfig,omitempty"`
	IntegrationResponseSelectionExpression string                       `json:"integrationResponseSelectionExpression,omitempty"`
	APIGatewayManaged                      bool                         `json:"apiGatewayManaged,omitempty"`
}

// JWTConfiguration configures a JWT authorizer.
type JWTConfiguration struct {
	Audience []string `json:"audience,omitempty"`
	Issuer   string   `json:"issuer,omitempty"`
}

// Authorizer is a JWT or Lambda REQUEST authorizer; routes name it by
// authorizerId with authorizationType JWT or CUSTOM.
type Authorizer struct {
	AuthorizerID                   string            `json:"authorizerId"`
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

// Deployment is a frozen copy of an API's routes, integrations,
// authorizers and CORS configuration.
type Deployment struct {
	DeploymentID            string    `json:"deploymentId"`
	DeploymentStatus        string    `json:"deploymentStatus"`
	DeploymentStatusMessage string    `json:"deploymentStatusMessage,omitempty"`
	CreatedDate             time.Time `json:"createdDate"`
	Description             string    `json:"description,omitempty"`
	AutoDeployed            bool      `json:"autoDeployed"`
}

// RouteSettings are a stage's per-route (or default) settings.
type RouteSettings struct {
	DataTraceEnabled       *bool    `json:"dataTraceEnabled,omitempty"`
	DetailedMetricsEnabled *bool    `json:"detailedMetricsEnabled,omitempty"`
	LoggingLevel           string   `json:"loggingLevel,omitempty"`
	ThrottlingBurstLimit   *int     `json:"throttlingBurstLimit,omitempty"`
	ThrottlingRateLimit    *float64 `json:"throttlingRateLimit,omitempty"`
}

// AccessLogSettings send one line per request to a log group.
type AccessLogSettings struct {
	DestinationARN string `json:"destinationArn,omitempty"`
	Format         string `json:"format,omitempty"`
}

// Stage points at the deployment it serves.
type Stage struct {
	StageName                   string                   `json:"stageName"`
	DeploymentID                string                   `json:"deploymentId,omitempty"`
	AutoDeploy                  bool                     `json:"autoDeploy"`
	CreatedDate                 time.Time                `json:"createdDate"`
	LastUpdatedDate             time.Time                `json:"lastUpdatedDate"`
	DefaultRouteSettings        *RouteSettings           `json:"defaultRouteSettings"`
	RouteSettings               map[string]RouteSettings `json:"routeSettings"`
	StageVariables              map[string]string        `json:"stageVariables"`
	Tags                        map[string]string        `json:"tags"`
	AccessLogSettings           *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	Description                 string                   `json:"description,omitempty"`
	ClientCertificateID         string                   `json:"clientCertificateId,omitempty"`
	APIGatewayManaged           bool                     `json:"apiGatewayManaged,omitempty"`
	LastDeploymentStatusMessage string                   `json:"lastDeploymentStatusMessage,omitempty"`
}
