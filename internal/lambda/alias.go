package lambda

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
)

// AliasConfiguration is an alias: a name for a version, optionally
// sending a share of invocations to a second version.
type AliasConfiguration struct {
	AliasArn        string                     `json:"AliasArn"`
	Name            string                     `json:"Name"`
	FunctionVersion string                     `json:"FunctionVersion"`
	Description     string                     `json:"Description"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig,omitempty"`
	RevisionID      string                     `json:"RevisionId"`
}

// AliasRoutingConfiguration sends a weight (0 ≤ w < 1) of an alias's
// invocations to one additional version.
type AliasRoutingConfiguration struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights"`
}

// CreateAliasInput is a CreateAlias request.
type CreateAliasInput struct {
	FunctionName, Name, FunctionVersion, Description string
	RoutingConfig                                    *AliasRoutingConfiguration
}

// UpdateAliasInput is an UpdateAlias request; nil fields stay as they are.
type UpdateAliasInput struct {
	FunctionName, Name           string
	FunctionVersion, Description *string
	// RoutingConfig replaces the routing; an empty one removes it.
	RoutingConfig *AliasRoutingConfiguration
	RevisionID    string
}

var aliasRE = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,128}$`)

func validAliasName(name string) error {
	if !aliasRE.MatchString(name) || isVersionNumber(name) {
		return validation("name", name, "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
	}
	return nil
}

// CreateAlias names a version ($LATEST or a published one).
func (s *Service) CreateAlias(ctx context.Context, in CreateAliasInput) (*AliasConfiguration, error) {
	name := nameOf(in.FunctionName)
	if err := validAliasName(in.Name); err != nil {
		return nil, err
	}
	var out AliasConfiguration
	_, err := s.update(name, func(fn *function) error {
		if err := s.checkAliasTarget(fn, in.FunctionVersion, in.RoutingConfig); err != nil {
			return err
		}
		if a, ok := fn.Aliases[in.Name]; ok {
			return conflict("Alias already exists: %s", a.AliasArn)
		}
		out = AliasConfiguration{AliasArn: s.qualifiedARN(name, in.Name), Name: in.Name,
			FunctionVersion: in.FunctionVersion, Description: in.Description,
			RoutingConfig: normalRouting(in.RoutingConfig), RevisionID: newUUID()}
		if fn.Aliases == nil {
			fn.Aliases = map[string]AliasConfiguration{}
		}
		fn.Aliases[in.Name] = out
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// checkAliasTarget checks that an alias's versions exist and that its
// routing is one AWS accepts.
func (s *Service) checkAliasTarget(fn *function, target string, rc *AliasRoutingConfiguration) error {
	name := fn.Config.FunctionName
	if target != "$LATEST" {
		if _, ok := fn.version(target); !ok {
			return s.notFound(name, target)
		}
	}
	if rc == nil || len(rc.AdditionalVersionWeights) == 0 {
		return nil
	}
	if len(rc.AdditionalVersionWeights) > 1 {
		return invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	for v, w := range rc.AdditionalVersionWeights {
		if w < 0 || w >= 1 {
			return validation("routingConfig.additionalVersionWeights", fmt.Sprintf("{%s=%v}", v, w), "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]")
		}
		if v == target {
			return invalid("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)
		}
		if target == "$LATEST" {
			return invalid("$LATEST is not supported for an alias pointing to more than 1 version")
		}
		if !isVersionNumber(v) {
			return validation("routingConfig.additionalVersionWeights", fmt.Sprintf("{%s=%v}", v, w), "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]")
		}
		if _, ok := fn.version(v); !ok {
			return s.notFound(name, v)
		}
	}
	return nil
}

func normalRouting(rc *AliasRoutingConfiguration) *AliasRoutingConfiguration {
	if rc == nil || len(rc.AdditionalVersionWeights) == 0 {
		return nil
	}
	return &AliasRoutingConfiguration{AdditionalVersionWeights: maps.Clone(rc.AdditionalVersionWeights)}
}

// GetAlias returns an alias.
func (s *Service) GetAlias(ctx context.Context, functionName, alias string) (*AliasConfiguration, error) {
	name := nameOf(functionName)
	fn, err := s.load(name)
	if err != nil {
		return nil, s.notFoundUnqualified(name)
	}
	a, ok := fn.Aliases[alias]
	if !ok {
		return nil, s.aliasNotFound(name, alias)
	}
	return &a, nil
}

func (s *Service) aliasNotFound(name, alias string) error {
	return resourceNotFound("Cannot find alias arn: %s", s.qualifiedARN(name, alias))
}

// UpdateAlias changes an alias's version, description or routing; its
// revision changes even when nothing else does, as on AWS.
func (s *Service) UpdateAlias(ctx context.Context, in UpdateAliasInput) (*AliasConfiguration, error) {
	name := nameOf(in.FunctionName)
	var out AliasConfiguration
	_, err := s.update(name, func(fn *function) error {
		a, ok := fn.Aliases[in.Name]
		if !ok {
			return s.aliasNotFound(name, in.Name)
		}
		if in.RevisionID != "" && in.RevisionID != a.RevisionID {
			return preconditionFailed()
		}
		if in.FunctionVersion != nil {
			a.FunctionVersion = *in.FunctionVersion
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			a.RoutingConfig = normalRouting(in.RoutingConfig)
		}
		if err := s.checkAliasTarget(fn, a.FunctionVersion, a.RoutingConfig); err != nil {
			return err
		}
		a.RevisionID = newUUID()
		fn.Aliases[in.Name] = a
		out = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteAlias removes an alias and its Event invocation settings.
func (s *Service) DeleteAlias(ctx context.Context, functionName, alias string) error {
	name := nameOf(functionName)
	_, err := s.update(name, func(fn *function) error {
		if _, ok := fn.Aliases[alias]; !ok {
			return s.aliasNotFound(name, alias)
		}
		delete(fn.Aliases, alias)
		delete(fn.EventConfigs, alias)
		return nil
	})
	return err
}

// ListAliasesOutput is a page of aliases, by name.
type ListAliasesOutput struct {
	Aliases    []AliasConfiguration `json:"Aliases"`
	NextMarker string               `json:"NextMarker,omitempty"`
}

// ListAliases lists a function's aliases by name; functionVersion, when
// set, keeps those pointing to that version.
func (s *Service) ListAliases(ctx context.Context, functionName, functionVersion, marker string, maxItems int) (*ListAliasesOutput, error) {
	name := nameOf(functionName)
	fn, err := s.load(name)
	if err != nil {
		return nil, s.notFoundUnqualified(name)
	}
	var all []AliasConfiguration
	for _, k := range slices.Sorted(maps.Keys(fn.Aliases)) {
		if a := fn.Aliases[k]; functionVersion == "" || a.FunctionVersion == functionVersion {
			all = append(all, a)
		}
	}
	page, next, err := paginate(all, marker, maxItems, func(a AliasConfiguration) string { return a.AliasArn })
	if err != nil {
		return nil, err
	}
	if page == nil {
		page = []AliasConfiguration{}
	}
	return &ListAliasesOutput{Aliases: page, NextMarker: next}, nil
}

// pick chooses the version an invocation of alias a runs: the additional
// version with its weight's probability, the main one otherwise.
func (a *AliasConfiguration) pick() string {
	if a.RoutingConfig != nil {
		for v, w := range a.RoutingConfig.AdditionalVersionWeights {
			if rand.Float64() < w {
				return v
			}
		}
	}
	return a.FunctionVersion
}
