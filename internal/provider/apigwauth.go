package provider

import (
	"context"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Authorizer is AWS::ApiGatewayV2::Authorizer (spec cloudformation
// §6.11): a JWT or Lambda REQUEST authorizer. Ref is its ID.
type Authorizer struct{ Gateway *apigw.Service }

var _ stack.Updater = Authorizer{}

func (Authorizer) Schema() stack.Schema {
	return stack.Schema{
		Required: []string{"ApiId", "AuthorizerType", "Name"},
		Properties: []string{"ApiId", "AuthorizerCredentialsArn", "AuthorizerPayloadFormatVersion",
			"AuthorizerResultTtlInSeconds", "AuthorizerType", "AuthorizerUri", "EnableSimpleResponses",
			"IdentitySource", "IdentityValidationExpression", "JwtConfiguration", "Name"},
		CreateOnly: []string{"ApiId"},
		Attributes: []string{"AuthorizerId"},
	}
}

func authorizerInput(p props) (apigw.CreateAuthorizerInput, error) {
	var in apigw.CreateAuthorizerInput
	var err error
	for k, dst := range map[string]*string{"Name": &in.Name, "AuthorizerType": &in.AuthorizerType,
		"AuthorizerUri": &in.AuthorizerURI, "AuthorizerCredentialsArn": &in.AuthorizerCredentialsARN,
		"AuthorizerPayloadFormatVersion": &in.AuthorizerPayloadFormatVersion,
		"IdentityValidationExpression":   &in.IdentityValidationExpression} {
		if *dst, err = p.str(k); err != nil {
			return in, err
		}
	}
	if in.IdentitySource, err = p.strList("IdentitySource"); err != nil {
		return in, err
	}
	if in.AuthorizerResultTTLInSeconds, err = p.intPtr("AuthorizerResultTtlInSeconds"); err != nil {
		return in, err
	}
	if in.EnableSimpleResponses, err = p.boolPtr("EnableSimpleResponses"); err != nil {
		return in, err
	}
	if jwt, ok, err := p.object("JwtConfiguration"); err != nil {
		return in, err
	} else if ok {
		in.JWTConfiguration = &apigw.JWTConfiguration{}
		if in.JWTConfiguration.Audience, err = jwt.strList("Audience"); err != nil {
			return in, err
		}
		if in.JWTConfiguration.Issuer, err = jwt.str("Issuer"); err != nil {
			return in, err
		}
	}
	return in, nil
}

func (a Authorizer) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	in, err := authorizerInput(p)
	if err != nil {
		return nil, err
	}
	out, err := a.Gateway.CreateAuthorizer(ctx, apiID, in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: out.AuthorizerID, Attributes: map[string]any{"AuthorizerId": out.AuthorizerID, "ApiId": apiID}}, nil
}

func (a Authorizer) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	c, err := authorizerInput(p)
	if err != nil {
		return nil, err
	}
	in := apigw.UpdateAuthorizerInput{Name: &c.Name, AuthorizerType: &c.AuthorizerType, IdentitySource: c.IdentitySource,
		JWTConfiguration: c.JWTConfiguration, AuthorizerURI: &c.AuthorizerURI, AuthorizerCredentialsARN: &c.AuthorizerCredentialsARN,
		AuthorizerPayloadFormatVersion: &c.AuthorizerPayloadFormatVersion, AuthorizerResultTTLInSeconds: c.AuthorizerResultTTLInSeconds,
		EnableSimpleResponses: c.EnableSimpleResponses, IdentityValidationExpression: &c.IdentityValidationExpression}
	out, err := a.Gateway.UpdateAuthorizer(ctx, apiID, req.PhysicalID, in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: out.AuthorizerID, Attributes: map[string]any{"AuthorizerId": out.AuthorizerID, "ApiId": apiID}}, nil
}

func (a Authorizer) Delete(ctx context.Context, req *stack.Request) error {
	apiID, _ := newProps(req.LogicalID, req.Properties).str("ApiId")
	return ignoreNotFound(a.Gateway.DeleteAuthorizer(ctx, apiID, req.PhysicalID))
}

// Deployment is AWS::ApiGatewayV2::Deployment (spec cloudformation
// §6.12): a snapshot of the API's routes, pointed at by StageName's stage
// when given. Ref is its ID.
type Deployment struct{ Gateway *apigw.Service }

var _ stack.Updater = Deployment{}

func (Deployment) Schema() stack.Schema {
	return stack.Schema{
		Required:   []string{"ApiId"},
		Properties: []string{"ApiId", "Description", "StageName"},
		CreateOnly: []string{"ApiId"},
		Attributes: []string{"DeploymentId"},
	}
}

func (d Deployment) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	var in apigw.CreateDeploymentInput
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	if in.Description, err = p.str("Description"); err != nil {
		return nil, err
	}
	if in.StageName, err = p.str("StageName"); err != nil {
		return nil, err
	}
	out, err := d.Gateway.CreateDeployment(ctx, apiID, in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: out.DeploymentID, Attributes: map[string]any{"DeploymentId": out.DeploymentID, "ApiId": apiID}}, nil
}

// Update changes the description and, when StageName changes, points
// that stage at this deployment.
func (d Deployment) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	apiID, err := p.str("ApiId")
	if err != nil {
		return nil, err
	}
	desc, err := p.str("Description")
	if err != nil {
		return nil, err
	}
	if _, err := d.Gateway.UpdateDeployment(ctx, apiID, req.PhysicalID, apigw.UpdateDeploymentInput{Description: &desc}); err != nil {
		return nil, err
	}
	stage, err := p.str("StageName")
	if err != nil {
		return nil, err
	}
	if old, _ := newProps(req.LogicalID, req.OldProperties).str("StageName"); stage != "" && stage != old {
		id := req.PhysicalID
		if _, err := d.Gateway.UpdateStage(ctx, apiID, stage, apigw.UpdateStageInput{DeploymentID: &id}); err != nil {
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"DeploymentId": req.PhysicalID, "ApiId": apiID}}, nil
}

func (d Deployment) Delete(ctx context.Context, req *stack.Request) error {
	apiID, _ := newProps(req.LogicalID, req.Properties).str("ApiId")
	return ignoreNotFound(d.Gateway.DeleteDeployment(ctx, apiID, req.PhysicalID))
}
