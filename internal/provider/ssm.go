package provider

import (
	"context"

	"github.com/cloudlet-dev/cloudlet/internal/ssm"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Parameter is AWS::SSM::Parameter: a String or StringList parameter
// (CloudFormation cannot make SecureStrings). Ref is the name; GetAtt
// gives Type and Value.
type Parameter struct{ SSM *ssm.Service }

var (
	_ stack.Updater = Parameter{}
	_ stack.Planner = Parameter{}
)

func (Parameter) Schema() stack.Schema {
	return stack.Schema{
		Required:   []string{"Type", "Value"},
		Properties: []string{"AllowedPattern", "DataType", "Description", "Name", "Policies", "Tags", "Tier", "Type", "Value"},
		CreateOnly: []string{"Name"},
		Attributes: []string{"Type", "Value"},
	}
}

// PlannedID is the Name, or CFN-{LogicalId}-{suffix} as AWS generates
// parameter names.
func (Parameter) PlannedID(req *stack.Request) (string, error) {
	name, err := newProps(req.LogicalID, req.Properties).str("Name")
	if name == "" && err == nil {
		name = "CFN-" + req.LogicalID + "-" + req.Suffix()
	}
	return name, err
}

func (pr Parameter) input(req *stack.Request, name string, overwrite bool) (ssm.PutParameterInput, error) {
	p := newProps(req.LogicalID, req.Properties)
	in := ssm.PutParameterInput{Name: name, Overwrite: overwrite}
	var err error
	for k, dst := range map[string]*string{"Type": &in.Type, "Value": &in.Value, "Description": &in.Description,
		"AllowedPattern": &in.AllowedPattern, "Tier": &in.Tier, "DataType": &in.DataType} {
		if *dst, err = p.str(k); err != nil {
			return in, err
		}
	}
	if in.Type == ssm.TypeSecureString {
		return in, stack.Reasonf("Properties validation failed for resource %s with message: #/Type: SecureString is not a valid enum value", req.LogicalID)
	}
	if in.Tags, err = p.strMap("Tags"); err != nil {
		return in, err
	}
	return in, nil
}

func (pr Parameter) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	name, err := pr.PlannedID(req)
	if err != nil {
		return nil, err
	}
	in, err := pr.input(req, name, false)
	if err != nil {
		return nil, err
	}
	if _, err := pr.SSM.PutParameter(ctx, in); err != nil {
		return nil, err
	}
	return parameterResult(in), nil
}

func (pr Parameter) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	in, err := pr.input(req, req.PhysicalID, true)
	if err != nil {
		return nil, err
	}
	// Tags are the creation's only: PutParameter refuses them with
	// Overwrite.
	in.Tags = nil
	if _, err := pr.SSM.PutParameter(ctx, in); err != nil {
		return nil, err
	}
	return parameterResult(in), nil
}

func parameterResult(in ssm.PutParameterInput) *stack.Result {
	return &stack.Result{PhysicalID: in.Name, Attributes: map[string]any{"Type": in.Type, "Value": in.Value}}
}

func (pr Parameter) Delete(ctx context.Context, req *stack.Request) error {
	return ignoreNotFound(pr.SSM.DeleteParameter(ctx, req.PhysicalID))
}
