package apigw

import "context"

// Custom domain names (AWS::ApiGatewayV2::DomainName, ApiMapping) need
// DNS and certificates that a local gateway does not have; cloudlet
// serves every API at its execute-api endpoint only. These methods let
// the providers and the wire adapter refuse them with one message that
// names what is unsupported (501 NotImplemented, DESIGN.md).

// CreateDomainName refuses a custom domain name.
func (s *Service) CreateDomainName(ctx context.Context, domainName string) error {
	return notImplemented("cloudlet does not support custom domain names (DomainName %s): call the API at its execute-api endpoint", domainName)
}

// CreateAPIMapping refuses an API mapping to a custom domain name.
func (s *Service) CreateAPIMapping(ctx context.Context, domainName, apiID, stage string) error {
	return notImplemented("cloudlet does not support API mappings (DomainName %s, ApiId %s, Stage %s): call the API at its execute-api endpoint", domainName, apiID, stage)
}
