package stack

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// Capabilities a template may need acknowledged (spec cloudformation §5.7).
const (
	CapabilityIAM        = "CAPABILITY_IAM"
	CapabilityNamedIAM   = "CAPABILITY_NAMED_IAM"
	CapabilityAutoExpand = "CAPABILITY_AUTO_EXPAND"
)

// AllCapabilities acknowledges everything; `cloudlet up` deploys the
// user's own template on the user's own machine and grants them all.
var AllCapabilities = []string{CapabilityIAM, CapabilityNamedIAM, CapabilityAutoExpand}

var stackNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

func validateStackName(name string) error {
	if len(name) > 128 || !stackNameRE.MatchString(name) {
		return awserr.New(awserr.CodeValidationError,
			"1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	return nil
}

// prepared is a template that passed every synchronous check.
type prepared struct {
	tmpl   *template.Template
	params map[string]template.Value
	record []Parameter
	conds  map[string]bool
}

// ValidationError collects every problem found before anything was
// created. Its message is AWS's for the first problem; Error() lists them
// all with file, line and logical ID.
type ValidationError struct {
	// AWS is the error the AWS API answers with.
	AWS *awserr.Error
	// Problems are the individual findings, each naming its position.
	Problems []error
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 0 {
		return e.AWS.Message
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the AWS error to errors.As.
func (e *ValidationError) Unwrap() error { return e.AWS }

// prepare parses and checks a template with its parameters: everything
// AWS rejects synchronously, before a stack operation starts.
func (e *Engine) prepare(ctx context.Context, name string, body []byte, supplied map[string]string, caps []string, stackName, stackID string) (*prepared, error) {
	tmpl, err := template.Parse(name, body)
	if err != nil {
		return nil, asValidation(err)
	}
	var unsupported []string
	for _, t := range tmpl.Transform {
		// internal/template evaluates AWS::LanguageExtensions' functions
		// itself; SAM and macros need a transform step cloudlet lacks yet.
		if t != "AWS::LanguageExtensions" {
			unsupported = append(unsupported, t)
		}
	}
	if len(unsupported) > 0 {
		return nil, &ValidationError{AWS: awserr.New(awserr.CodeValidationError,
			"Template format error: transform %s is not supported by cloudlet yet", strings.Join(unsupported, ", "))}
	}
	if err := tmpl.Validate(); err != nil {
		return nil, asValidation(err)
	}
	if err := e.checkTypes(tmpl); err != nil {
		return nil, err
	}
	var ssm func(string) (string, error)
	if e.cfg.SSM != nil {
		ssm = func(n string) (string, error) { return e.cfg.SSM(ctx, n) }
	}
	params, err := tmpl.ResolveParameters(supplied, ssm)
	if err != nil {
		return nil, asValidation(err)
	}
	scope := &template.Scope{Region: e.cfg.Region, AccountID: e.cfg.AccountID, Partition: e.partition(),
		URLSuffix: urlSuffixOf(e.cfg.Region), StackName: stackName, StackID: stackID, Params: params}
	conds, err := tmpl.EvalConditions(scope)
	if err != nil {
		return nil, asValidation(err)
	}
	scope.Conditions = conds
	if err := tmpl.CheckRules(scope); err != nil {
		return nil, asValidation(err)
	}
	if err := e.checkCapabilities(tmpl, conds, caps); err != nil {
		return nil, err
	}
	if _, err := tmpl.Order(conds); err != nil {
		return nil, asValidation(err)
	}
	return &prepared{tmpl: tmpl, params: params, record: parameterRecord(tmpl, params), conds: conds}, nil
}

// asValidation turns template errors into a ValidationError whose AWS
// message is the first error's.
func asValidation(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	var problems []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		problems = j.Unwrap()
	} else {
		problems = []error{err}
	}
	aws := template.AWSError(problems[0])
	return &ValidationError{AWS: aws, Problems: problems}
}

// checkTypes lists every resource type no provider handles, before
// anything is created (spec §1.1: "Unrecognized resource types").
func (e *Engine) checkTypes(tmpl *template.Template) error {
	var types []string
	var problems []error
	for _, r := range tmpl.Resources {
		if _, ok := e.cfg.Registry.Lookup(r.Type); ok {
			continue
		}
		if !slices.Contains(types, r.Type) {
			types = append(types, r.Type)
		}
		problems = append(problems, fmt.Errorf("%s:%d:%d: %s: unsupported resource type %s (cloudlet supports %s)",
			r.Pos.File, r.Pos.Line, r.Pos.Col, r.LogicalID, r.Type, strings.Join(e.cfg.Registry.Types(), ", ")))
	}
	if len(types) == 0 {
		return nil
	}
	return &ValidationError{
		AWS:      awserr.New(awserr.CodeValidationError, "Template format error: Unrecognized resource types: [%s]", strings.Join(types, ", ")),
		Problems: problems,
	}
}

// checkCapabilities refuses IAM resources unless acknowledged (spec §5.7).
func (e *Engine) checkCapabilities(tmpl *template.Template, conds map[string]bool, caps []string) error {
	need := ""
	for _, r := range tmpl.Resources {
		p, _ := e.cfg.Registry.Lookup(r.Type)
		s := p.Schema()
		if s.NeedsCapability == "" {
			continue
		}
		if need == "" {
			need = s.NeedsCapability
		}
		if s.NameProperty != "" && r.Properties != nil && r.Properties.Get(s.NameProperty) != nil {
			need = CapabilityNamedIAM
		}
	}
	switch {
	case need == "":
		return nil
	case need == CapabilityIAM && (slices.Contains(caps, CapabilityIAM) || slices.Contains(caps, CapabilityNamedIAM)):
		return nil
	case need == CapabilityNamedIAM && slices.Contains(caps, CapabilityNamedIAM):
		return nil
	}
	return awserr.New("InsufficientCapabilitiesException", "Requires capabilities : [%s]", need)
}

// parameterRecord lists the parameters as the stack keeps them.
func parameterRecord(tmpl *template.Template, params map[string]template.Value) []Parameter {
	out := make([]Parameter, 0, len(tmpl.Parameters))
	for _, p := range tmpl.Parameters {
		v := params[p.Name]
		rec := Parameter{Key: p.Name, Value: v.String, List: v.IsList(), NoEcho: p.NoEcho}
		if v.SSMKey != "" {
			rec.Value, rec.ResolvedValue = v.SSMKey, v.String
		}
		out = append(out, rec)
	}
	return out
}

// suppliedFrom returns the parameter values a stack was deployed with, as
// a caller would supply them again.
func suppliedFrom(ps []Parameter) map[string]string {
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p.Key] = p.Value
	}
	return m
}
