package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Version is AWS::Lambda::Version: a published version of a function's
// $LATEST. Every property is create-only, so a change publishes a new
// version. Ref is the version's ARN.
type Version struct{ Lambda *lambda.Service }

func (Version) Schema() stack.Schema {
	props := []string{"CodeSha256", "Description", "FunctionName", "FunctionScalingConfig", "ProvisionedConcurrencyConfig", "RuntimePolicy"}
	return stack.Schema{
		Required:   []string{"FunctionName"},
		Properties: props,
		CreateOnly: props,
		Attributes: []string{"FunctionArn", "Version"},
	}
}

func (v Version) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	var in lambda.PublishVersionInput
	var err error
	for k, dst := range map[string]*string{"FunctionName": &in.FunctionName, "CodeSha256": &in.CodeSha256, "Description": &in.Description} {
		if *dst, err = p.str(k); err != nil {
			return nil, err
		}
	}
	cfg, err := v.Lambda.PublishVersion(ctx, in)
	if err != nil {
		return nil, err
	}
	arn := cfg.FunctionArn
	if qualifier(arn) == "" {
		arn += ":" + cfg.Version
	}
	return &stack.Result{PhysicalID: arn, Attributes: map[string]any{"FunctionArn": arn, "Version": cfg.Version}}, nil
}

func (v Version) Delete(ctx context.Context, req *stack.Request) error {
	if qualifier(req.PhysicalID) == "" {
		return nil // never a whole function
	}
	return ignoreNotFound(v.Lambda.DeleteFunction(ctx, req.PhysicalID))
}

// qualifier is the version or alias of a qualified function ARN.
func qualifier(arn string) string {
	parts := 0
	for i := range len(arn) {
		if arn[i] == ':' {
			parts++
			if parts == 7 {
				return arn[i+1:]
			}
		}
	}
	return ""
}

// Alias is AWS::Lambda::Alias: a name for a version, optionally sending
// a share of invocations to a second one. Ref is the alias's ARN.
type Alias struct{ Lambda *lambda.Service }

var _ stack.Updater = Alias{}

func (Alias) Schema() stack.Schema {
	return stack.Schema{
		Required:   []string{"FunctionName", "FunctionVersion", "Name"},
		Properties: []string{"Description", "FunctionName", "FunctionVersion", "Name", "ProvisionedConcurrencyConfig", "RoutingConfig"},
		CreateOnly: []string{"FunctionName", "Name"},
		Attributes: []string{"AliasArn"},
	}
}

type aliasSpec struct {
	function, name, version, description string
	routing                              *lambda.AliasRoutingConfiguration
}

func readAlias(req *stack.Request) (aliasSpec, error) {
	p := newProps(req.LogicalID, req.Properties)
	var s aliasSpec
	var err error
	for k, dst := range map[string]*string{"FunctionName": &s.function, "Name": &s.name, "FunctionVersion": &s.version, "Description": &s.description} {
		if *dst, err = p.str(k); err != nil {
			return s, err
		}
	}
	rc, ok, err := p.object("RoutingConfig")
	if err != nil || !ok {
		return s, err
	}
	list, _ := rc.m["AdditionalVersionWeights"].([]any)
	s.routing = &lambda.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{}}
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return s, p.typeError(fmt.Sprintf("RoutingConfig/AdditionalVersionWeights/%d", i), "JSONObject", it)
		}
		w := props{p.logicalID, m}
		ver, err := w.str("FunctionVersion")
		if err != nil {
			return s, err
		}
		ws, err := w.str("FunctionWeight")
		if err != nil {
			return s, err
		}
		f, err := strconv.ParseFloat(ws, 64)
		if err != nil {
			return s, w.typeError("FunctionWeight", "Number", m["FunctionWeight"])
		}
		s.routing.AdditionalVersionWeights[ver] = f
	}
	return s, nil
}

func aliasResult(a *lambda.AliasConfiguration) *stack.Result {
	return &stack.Result{PhysicalID: a.AliasArn, Attributes: map[string]any{"AliasArn": a.AliasArn}}
}

func (a Alias) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	s, err := readAlias(req)
	if err != nil {
		return nil, err
	}
	out, err := a.Lambda.CreateAlias(ctx, lambda.CreateAliasInput{FunctionName: s.function, Name: s.name,
		FunctionVersion: s.version, Description: s.description, RoutingConfig: s.routing})
	if err != nil {
		return nil, err
	}
	return aliasResult(out), nil
}

func (a Alias) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	s, err := readAlias(req)
	if err != nil {
		return nil, err
	}
	routing := s.routing
	if routing == nil {
		routing = &lambda.AliasRoutingConfiguration{} // an empty one removes it
	}
	out, err := a.Lambda.UpdateAlias(ctx, lambda.UpdateAliasInput{FunctionName: s.function, Name: s.name,
		FunctionVersion: &s.version, Description: &s.description, RoutingConfig: routing})
	if err != nil {
		return nil, err
	}
	return aliasResult(out), nil
}

func (a Alias) Delete(ctx context.Context, req *stack.Request) error {
	s, err := readAlias(req)
	if err != nil || s.function == "" {
		return err
	}
	return ignoreNotFound(a.Lambda.DeleteAlias(ctx, s.function, s.name))
}
