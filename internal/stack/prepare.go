package stack

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

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

// prepareInput is what prepare checks.
type prepareInput struct {
	name      string
	body      []byte
	supplied  map[string]string
	caps      []string
	stackName string
	stackID   string
	// direct is true for CreateStack and UpdateStack called by a user:
	// a template with a Transform then needs CAPABILITY_AUTO_EXPAND,
	// which change sets and nested stacks do not (spec §5.7).
	direct bool
}

// prepare parses and checks a template with its parameters: everything
// AWS rejects synchronously, before a stack operation starts.
func (e *Engine) prepare(ctx context.Context, in prepareInput) (*prepared, error) {
	tmpl, err := e.check(in.name, in.body)
	if err != nil {
		return nil, err
	}
	var ssm func(string) (string, error)
	if e.cfg.SSM != nil {
		ssm = func(n string) (string, error) { return e.cfg.SSM(ctx, n) }
	}
	params, err := tmpl.ResolveParameters(in.supplied, ssm)
	if err != nil {
		return nil, asValidation(err)
	}
	scope := &template.Scope{Region: e.cfg.Region, AccountID: e.cfg.AccountID, Partition: e.partition(),
		URLSuffix: urlSuffixOf(e.cfg.Region), StackName: in.stackName, StackID: in.stackID, Params: params}
	conds, err := tmpl.EvalConditions(scope)
	if err != nil {
		return nil, asValidation(err)
	}
	scope.Conditions = conds
	if err := tmpl.CheckRules(scope); err != nil {
		return nil, asValidation(err)
	}
	need := e.capabilities(ctx, tmpl, scope, in.direct, 0)
	if missing := need.missing(in.caps); missing != "" {
		return nil, awserr.New(CodeInsufficientCapabilities, "Requires capabilities : [%s]", missing)
	}
	if _, err := tmpl.Order(conds); err != nil {
		return nil, asValidation(err)
	}
	return &prepared{tmpl: tmpl, params: params, record: parameterRecord(tmpl, params), conds: conds}, nil
}

// check parses a template and reports every static problem at once: the
// template's own (Validate), resource types no provider handles, unknown
// properties and missing required ones.
func (e *Engine) check(name string, body []byte) (*template.Template, error) {
	return checkTemplate(e.cfg.Registry, name, body)
}

func checkTemplate(reg *Registry, name string, body []byte) (*template.Template, error) {
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
	var problems []error
	var first *awserr.Error
	if err := tmpl.Validate(); err != nil {
		ve := asValidation(err).(*ValidationError)
		problems, first = ve.Problems, ve.AWS
	}
	if err := checkTypes(reg, tmpl); err != nil {
		problems = append(problems, err.Problems...)
		if first == nil {
			first = err.AWS
		}
	}
	props := checkProperties(reg, tmpl)
	problems = append(problems, props...)
	if first == nil && len(props) > 0 {
		first = template.AWSError(props[0])
	}
	if first != nil {
		// AWS reports one problem (first); people read them all, in
		// the order of the file.
		sort.SliceStable(problems, func(i, j int) bool { return posOf(problems[i]).Less(posOf(problems[j])) })
		return nil, &ValidationError{AWS: first, Problems: problems}
	}
	return tmpl, nil
}

type linePos struct{ line, col int }

func (a linePos) Less(b linePos) bool { return a.line < b.line || a.line == b.line && a.col < b.col }

func posOf(err error) linePos {
	var te *template.Error
	if errors.As(err, &te) {
		return linePos{te.Pos.Line, te.Pos.Col}
	}
	return linePos{}
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
	if aws == nil {
		aws = awserr.New(awserr.CodeValidationError, "%s", problems[0].Error())
	}
	return &ValidationError{AWS: aws, Problems: problems}
}

// checkTypes lists every resource type no provider handles, before
// anything is created (spec §1.1: "Unrecognized resource types").
func checkTypes(reg *Registry, tmpl *template.Template) *ValidationError {
	var types []string
	var problems []error
	for _, r := range tmpl.Resources {
		if r.Type == "" {
			continue // Validate reported it
		}
		if _, ok := reg.Lookup(r.Type); ok {
			continue
		}
		if !slices.Contains(types, r.Type) {
			types = append(types, r.Type)
		}
		problems = append(problems, &template.Error{Pos: r.Pos, LogicalID: r.LogicalID,
			Message: fmt.Sprintf("Template format error: Unrecognized resource types: [%s]", r.Type),
			Detail:  "cloudlet supports " + strings.Join(reg.Types(), ", ")})
	}
	if len(types) == 0 {
		return nil
	}
	return &ValidationError{
		AWS:      awserr.New(awserr.CodeValidationError, "Template format error: Unrecognized resource types: [%s]", strings.Join(types, ", ")),
		Problems: problems,
	}
}

// checkProperties reports properties a type does not have and required
// ones the template omits, in the resource handlers' wording (spec §6.14),
// before anything is created. A property given through an intrinsic that
// may evaluate to AWS::NoValue is checked again at creation.
func checkProperties(reg *Registry, tmpl *template.Template) []error {
	var out []error
	for _, r := range tmpl.Resources {
		p, ok := reg.Lookup(r.Type)
		if !ok {
			continue
		}
		s := p.Schema()
		props := r.Properties
		if props != nil {
			if _, _, isFn := props.Intrinsic(); isFn || props.Kind != template.KindMap {
				continue
			}
		}
		if len(s.Properties) > 0 && props != nil {
			for _, pair := range props.Pairs {
				if !slices.Contains(s.Properties, pair.Key) {
					out = append(out, &template.Error{Pos: pair.KeyPos, LogicalID: r.LogicalID,
						Message: fmt.Sprintf("Properties validation failed for resource %s with message: #: extraneous key [%s] is not permitted", r.LogicalID, pair.Key)})
				}
			}
		}
		var missing []string
		for _, k := range s.Required {
			if props == nil || props.Get(k) == nil {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			out = append(out, &template.Error{Pos: r.Pos, LogicalID: r.LogicalID,
				Message: fmt.Sprintf("Properties validation failed for resource %s with message: #: required key [%s] not found", r.LogicalID, strings.Join(missing, ", "))})
		}
	}
	return out
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
