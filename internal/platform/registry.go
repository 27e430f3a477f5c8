package platform

import (
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
	r.Register("AWS::Lambda::Function", provider.Function{Lambda: p.Lambda})
	r.Register("AWS::Lambda::Permission", provider.Permission{Lambda: p.Lambda})
	r.Register("AWS::ApiGatewayV2::Api", provider.API{Gateway: p.APIs})
	r.Register("AWS::ApiGatewayV2::Stage", provider.Stage{Gateway: p.APIs})
	r.Register("AWS::ApiGatewayV2::Integration", provider.Integration{Gateway: p.APIs})
	r.Register("AWS::ApiGatewayV2::Route", provider.Route{Gateway: p.APIs})
	return r
}
