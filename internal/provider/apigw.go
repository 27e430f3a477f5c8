package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// API is AWS::ApiGatewayV2::Api (spec cloudformation §6.7). With Body or
// BodyS3Location the API is imported from its OpenAPI definition (apigw's
// ImportAPI/ReimportAPI); Objects reads BodyS3Location.
type API struct {
	Gateway *apigw.Service
	Objects Objects
}

var _ stack.Updater = API{}

func (API) Schema() stack.Schema {
	return stack.Schema{
		Properties: []string{"ApiKeySelectionExpression", "BasePath", "Body", "BodyS3Location", "CorsConfiguration",
			"CredentialsArn", "Description", "DisableExecuteApiEndpoint", "DisableSchemaValidation", "FailOnWarnings",
			"IpAddressType", "Name", "ProtocolType", "RouteKey", "RouteSelectionExpression", "Tags", "Target", "Version"},
		CreateOnly: []string{"ProtocolType"},
		Attributes: []string{"ApiEndpoint", "ApiId"},
	}
}

func cors(p props) (*apigw.Cors, error) {
	c, ok, err := p.object("CorsConfiguration")
	if err != nil || !ok {
		return nil, err
	}
	var out apigw.Cors
	if out.AllowOrigins, err = c.strList("AllowOrigins"); err != nil {
		return nil, err
	}
	if out.AllowMethods, err = c.strList("AllowMethods"); err != nil {
		return nil, err
	}
	if out.AllowHeaders, err = c.strList("AllowHeaders"); err != nil {
		return nil, err
	}
	if out.ExposeHeaders, err = c.strList("ExposeHeaders"); err != nil {
		return nil, err
	}
	if out.AllowCredentials, err = c.boolPtr("AllowCredentials"); err != nil {
		return nil, err
	}
	if out.MaxAge, err = c.intPtr("MaxAge"); err != nil {
		return nil, err
	}
	return &out, nil
}

// Objects reads the S3 objects BodyS3Location names.
type Objects interface {
	GetObjectBytes(ctx context.Context, bucket, key string) ([]byte, error)
}

func (a API) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	body, err := a.body(ctx, p)
	if err != nil {
		return nil, err
	}
	if body != nil {
		return a.imported(ctx, req, p, body, "")
	}
	var in apigw.CreateAPIInput
	for k, dst := range map[string]*string{"Name": &in.Name, "ProtocolType": &in.ProtocolType,
		"Description": &in.Description, "RouteSelectionExpression": &in.RouteSelectionExpression,
		"ApiKeySelectionExpression": &in.APIKeySelectionExpression, "Version": &in.Version,
		"Target": &in.Target, "RouteKey": &in.RouteKey, "CredentialsArn": &in.CredentialsARN,
		"IpAddressType": &in.IPAddressType} {
		if *dst, err = p.str(k); err != nil {
			return nil, err
		}
	}
	if in.DisableExecuteAPIEndpoint, err = p.boolean("DisableExecuteApiEndpoint"); err != nil {
		return nil, err
	}
	if in.CorsConfiguration, err = cors(p); err != nil {
		return nil, err
	}
	if in.Tags, err = p.strMap("Tags"); err != nil {
		return nil, err
	}
	api, err := a.Gateway.CreateAPI(ctx, in)
	if err != nil {
		return nil, err
	}
	return apiResult(api), nil
}

// body returns the OpenAPI definition of Body (an object or JSON/YAML
// text, its intrinsics already evaluated) or BodyS3Location, as JSON; nil
// when the API is not imported (spec cloudformation §6.7).
func (a API) body(ctx context.Context, p props) ([]byte, error) {
	if v, ok := p.m["Body"]; ok && v != nil {
		if s, isText := v.(string); isText {
			return openAPIJSON(p.logicalID, "Body", []byte(s))
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, p.typeError("Body", "JSONObject", v)
		}
		return raw, nil
	}
	loc, ok, err := p.object("BodyS3Location")
	if err != nil || !ok {
		return nil, err
	}
	bucket, err := loc.str("Bucket")
	if err != nil {
		return nil, err
	}
	key, err := loc.str("Key")
	if err != nil {
		return nil, err
	}
	if a.Objects == nil {
		return nil, stack.Reasonf("Properties validation failed for resource %s with message: #/BodyS3Location: reading S3 is not wired in", p.logicalID)
	}
	raw, err := a.Objects.GetObjectBytes(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	return openAPIJSON(p.logicalID, "BodyS3Location", raw)
}

// openAPIJSON turns an OpenAPI document in JSON or YAML into JSON.
func openAPIJSON(logicalID, prop string, raw []byte) ([]byte, error) {
	if json.Valid(raw) {
		return raw, nil
	}
	doc, err := template.Parse(prop, raw)
	if err == nil {
		var v any
		if v, err = template.Eval(doc.Root, &template.Scope{}); err == nil {
			return json.Marshal(v)
		}
	}
	return nil, stack.Reasonf("Properties validation failed for resource %s with message: #/%s: the OpenAPI definition is neither JSON nor YAML: %v", logicalID, prop, err)
}

// imported imports (or, with apiID, reimports) the definition, then
// applies the properties an import leaves alone.
func (a API) imported(ctx context.Context, req *stack.Request, p props, body []byte, apiID string) (*stack.Result, error) {
	in := apigw.ImportAPIInput{Body: body}
	var err error
	if in.Basepath, err = p.str("BasePath"); err != nil {
		return nil, err
	}
	if in.FailOnWarnings, err = p.boolean("FailOnWarnings"); err != nil {
		return nil, err
	}
	var api *apigw.API
	if apiID == "" {
		api, err = a.Gateway.ImportAPI(ctx, in)
	} else {
		api, err = a.Gateway.ReimportAPI(ctx, apiID, in)
	}
	if err != nil {
		return nil, err
	}
	var up apigw.UpdateAPIInput
	changed := false
	for k, dst := range map[string]**string{"Name": &up.Name, "Description": &up.Description, "Version": &up.Version} {
		if *dst, err = p.strPtr(k); err != nil {
			return nil, err
		}
		changed = changed || *dst != nil
	}
	if up.DisableExecuteAPIEndpoint, err = p.boolPtr("DisableExecuteApiEndpoint"); err != nil {
		return nil, err
	}
	if up.CorsConfiguration, err = cors(p); err != nil {
		return nil, err
	}
	if changed || up.DisableExecuteAPIEndpoint != nil || up.CorsConfiguration != nil {
		if api, err = a.Gateway.UpdateAPI(ctx, api.APIID, up); err != nil {
			if apiID == "" {
				_ = a.Gateway.DeleteAPI(ctx, api.APIID)
			}
			return nil, err
		}
	}
	return apiResult(api), nil
}

func apiResult(api *apigw.API) *stack.Result {
	return &stack.Result{PhysicalID: api.APIID, Attributes: map[string]any{"ApiEndpoint": api.APIEndpoint, "ApiId": api.APIID}}
}

func (a API) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	body, err := a.body(ctx, p)
	if err != nil {
		return nil, err
	}
	if body != nil {
		return a.imported(ctx, req, p, body, req.PhysicalID)
	}
	var in apigw.UpdateAPIInput
	for k, dst := range map[string]**string{"Name": &in.Name, "Description": &in.Description,
		"RouteSelectionExpression": &in.RouteSelectionExpression, "ApiKeySelectionExpression": &in.APIKeySelectionExpression,
		"Version": &in.Version, "IpAddressType": &in.IPAddressType} {
		if *dst, err = p.strPtr(k); err != nil {
			return nil, err
		}
	}
	if in.DisableExecuteAPIEndpoint, err = p.boolPtr("DisableExecuteApiEndpoint"); err != nil {
		return nil, err
	}
	if in.CorsConfiguration, err = cors(p); err != nil {
		return nil, err
	}
	if in.CorsConfiguration == nil && req.OldProperties["CorsConfiguration"] != nil {
		if err := a.Gateway.DeleteCorsConfiguration(ctx, req.PhysicalID); err != nil {
			return nil, err
		}
	}
	api, err := a.Gateway.UpdateAPI(ctx, req.PhysicalID, in)
	if err != nil {
		return nil, err
	}
	return apiResult(api), nil
}

func (a API) Delete(ctx context.Context, req *stack.Request) error {
	return ignoreNotFound(a.Gateway.DeleteAPI(ctx, req.PhysicalID))
}

// Stage is AWS::ApiGatewayV2::Stage (spec cloudformation §6.8); its Ref is
// the stage name.
type Stage struct{ Gateway *apigw.Service }

var _ stack.Updater = Stage{}

func (Stage) Schema() stack.Schema {
	return stack.Schema{
		Required: []string{"ApiId", "StageName"},
		Properties: []string{"AccessLogSettings", "AccessPolicyId", "ApiId", "AutoDeploy", "ClientCertificateId",
			"DefaultRouteSettings", "DeploymentId", "Description", "RouteSettings", "StageName", "StageVariables", "Tags"},
		CreateOnly: []string{"ApiId", "StageName"},
	}
}

func routeSettings(p props) (*apigw.RouteSettings, error) {
	var rs apigw.RouteSettings
	var err error
	if rs.DetailedMetricsEnabled, err = p.boolPtr("DetailedMetricsEnabled"); err != nil {
		return nil, err
	}
	if rs.DataTraceEnabled, err = p.boolPtr("DataTraceEnabled"); err != nil {
		return nil, err
	}
	if rs.LoggingLevel, err = p.str("LoggingLevel"); err != nil {
		return nil, err
	}
	if rs.ThrottlingBurstLimit, err = p.intPtr("ThrottlingBurstLimit"); err != nil {
		return nil, err
	}
	if p.has("ThrottlingRateLimit") {
		s, err := p.str("ThrottlingRateLimit")
		if err != nil {
			return nil, err
		}
		var f float64
		if _, err := fmt.Sscan(s, &f); err != nil {
			return nil, p.typeError("ThrottlingRateLimit", "Number", s)
		}
		rs.ThrottlingRateLimit = &f
	}
	return &rs, nil
}

func stageSettings(p props) (def *apigw.RouteSettings, per map[string]apigw.RouteSettings, logs *apigw.AccessLogSettings, err error) {
	if d, ok, err := p.object("DefaultRouteSettings"); err != nil {
		return nil, nil, nil, err
	} else if ok {
		if def, err = routeSettings(d); err != nil {
			return nil, nil, nil, err
		}
	}
	if r, ok, err := p.object("RouteSettings"); err != nil {
		return nil, nil, nil, err
	} else if ok {
		per = map[string]apigw.RouteSettings{}
		for _, key := range sortedKeys(r.m) {
			o, _, err := r.object(key)
			if err != nil {
				return nil, nil, nil, err
			}
			rs, err := routeSettings(o)
			if err != nil {
				return nil, nil, nil, err
			}
			per[key] = *rs
		}
	}
	if a, ok, err := p.object("AccessLogSettings"); err != nil {
		return nil, nil, nil, err
	} else if ok {
		logs = &apigw.AccessLogSettings{}
		if logs.DestinationARN, err = a.str("DestinationArn"); err != nil {
			return nil, nil, nil, err
		}
		if logs.Format, err = a.str("Format"); err != nil {
			return nil, nil, nil, err
		}
	}
	return def, per, logs, nil
}

func (s Stage) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	var in apigw.CreateStageInput
	for k, dst := range map[string]*string{"StageName": &in.StageName, "DeploymentId": &in.DeploymentID,
		"Description": &in.Description, "ClientCertificateId": &in.ClientCertificateID} {
		if *dst, err = p.str(k); err != nil {
			return nil, err
		}
	}
	if in.AutoDeploy, err = p.boolean("AutoDeploy"); err != nil {
		return nil, err
	}
	if in.StageVariables, err = p.strMap("StageVariables"); err != nil {
		return nil, err
	}
	if in.Tags, err = p.tags("Tags"); err != nil {
		return nil, err
	}
	if in.DefaultRouteSettings, in.RouteSettings, in.AccessLogSettings, err = stageSettings(p); err != nil {
		return nil, err
	}
	st, err := s.Gateway.CreateStage(ctx, apiID, in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: st.StageName, Attributes: map[string]any{"ApiId": apiID}}, nil
}

func (s Stage) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	var in apigw.UpdateStageInput
	for k, dst := range map[string]**string{"DeploymentId": &in.DeploymentID, "Description": &in.Description,
		"ClientCertificateId": &in.ClientCertificateID} {
		if *dst, err = p.strPtr(k); err != nil {
			return nil, err
		}
	}
	auto, err := p.boolean("AutoDeploy")
	if err != nil {
		return nil, err
	}
	in.AutoDeploy = &auto
	if in.StageVariables, err = p.strMap("StageVariables"); err != nil {
		return nil, err
	}
	if in.StageVariables == nil {
		in.StageVariables = map[string]string{}
	}
	if in.DefaultRouteSettings, in.RouteSettings, in.AccessLogSettings, err = stageSettings(p); err != nil {
		return nil, err
	}
	if _, err := s.Gateway.UpdateStage(ctx, apiID, req.PhysicalID, in); err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"ApiId": apiID}}, nil
}

func (s Stage) Delete(ctx context.Context, req *stack.Request) error {
	apiID, _ := newProps(req.LogicalID, req.Properties).str("ApiId")
	return ignoreNotFound(s.Gateway.DeleteStage(ctx, apiID, req.PhysicalID))
}

// Integration is AWS::ApiGatewayV2::Integration (spec cloudformation §6.9).
type Integration struct{ Gateway *apigw.Service }

var _ stack.Updater = Integration{}

func (Integration) Schema() stack.Schema {
	return stack.Schema{
		Required: []string{"ApiId", "IntegrationType"},
		Properties: []string{"ApiId", "ConnectionId", "ConnectionType", "ContentHandlingStrategy", "CredentialsArn",
			"Description", "IntegrationMethod", "IntegrationSubtype", "IntegrationType", "IntegrationUri",
			"PassthroughBehavior", "PayloadFormatVersion", "RequestParameters", "RequestTemplates",
			"ResponseParameters", "TemplateSelectionExpression", "TimeoutInMillis", "TlsConfig"},
		CreateOnly: []string{"ApiId"},
		Attributes: []string{"IntegrationId"},
	}
}

func integrationInput(p props) (apigw.CreateIntegrationInput, error) {
	var in apigw.CreateIntegrationInput
	var err error
	for k, dst := range map[string]*string{"IntegrationType": &in.IntegrationType, "IntegrationSubtype": &in.IntegrationSubtype,
		"IntegrationUri": &in.IntegrationURI, "IntegrationMethod": &in.IntegrationMethod, "ConnectionType": &in.ConnectionType,
		"ConnectionId": &in.ConnectionID, "CredentialsArn": &in.CredentialsARN, "Description": &in.Description,
		"PayloadFormatVersion": &in.PayloadFormatVersion, "TemplateSelectionExpression": &in.TemplateSelectionExpression,
		"PassthroughBehavior": &in.PassthroughBehavior, "ContentHandlingStrategy": &in.ContentHandlingStrategy} {
		if *dst, err = p.str(k); err != nil {
			return in, err
		}
	}
	if in.TimeoutInMillis, err = p.integer("TimeoutInMillis"); err != nil {
		return in, err
	}
	if in.RequestParameters, err = p.strMap("RequestParameters"); err != nil {
		return in, err
	}
	if in.RequestTemplates, err = p.strMap("RequestTemplates"); err != nil {
		return in, err
	}
	if rp, ok, err := p.object("ResponseParameters"); err != nil {
		return in, err
	} else if ok {
		in.ResponseParameters = map[string]map[string]string{}
		for _, code := range sortedKeys(rp.m) {
			if in.ResponseParameters[code], err = rp.strMap(code); err != nil {
				return in, err
			}
		}
	}
	if tls, ok, err := p.object("TlsConfig"); err != nil {
		return in, err
	} else if ok {
		in.TLSConfig = &apigw.TLSConfig{}
		if in.TLSConfig.ServerNameToVerify, err = tls.str("ServerNameToVerify"); err != nil {
			return in, err
		}
	}
	return in, nil
}

func (i Integration) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	in, err := integrationInput(p)
	if err != nil {
		return nil, err
	}
	out, err := i.Gateway.CreateIntegration(ctx, apiID, in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: out.IntegrationID, Attributes: map[string]any{"IntegrationId": out.IntegrationID, "ApiId": apiID}}, nil
}

func (i Integration) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	c, err := integrationInput(p)
	if err != nil {
		return nil, err
	}
	in := apigw.UpdateIntegrationInput{
		IntegrationType: &c.IntegrationType, IntegrationSubtype: &c.IntegrationSubtype, IntegrationURI: &c.IntegrationURI,
		IntegrationMethod: &c.IntegrationMethod, ConnectionType: &c.ConnectionType, ConnectionID: &c.ConnectionID,
		CredentialsARN: &c.CredentialsARN, Description: &c.Description, PayloadFormatVersion: &c.PayloadFormatVersion,
		TimeoutInMillis: &c.TimeoutInMillis, RequestParameters: c.RequestParameters, ResponseParameters: c.ResponseParameters,
		RequestTemplates: c.RequestTemplates, TemplateSelectionExpression: &c.TemplateSelectionExpression,
		PassthroughBehavior: &c.PassthroughBehavior, ContentHandlingStrategy: &c.ContentHandlingStrategy, TLSConfig: c.TLSConfig,
	}
	if c.TimeoutInMillis == 0 {
		in.TimeoutInMillis = nil
	}
	out, err := i.Gateway.UpdateIntegration(ctx, apiID, req.PhysicalID, in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: out.IntegrationID, Attributes: map[string]any{"IntegrationId": out.IntegrationID, "ApiId": apiID}}, nil
}

func (i Integration) Delete(ctx context.Context, req *stack.Request) error {
	apiID, _ := newProps(req.LogicalID, req.Properties).str("ApiId")
	return ignoreNotFound(i.Gateway.DeleteIntegration(ctx, apiID, req.PhysicalID))
}

// Route is AWS::ApiGatewayV2::Route (spec cloudformation §6.10).
type Route struct{ Gateway *apigw.Service }

var _ stack.Updater = Route{}

func (Route) Schema() stack.Schema {
	return stack.Schema{
		Required: []string{"ApiId", "RouteKey"},
		Properties: []string{"ApiId", "ApiKeyRequired", "AuthorizationScopes", "AuthorizationType", "AuthorizerId",
			"ModelSelectionExpression", "OperationName", "RequestModels", "RequestParameters",
			"RouteKey", "RouteResponseSelectionExpression", "Target"},
		CreateOnly: []string{"ApiId"},
		Attributes: []string{"RouteId"},
	}
}

func routeInput(p props) (apigw.CreateRouteInput, error) {
	var in apigw.CreateRouteInput
	var err error
	for k, dst := range map[string]*string{"RouteKey": &in.RouteKey, "Target": &in.Target,
		"AuthorizationType": &in.AuthorizationType, "AuthorizerId": &in.AuthorizerID, "OperationName": &in.OperationName,
		"RouteResponseSelectionExpression": &in.RouteResponseSelectionExpression, "ModelSelectionExpression": &in.ModelSelectionExpression} {
		if *dst, err = p.str(k); err != nil {
			return in, err
		}
	}
	if in.AuthorizationScopes, err = p.strList("AuthorizationScopes"); err != nil {
		return in, err
	}
	if in.APIKeyRequired, err = p.boolean("ApiKeyRequired"); err != nil {
		return in, err
	}
	if in.RequestModels, err = p.strMap("RequestModels"); err != nil {
		return in, err
	}
	return in, nil
}

func (r Route) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	in, err := routeInput(p)
	if err != nil {
		return nil, err
	}
	out, err := r.Gateway.CreateRoute(ctx, apiID, in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: out.RouteID, Attributes: map[string]any{"RouteId": out.RouteID, "ApiId": apiID}}, nil
}

func (r Route) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	c, err := routeInput(p)
	if err != nil {
		return nil, err
	}
	scopes := c.AuthorizationScopes
	if scopes == nil {
		scopes = []string{}
	}
	in := apigw.UpdateRouteInput{RouteKey: &c.RouteKey, Target: &c.Target, AuthorizationType: &c.AuthorizationType,
		AuthorizerID: &c.AuthorizerID, AuthorizationScopes: scopes, APIKeyRequired: &c.APIKeyRequired,
		OperationName: &c.OperationName, RequestModels: c.RequestModels,
		RouteResponseSelectionExpression: &c.RouteResponseSelectionExpression, ModelSelectionExpression: &c.ModelSelectionExpression}
	out, err := r.Gateway.UpdateRoute(ctx, apiID, req.PhysicalID, in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: out.RouteID, Attributes: map[string]any{"RouteId": out.RouteID, "ApiId": apiID}}, nil
}

func (r Route) Delete(ctx context.Context, req *stack.Request) error {
	apiID, _ := newProps(req.LogicalID, req.Properties).str("ApiId")
	return ignoreNotFound(r.Gateway.DeleteRoute(ctx, apiID, req.PhysicalID))
}
