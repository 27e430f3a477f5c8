package platform

import (
	"context"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/provider"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// registry registers every CloudFormation type cloudlet supports, by the
// type's name. AWS::CloudFormation::Stack is the engine's own.
func (p *Platform) registry() *stack.Registry {
	r := stack.NewRegistry()
	r.Register("AWS::IAM::Role", provider.Role{IAM: p.IAM})
	r.Register("AWS::IAM::Policy", provider.Policy{IAM: p.IAM})
	r.Register("AWS::IAM::ManagedPolicy", provider.ManagedPolicy{IAM: p.IAM})
	r.Register("AWS::IAM::InstanceProfile", provider.InstanceProfile{})
	r.Register("AWS::Lambda::Function", provider.Function{Lambda: p.Lambda})
	r.Register("AWS::Lambda::Permission", provider.Permission{Lambda: p.Lambda})
	r.Register("AWS::Lambda::Version", provider.Version{Lambda: p.Lambda})
	r.Register("AWS::Lambda::Alias", provider.Alias{Lambda: p.Lambda})
	r.Register("AWS::Logs::LogGroup", provider.LogGroup{Logs: p.Logs})
	r.Register("AWS::SSM::Parameter", provider.Parameter{SSM: p.SSM})
	r.Register("AWS::ApiGatewayV2::Api", provider.API{Gateway: p.APIs, Objects: codeSource{p.S3}})
	r.Register("AWS::ApiGatewayV2::Stage", provider.Stage{Gateway: p.APIs})
	r.Register("AWS::ApiGatewayV2::Integration", provider.Integration{Gateway: p.APIs})
	r.Register("AWS::ApiGatewayV2::Route", provider.Route{Gateway: p.APIs})
	r.Register("AWS::ApiGatewayV2::Authorizer", provider.Authorizer{Gateway: p.APIs})
	r.Register("AWS::ApiGatewayV2::Deployment", provider.Deployment{Gateway: p.APIs})
	r.Register("AWS::CloudFormation::WaitConditionHandle", provider.WaitConditionHandle{})
	r.Register("AWS::CDK::Metadata", provider.CDKMetadata{})
	custom := provider.NewCustomResources(lambdaEvents{p.Lambda}, p.URL, 0)
	r.Register("AWS::CloudFormation::CustomResource", custom)
	r.Register(stack.CustomTypes, custom)
	return r
}

// Schemas is a registry of every supported type for checking templates
// offline (`cloudlet validate`): its providers have no services behind
// them and must not be called.
func Schemas() *stack.Registry { return (&Platform{}).registry() }

// lambdaEvents lets custom resources invoke their ServiceToken function.
type lambdaEvents struct{ lambda *lambda.Service }

var _ provider.EventInvoker = lambdaEvents{}

func (l lambdaEvents) InvokeEvent(ctx context.Context, functionARN string, payload []byte) error {
	_, err := l.lambda.Invoke(ctx, lambda.InvokeInput{FunctionName: functionARN, InvocationType: lambda.Event, Payload: payload})
	return err
}
