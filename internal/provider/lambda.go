package provider

import (
	"context"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Function is AWS::Lambda::Function (spec cloudformation §6.1).
type Function struct{ Lambda *lambda.Service }

var (
	_ stack.Updater = Function{}
	_ stack.Planner = Function{}
)

// PlannedID is the FunctionName, or {stack}-{LogicalId}-{suffix}.
func (Function) PlannedID(req *stack.Request) (string, error) {
	name, err := newProps(req.LogicalID, req.Properties).str("FunctionName")
	if name == "" && err == nil {
		name = req.PhysicalName(64)
	}
	return name, err
}

func (Function) Schema() stack.Schema {
	return stack.Schema{
		Required: []string{"Code", "Role"},
		Properties: []string{"Architectures", "Code", "CodeSigningConfigArn", "DeadLetterConfig", "Description",
			"Environment", "EphemeralStorage", "FileSystemConfigs", "FunctionName", "Handler", "ImageConfig",
			"KmsKeyArn", "Layers", "LoggingConfig", "MemorySize", "PackageType", "RecursiveLoop",
			"ReservedConcurrentExecutions", "Role", "Runtime", "RuntimeManagementConfig", "SnapStart", "Tags",
			"Timeout", "TracingConfig", "VpcConfig"},
		CreateOnly: []string{"FunctionName", "PackageType"},
		Attributes: []string{"Arn", "SnapStartResponse", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus"},
	}
}

// input translates the properties into the service's request.
func (Function) input(req *stack.Request, name string) (lambda.CreateFunctionInput, error) {
	p := newProps(req.LogicalID, req.Properties)
	var in lambda.CreateFunctionInput
	in.FunctionName = name
	var err error
	get := func(k string, dst *string) {
		if err == nil {
			*dst, err = p.str(k)
		}
	}
	get("Runtime", &in.Runtime)
	get("Role", &in.Role)
	get("Handler", &in.Handler)
	get("Description", &in.Description)
	get("PackageType", &in.PackageType)
	if err != nil {
		return in, err
	}
	if in.Timeout, err = p.integer("Timeout"); err != nil {
		return in, err
	}
	if in.MemorySize, err = p.integer("MemorySize"); err != nil {
		return in, err
	}
	if in.Architectures, err = p.strList("Architectures"); err != nil {
		return in, err
	}
	if in.Tags, err = p.tags("Tags"); err != nil {
		return in, err
	}
	if in.ReservedConcurrency, err = p.intPtr("ReservedConcurrentExecutions"); err != nil {
		return in, err
	}
	if env, ok, err := p.object("Environment"); err != nil {
		return in, err
	} else if ok {
		if in.Environment, err = env.strMap("Variables"); err != nil {
			return in, err
		}
	}
	if es, ok, err := p.object("EphemeralStorage"); err != nil {
		return in, err
	} else if ok {
		if in.EphemeralStorage, err = es.integer("Size"); err != nil {
			return in, err
		}
	}
	if tc, ok, err := p.object("TracingConfig"); err != nil {
		return in, err
	} else if ok {
		if in.TracingMode, err = tc.str("Mode"); err != nil {
			return in, err
		}
	}
	if lc, ok, err := p.object("LoggingConfig"); err != nil {
		return in, err
	} else if ok {
		if in.LogGroup, err = lc.str("LogGroup"); err != nil {
			return in, err
		}
	}
	code, ok, err := p.object("Code")
	if err != nil {
		return in, err
	}
	if !ok {
		return in, stack.Reasonf("Properties validation failed for resource %s with message: #: required key [Code] not found", req.LogicalID)
	}
	if code.has("ZipFile") {
		src, err := code.str("ZipFile")
		if err != nil {
			return in, err
		}
		in.Code.InlineSource = &src
	}
	if in.Code.S3Bucket, err = code.str("S3Bucket"); err != nil {
		return in, err
	}
	if in.Code.S3Key, err = code.str("S3Key"); err != nil {
		return in, err
	}
	if in.Code.S3ObjectVersion, err = code.str("S3ObjectVersion"); err != nil {
		return in, err
	}
	if code.has("ImageUri") {
		in.PackageType = "Image"
	}
	return in, nil
}

func (f Function) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	name, err := f.PlannedID(req)
	if err != nil {
		return nil, err
	}
	in, err := f.input(req, name)
	if err != nil {
		return nil, err
	}
	cfg, err := f.Lambda.CreateFunction(ctx, in)
	if err != nil {
		return nil, err
	}
	return functionResult(cfg), nil
}

func (f Function) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	in, err := f.input(req, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	cfg, err := f.Lambda.UpdateFunction(ctx, in)
	if err != nil {
		return nil, err
	}
	return functionResult(cfg), nil
}

func (f Function) Delete(ctx context.Context, req *stack.Request) error {
	return ignoreNotFound(f.Lambda.DeleteFunction(ctx, req.PhysicalID))
}

// functionResult: Ref is the name; Arn is unqualified.
func functionResult(cfg *lambda.FunctionConfiguration) *stack.Result {
	return &stack.Result{PhysicalID: cfg.FunctionName, Attributes: map[string]any{
		"Arn":                                  cfg.FunctionArn,
		"SnapStartResponse.ApplyOn":            "None",
		"SnapStartResponse.OptimizationStatus": "Off",
	}}
}

// Permission is AWS::Lambda::Permission (spec cloudformation §6.2): one
// statement of the function's resource policy. Every property is
// create-only, so it has no Update.
type Permission struct{ Lambda *lambda.Service }

var _ stack.Planner = Permission{}

// PlannedID is the statement ID, {stack}-{LogicalId}-{suffix}.
func (Permission) PlannedID(req *stack.Request) (string, error) { return req.PhysicalName(100), nil }

func (Permission) Schema() stack.Schema {
	props := []string{"Action", "EventSourceToken", "FunctionName", "FunctionUrlAuthType", "InvokedViaFunctionUrl",
		"Principal", "PrincipalOrgID", "SourceAccount", "SourceArn"}
	return stack.Schema{
		Required:   []string{"Action", "FunctionName", "Principal"},
		Properties: props,
		CreateOnly: props,
		Attributes: []string{"Id"},
	}
}

func (pr Permission) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	var in lambda.PermissionInput
	var fn string
	var err error
	for k, dst := range map[string]*string{"FunctionName": &fn, "Action": &in.Action, "Principal": &in.Principal,
		"SourceArn": &in.SourceArn, "SourceAccount": &in.SourceAccount, "PrincipalOrgID": &in.PrincipalOrgID,
		"FunctionUrlAuthType": &in.FunctionURLAuthType} {
		if *dst, err = p.str(k); err != nil {
			return nil, err
		}
	}
	if i := strings.LastIndex(fn, ":"); i > 0 && strings.Count(fn, ":") == 7 {
		in.Qualifier = fn[i+1:]
	}
	in.StatementID, _ = pr.PlannedID(req)
	if _, err := pr.Lambda.AddPermission(ctx, fn, in); err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: in.StatementID, Attributes: map[string]any{"Id": in.StatementID,
		"FunctionName": fn}}, nil
}

func (pr Permission) Delete(ctx context.Context, req *stack.Request) error {
	fn, _ := req.Attributes["FunctionName"].(string)
	if fn == "" {
		fn, _ = newProps(req.LogicalID, req.Properties).str("FunctionName")
	}
	return ignoreNotFound(pr.Lambda.RemovePermission(ctx, fn, req.PhysicalID))
}

// ignoreNotFound lets a delete of something already gone succeed, as
// CloudFormation's handlers do.
func ignoreNotFound(err error) error {
	if e, ok := awserr.As(err); ok && (e.HTTPStatus() == 404 || notFoundCodes[e.Code]) {
		return nil
	}
	return err
}

// notFoundCodes are the services' "no such thing" codes that AWS answers
// with 400 rather than 404 (CloudWatch Logs, SSM).
var notFoundCodes = map[string]bool{
	"ResourceNotFoundException": true, "ParameterNotFound": true, "NoSuchEntity": true, "NotFoundException": true,
}
