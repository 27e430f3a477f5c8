package lambda

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// CreateFunction validates and stores a function. Its environments start
// on the first invocation. With Publish it also publishes version 1 and
// answers with that version's configuration.
func (s *Service) CreateFunction(ctx context.Context, in CreateFunctionInput) (*FunctionConfiguration, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := s.checkRole(ctx, in.Role); err != nil {
		return nil, err
	}
	layers, refs, err := s.resolveLayers(in.Layers)
	if err != nil {
		return nil, err
	}
	code, err := s.storeCode(ctx, in.Code, in.Runtime)
	if err != nil {
		return nil, err
	}
	fn := &function{Code: *code, Layers: layers, Tags: in.Tags, Reserved: in.ReservedConcurrency, Change: newUUID()}
	fn.Config = s.configOf(in, code, refs)
	var out FunctionConfiguration
	err = s.cfg.DB.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketFunctions, in.FunctionName) != nil {
			return conflict("Function already exist: %s", in.FunctionName)
		}
		if err := s.checkReservation(tx, in.FunctionName, in.ReservedConcurrency); err != nil {
			return err
		}
		out = fn.Config
		if in.Publish {
			v := fn.publish("")
			out = v.Config
			out.FunctionArn = fn.Config.FunctionArn
		}
		return tx.Put(bucketFunctions, in.FunctionName, fn)
	})
	s.invalidate(in.FunctionName)
	if err != nil {
		return nil, err
	}
	s.limits.setReserved(in.FunctionName, in.ReservedConcurrency)
	return &out, nil
}

// configOf builds $LATEST's configuration from a validated request.
func (s *Service) configOf(in CreateFunctionInput, code *codeRecord, layers []Layer) FunctionConfiguration {
	c := FunctionConfiguration{
		FunctionName: in.FunctionName, FunctionArn: s.functionARN(in.FunctionName),
		Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description,
		Timeout: in.Timeout, MemorySize: in.MemorySize, CodeSha256: code.Sha256, CodeSize: code.Size,
		LastModified: lastModified(s.now()), Version: "$LATEST", RevisionID: newUUID(),
		State: "Active", LastUpdateStatus: "Successful", PackageType: in.PackageType,
		Architectures:    in.Architectures,
		TracingConfig:    &TracingConfig{Mode: "PassThrough"},
		EphemeralStorage: &EphemeralStorage{Size: in.EphemeralStorage},
		LoggingConfig:    &LoggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + in.FunctionName},
		Layers:           layers,
	}
	if in.TracingMode != "" {
		c.TracingConfig.Mode = in.TracingMode
	}
	if in.LogGroup != "" {
		c.LoggingConfig.LogGroup = in.LogGroup
	}
	if len(in.Environment) > 0 {
		c.Environment = &Environment{Variables: in.Environment}
	}
	if in.DeadLetterTargetArn != "" {
		c.DeadLetterConfig = &DeadLetterConfig{TargetArn: in.DeadLetterTargetArn}
	}
	return c
}

// inputOf is the request that would create fn's $LATEST as it is: the
// starting point of a partial update, so that one validate covers all.
func inputOf(fn *function) CreateFunctionInput {
	c := fn.Config
	in := CreateFunctionInput{
		FunctionName: c.FunctionName, Runtime: c.Runtime, Role: c.Role, Handler: c.Handler,
		Description: c.Description, Timeout: c.Timeout, MemorySize: c.MemorySize,
		Architectures: slices.Clone(c.Architectures), PackageType: c.PackageType, Tags: fn.Tags,
		ReservedConcurrency: fn.Reserved,
	}
	if c.EphemeralStorage != nil {
		in.EphemeralStorage = c.EphemeralStorage.Size
	}
	if c.Environment != nil {
		in.Environment = maps.Clone(c.Environment.Variables)
	}
	if c.TracingConfig != nil {
		in.TracingMode = c.TracingConfig.Mode
	}
	if c.LoggingConfig != nil && c.LoggingConfig.LogGroup != "/aws/lambda/"+c.FunctionName {
		in.LogGroup = c.LoggingConfig.LogGroup
	}
	for _, l := range c.Layers {
		in.Layers = append(in.Layers, l.Arn)
	}
	if c.DeadLetterConfig != nil {
		in.DeadLetterTargetArn = c.DeadLetterConfig.TargetArn
	}
	return in
}

// checkRole refuses a role Lambda could not assume, with AWS's message.
func (s *Service) checkRole(ctx context.Context, role string) error {
	if s.cfg.IAM == nil {
		return nil
	}
	ok, err := s.cfg.IAM.Trusts(ctx, role, "lambda.amazonaws.com")
	if err != nil {
		return err
	}
	if !ok {
		return invalid("The role defined for the function cannot be assumed by Lambda.")
	}
	return nil
}

// UpdateFunction replaces a function's configuration and code (the
// CloudFormation provider's in-place update). Its warm environments are
// retired: the next invocation starts fresh ones, as on AWS. Published
// versions, aliases and permissions are kept.
func (s *Service) UpdateFunction(ctx context.Context, in CreateFunctionInput) (*FunctionConfiguration, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := s.checkRole(ctx, in.Role); err != nil {
		return nil, err
	}
	layers, refs, err := s.resolveLayers(in.Layers)
	if err != nil {
		return nil, err
	}
	code, err := s.storeCode(ctx, in.Code, in.Runtime)
	if err != nil {
		return nil, err
	}
	var out FunctionConfiguration
	_, err = s.updateTx(in.FunctionName, func(tx *store.Tx, fn *function) error {
		if err := s.checkReservation(tx, in.FunctionName, in.ReservedConcurrency); err != nil {
			return err
		}
		fn.Config = s.configOf(in, code, refs)
		fn.Code, fn.Layers = *code, layers
		fn.Tags = in.Tags
		fn.Reserved = in.ReservedConcurrency
		fn.Change = newUUID()
		out = fn.Config
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.retire(ctx, in.FunctionName, "$LATEST")
	return &out, nil
}

// DeleteFunction removes a function, its versions and aliases, and stops
// its environments. A qualified name deletes only that version.
func (s *Service) DeleteFunction(ctx context.Context, name string) error {
	name, qualifier, err := splitName(name, "")
	if err != nil {
		return err
	}
	if qualifier != "" {
		return s.deleteVersion(ctx, name, qualifier)
	}
	err = s.cfg.DB.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketFunctions, name) == nil {
			return s.notFoundUnqualified(name)
		}
		return tx.Delete(bucketFunctions, name)
	})
	s.invalidate(name)
	if err != nil {
		return err
	}
	s.limits.setReserved(name, nil)
	s.stats.forget(name)
	s.retire(ctx, name, "")
	return nil
}

// GetFunctionOutput is GetFunction's answer (spec lambda §8.4).
type GetFunctionOutput struct {
	Configuration FunctionConfiguration `json:"Configuration"`
	Code          FunctionCodeLocation  `json:"Code"`
	Tags          map[string]string     `json:"Tags,omitempty"`
	Concurrency   *Concurrency          `json:"Concurrency,omitempty"`
}

// FunctionCodeLocation says where the function's package can be
// downloaded: a URL cloudlet serves, standing in for AWS's presigned S3
// URL.
type FunctionCodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

// Concurrency is a function's reserved concurrency.
type Concurrency struct {
	ReservedConcurrentExecutions int `json:"ReservedConcurrentExecutions"`
}

// GetFunction is the GetFunction API: the configuration of $LATEST, a
// version or the version an alias points to, where to download its code,
// its tags and its reserved concurrency. GetFunctionConfiguration returns
// the configuration alone.
func (s *Service) GetFunction(ctx context.Context, functionName, qualifier string) (*GetFunctionOutput, error) {
	name, qualifier, err := splitName(functionName, qualifier)
	if err != nil {
		return nil, err
	}
	fn, err := s.loadQualified(name, qualifier)
	if err != nil {
		return nil, err
	}
	cfg, err := s.configAt(fn, qualifier)
	if err != nil {
		return nil, err
	}
	out := &GetFunctionOutput{Configuration: *cfg, Tags: fn.Tags,
		Code: FunctionCodeLocation{RepositoryType: "S3", Location: s.codeLocation(name, qualifier)}}
	if fn.Reserved != nil {
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: *fn.Reserved}
	}
	return out, nil
}

// GetFunctionConfiguration returns the configuration of $LATEST, a
// version, or the version an alias points to.
func (s *Service) GetFunctionConfiguration(ctx context.Context, functionName, qualifier string) (*FunctionConfiguration, error) {
	name, qualifier, err := splitName(functionName, qualifier)
	if err != nil {
		return nil, err
	}
	fn, err := s.loadQualified(name, qualifier)
	if err != nil {
		return nil, err
	}
	return s.configAt(fn, qualifier)
}

// loadQualified loads a function, reporting a missing one in the words
// of the qualifier asked for.
func (s *Service) loadQualified(name, qualifier string) (*function, error) {
	fn, err := s.load(name)
	if err != nil && qualifier != "" {
		return nil, s.notFound(name, qualifier)
	}
	if err != nil {
		return nil, s.notFoundUnqualified(name)
	}
	return fn, nil
}

// configAt is the configuration a qualifier names, as GetFunction shows
// it: the unqualified ARN for no qualifier, the qualified one otherwise.
func (s *Service) configAt(fn *function, qualifier string) (*FunctionConfiguration, error) {
	name := fn.Config.FunctionName
	var cfg FunctionConfiguration
	switch {
	case qualifier == "":
		cfg = fn.Config
	case qualifier == "$LATEST":
		cfg = fn.Config
		cfg.FunctionArn = s.qualifiedARN(name, qualifier)
	case isVersionNumber(qualifier):
		v, ok := fn.version(qualifier)
		if !ok {
			return nil, s.notFound(name, qualifier)
		}
		cfg = v.Config
	default:
		a, ok := fn.Aliases[qualifier]
		if !ok {
			return nil, s.notFound(name, qualifier)
		}
		if a.FunctionVersion == "$LATEST" {
			cfg = fn.Config
		} else if v, ok := fn.version(a.FunctionVersion); ok {
			cfg = v.Config
		} else {
			return nil, s.notFound(name, qualifier)
		}
		cfg.FunctionArn = s.qualifiedARN(name, qualifier)
	}
	return &cfg, nil
}

// clone returns a deep copy of a configuration through JSON: cheap enough
// for the control plane, and immune to fields added later.
func clone[T any](v T) T {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out T
	if json.Unmarshal(raw, &out) != nil {
		return v
	}
	return out
}
