package platform

import (
	"context"
	"net/http"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// CustomResourceResponses is the handler custom resources' functions PUT
// their responses to; serve it under provider.ResponsePath
// (/_cloudlet/cfn-response/) on the listener.
func (p *Platform) CustomResourceResponses() http.Handler {
	if prov, ok := p.Stacks.Registry().Lookup(stack.CustomTypes); ok {
		if h, ok := prov.(http.Handler); ok {
			return h
		}
	}
	return http.NotFoundHandler()
}

// RecoverStacks finishes the stack operations a previous process left in
// progress (see stack.Engine.Recover). Call it once the listener serves:
// a custom resource being rolled back answers through it.
func (p *Platform) RecoverStacks(ctx context.Context) error {
	return p.Stacks.Recover(ctx)
}
