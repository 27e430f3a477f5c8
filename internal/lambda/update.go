package lambda

import (
	"context"
	"fmt"
	"slices"
)

// UpdateFunctionCodeInput is an UpdateFunctionCode request.
type UpdateFunctionCodeInput struct {
	FunctionName string
	Code         Code
	// Architectures, when set, replaces the function's.
	Architectures []string
	// Publish also publishes a version, whose configuration is returned.
	Publish bool
	// RevisionID, when set, must be $LATEST's current one.
	RevisionID string
}

// UpdateFunctionCode replaces $LATEST's code; its environments are
// replaced on their next invocation.
func (s *Service) UpdateFunctionCode(ctx context.Context, in UpdateFunctionCodeInput) (*FunctionConfiguration, error) {
	name := nameOf(in.FunctionName)
	fn, err := s.load(name)
	if err != nil {
		return nil, s.notFoundUnqualified(name)
	}
	if in.Architectures != nil {
		check := inputOf(fn)
		check.Architectures = in.Architectures
		if err := check.validate(); err != nil {
			return nil, err
		}
	}
	code, err := s.storeCode(ctx, in.Code, fn.Config.Runtime)
	if err != nil {
		return nil, err
	}
	var out FunctionConfiguration
	_, err = s.update(name, func(fn *function) error {
		if in.RevisionID != "" && in.RevisionID != fn.Config.RevisionID {
			return preconditionFailed()
		}
		fn.Code = *code
		fn.Config.CodeSha256, fn.Config.CodeSize = code.Sha256, code.Size
		if in.Architectures != nil {
			fn.Config.Architectures = slices.Clone(in.Architectures)
		}
		fn.Config.LastModified = lastModified(s.now())
		fn.Config.RevisionID = newUUID()
		fn.Change = newUUID()
		out = fn.Config
		if in.Publish {
			out = fn.publish("").Config
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.retire(ctx, name, "$LATEST")
	return &out, nil
}

// UpdateFunctionConfigurationInput is an UpdateFunctionConfiguration
// request: nil fields keep their value.
type UpdateFunctionConfigurationInput struct {
	FunctionName                          string
	Role, Handler, Description, Runtime   *string
	Timeout, MemorySize, EphemeralStorage *int
	// Environment replaces the variables; an empty map removes them all.
	Environment *map[string]string
	TracingMode *string
	LogGroup    *string
	// Layers replaces the layer ARNs; an empty slice removes them all.
	Layers *[]string
	// DeadLetterTargetArn replaces the dead-letter queue; "" removes it.
	DeadLetterTargetArn *string
	// RevisionID, when set, must be $LATEST's current one.
	RevisionID string
}

// UpdateFunctionConfiguration changes $LATEST's settings, validated as
// CreateFunction validates them.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in UpdateFunctionConfigurationInput) (*FunctionConfiguration, error) {
	name := nameOf(in.FunctionName)
	fn, err := s.load(name)
	if err != nil {
		return nil, s.notFoundUnqualified(name)
	}
	req := inputOf(fn)
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&req.Role, in.Role)
	set(&req.Handler, in.Handler)
	set(&req.Description, in.Description)
	set(&req.Runtime, in.Runtime)
	set(&req.TracingMode, in.TracingMode)
	set(&req.LogGroup, in.LogGroup)
	set(&req.DeadLetterTargetArn, in.DeadLetterTargetArn)
	// Zero is out of range here, not "the default" it means on create.
	for _, f := range []struct {
		dst   *int
		v     *int
		field string
		least int
	}{{&req.Timeout, in.Timeout, "timeout", 1}, {&req.MemorySize, in.MemorySize, "memorySize", 128}, {&req.EphemeralStorage, in.EphemeralStorage, "ephemeralStorage.size", 512}} {
		if f.v == nil {
			continue
		}
		if *f.v <= 0 {
			return nil, validation(f.field, fmt.Sprint(*f.v), fmt.Sprintf("Member must have value greater than or equal to %d", f.least))
		}
		*f.dst = *f.v
	}
	if in.Environment != nil {
		req.Environment = *in.Environment
	}
	if in.Layers != nil {
		req.Layers = *in.Layers
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	if in.Role != nil {
		if err := s.checkRole(ctx, req.Role); err != nil {
			return nil, err
		}
	}
	var layers []codeRecord
	var refs []Layer
	if in.Layers != nil {
		if layers, refs, err = s.resolveLayers(req.Layers); err != nil {
			return nil, err
		}
	}
	var out FunctionConfiguration
	_, err = s.update(name, func(fn *function) error {
		if in.RevisionID != "" && in.RevisionID != fn.Config.RevisionID {
			return preconditionFailed()
		}
		if in.Layers == nil {
			layers, refs = fn.Layers, fn.Config.Layers
		}
		fn.Config = s.configOf(req, &fn.Code, refs)
		fn.Layers = layers
		fn.Change = newUUID()
		out = fn.Config
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.retire(ctx, name, "$LATEST")
	return &out, nil
}
