package stack

import (
	"context"
	"fmt"
	"sort"
)

// Provider creates and deletes the resources of one CloudFormation type.
// Implementations live in internal/provider; they translate properties
// into service calls and hold no rules of their own.
//
// Create must either succeed fully or leave nothing behind. Delete must
// succeed when the resource is already gone (a retried delete, or a
// rollback after a crash).
type Provider interface {
	// Schema describes the type's properties.
	Schema() Schema
	// Create makes the resource and returns its physical ID (which is also
	// its Ref value) and the attributes Fn::GetAtt may read.
	Create(ctx context.Context, req *Request) (*Result, error)
	// Delete removes the resource named by req.PhysicalID.
	Delete(ctx context.Context, req *Request) error
}

// Updater is implemented by providers that can change a resource in
// place. Without it, every property change replaces the resource.
type Updater interface {
	// Update changes the resource req.PhysicalID from req.OldProperties to
	// req.Properties. The physical ID stays the same.
	Update(ctx context.Context, req *Request) (*Result, error)
}

// Schema is what the engine must know about a type before creating it.
type Schema struct {
	// Required properties; a missing one fails validation before anything
	// is created.
	Required []string
	// Properties lists every known property; when non-empty an unknown
	// property is a validation error.
	Properties []string
	// CreateOnly properties force a replacement when they change
	// (AWS: "Update requires: Replacement").
	CreateOnly []string
	// Attributes that Fn::GetAtt may name. Empty means "any" (used by
	// nested stacks, whose Outputs.X are open-ended).
	Attributes []string
	// NeedsCapability names the capability a template with this type must
	// acknowledge (CAPABILITY_IAM for AWS::IAM::*), "" for none.
	NeedsCapability string
	// NameProperty is the property that, when set, names the resource
	// (RoleName…); setting it on an IAM type needs CAPABILITY_NAMED_IAM.
	NameProperty string
}

// Request is one provider call.
type Request struct {
	Stack      StackInfo
	LogicalID  string
	Type       string
	Properties map[string]any // evaluated; nil when the template has none
	// OldProperties and PhysicalID are set for Update and Delete.
	OldProperties map[string]any
	PhysicalID    string
	// Attributes are the values the last Create/Update returned.
	Attributes map[string]any
}

// StackInfo identifies the stack a request belongs to.
type StackInfo struct {
	Name, ID, Region, AccountID, Partition string
}

// PhysicalName returns the name AWS generates for a resource whose name
// property is omitted: {stack}-{logicalID}-{12 random alphanumerics},
// shortened to max characters (spec cloudformation §6.0).
func (r *Request) PhysicalName(max int) string {
	return physicalName(r.Stack.Name, r.LogicalID, max)
}

// Result is what Create and Update return.
type Result struct {
	PhysicalID string
	Attributes map[string]any
}

// Registry maps CloudFormation type names to providers.
type Registry struct {
	m map[string]Provider
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[string]Provider{}} }

// Register adds p for typeName. Registering a type twice is a programming
// error and panics.
func (r *Registry) Register(typeName string, p Provider) {
	if _, dup := r.m[typeName]; dup {
		panic(fmt.Sprintf("stack: provider for %s registered twice", typeName))
	}
	r.m[typeName] = p
}

// Lookup returns the provider for typeName.
func (r *Registry) Lookup(typeName string) (Provider, bool) {
	p, ok := r.m[typeName]
	return p, ok
}

// Types returns the registered type names, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.m))
	for t := range r.m {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
