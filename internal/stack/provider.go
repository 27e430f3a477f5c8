package stack

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
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

// Planner is implemented by providers that know, before Create, the
// physical ID Create will give the resource — a name the properties give
// or one made with Request.PhysicalName, which returns the same name for
// the same request. The engine commits it to the resource's record before
// calling Create, so that a crash during Create cannot orphan what it
// made: recovery deletes by the planned ID (spec DESIGN "crash safety").
type Planner interface {
	PlannedID(req *Request) (string, error)
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

	// suffix makes PhysicalName repeatable for one request (Planner);
	// empty means a fresh random suffix at each call.
	suffix string
}

// StackInfo identifies the stack a request belongs to.
type StackInfo struct {
	Name, ID, Region, AccountID, Partition string
}

// PhysicalName returns the name AWS generates for a resource whose name
// property is omitted: {stack}-{logicalID}-{12 random alphanumerics},
// shortened to max characters (spec cloudformation §6.0).
// The random part is drawn once per request, so that Planner.PlannedID
// and Create agree.
func (r *Request) PhysicalName(max int) string {
	return fitName(r.Stack.Name, r.LogicalID, r.Suffix(), max)
}

// Suffix returns the request's 12 random characters (mixed-case
// alphanumerics), the same on every call for one request: for generated
// names in other shapes than PhysicalName's (AWS::SSM::Parameter's
// CFN-{LogicalId}-{suffix}).
func (r *Request) Suffix() string {
	if r.suffix == "" {
		r.suffix = randomSuffix(12, alnum)
	}
	return r.suffix
}

// LeftoverError is a failed Create that nevertheless left something the
// engine must delete when it rolls back: a nested stack that failed and
// rolled itself back still exists until its parent deletes it (spec §7).
type LeftoverError struct {
	PhysicalID string
	Err        error
}

func (e *LeftoverError) Error() string { return e.Err.Error() }

// Unwrap gives errors.Is/As the failure.
func (e *LeftoverError) Unwrap() error { return e.Err }

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

// CustomTypes is the registry key of the provider of every Custom::Name
// type (AWS's custom resources, spec cloudformation §6).
const CustomTypes = "Custom::*"

// Lookup returns the provider for typeName. A Custom::Name type without
// a provider of its own gets the one registered as CustomTypes.
func (r *Registry) Lookup(typeName string) (Provider, bool) {
	if p, ok := r.m[typeName]; ok {
		return p, true
	}
	if name, ok := strings.CutPrefix(typeName, "Custom::"); ok && customName.MatchString(name) {
		p, ok := r.m[CustomTypes]
		return p, ok
	}
	return nil, false
}

// customName is what AWS allows after "Custom::" (60 characters at most).
var customName = regexp.MustCompile(`^[A-Za-z0-9_@-]{1,60}$`)

// clone returns a copy to add to without changing r.
func (r *Registry) clone() *Registry {
	c := NewRegistry()
	for k, v := range r.m {
		c.m[k] = v
	}
	return c
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
