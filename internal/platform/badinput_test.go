package platform_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// writeFiles writes name → content into a new temp dir and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const role = `  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: {Service: lambda.amazonaws.com}
`

// Templates refused before anything is created: the error names the file,
// the line and the logical ID, and no stack exists afterwards.
func TestRefusedTemplates(t *testing.T) {
	tests := []struct {
		name, template string
		want           []string // substrings of the error
		aws            string   // the AWS message
	}{
		{"yamlSyntax", "Resources:\n  Role:\n    Type: AWS::IAM::Role\n   Properties: {}\n",
			[]string{"t.yaml:4"}, "Template format error: YAML not well-formed. (line 4, column 4)"},
		{"unknownIntrinsic", "Resources:\n" + role + "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !Frobnicate Role.Arn\n",
			[]string{"t.yaml:14:13", "Fn", "Fn::Frobnicate"}, ""},
		{"refToNothing", "Resources:\n" + role + "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Nope.Arn\n      Code: {ZipFile: x}\n",
			[]string{"t.yaml:14:13", "Fn", "Nope"}, "Template error: instance of Fn::GetAtt references undefined resource Nope"},
		{"missingRequiredProperty", "Resources:\n" + role + "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Role.Arn\n      Runtime: python3.12\n      Handler: index.handler\n",
			[]string{"t.yaml:11", "Fn", "required key [Code] not found"}, "Properties validation failed for resource Fn with message: #: required key [Code] not found"},
		{"subToNothing", "Resources:\n" + role + "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !Sub '${Nope}'\n      Code: {ZipFile: x}\n",
			[]string{"t.yaml:14", "Fn", "Nope"}, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, t.TempDir())
			dir := writeFiles(t, map[string]string{"t.yaml": tt.template})
			_, err := p.Deploy(context.Background(), platform.DeployInput{TemplatePath: filepath.Join(dir, "t.yaml"), StackName: "bad"})
			var ve *stack.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Deploy = %v, want a ValidationError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			if tt.aws != "" && ve.AWS.Message != tt.aws {
				t.Errorf("AWS message = %q, want %q", ve.AWS.Message, tt.aws)
			}
			if _, err := p.Stacks.Describe(context.Background(), "bad"); err == nil {
				t.Errorf("stack bad exists after a refused template")
			}
		})
	}
}

// A create that fails rolls back: the stack ends ROLLBACK_COMPLETE with
// the failure's reason, and nothing it made is left.
func TestFailedCreateRollsBack(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		reason string // in the stack's status reason
		detail []string
	}{
		{"missingNestedTemplate", map[string]string{"t.yaml": "Resources:\n" + role +
			"  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://bucket.s3.amazonaws.com/dir/child.yaml\n"},
			"The following resource(s) failed to create: [Child]. Rollback requested by user.",
			[]string{"t.yaml:11", "Child", "child.yaml"}},
		{"badRuntime", map[string]string{"t.yaml": "Resources:\n" + role +
			"  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Role.Arn\n      Runtime: cobol85\n      Handler: index.handler\n      Code: {ZipFile: x}\n"},
			"The following resource(s) failed to create: [Fn]. Rollback requested by user.",
			[]string{"t.yaml:11", "Fn", "Value cobol85 at 'runtime' failed to satisfy constraint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, t.TempDir())
			dir := writeFiles(t, tt.files)
			_, err := p.Deploy(context.Background(), platform.DeployInput{TemplatePath: filepath.Join(dir, "t.yaml"), StackName: "s"})
			var oe *stack.OperationError
			if !errors.As(err, &oe) {
				t.Fatalf("Deploy = %v, want an OperationError", err)
			}
			if oe.Status != stack.RollbackComplete || oe.Reason != tt.reason {
				t.Errorf("stack ended %s %q, want ROLLBACK_COMPLETE %q", oe.Status, oe.Reason, tt.reason)
			}
			for _, w := range tt.detail {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			// Nothing half-made stays: the role created first was deleted.
			res, _ := p.Stacks.Resources(context.Background(), "s")
			if len(res) != 0 {
				t.Errorf("resources left after rollback: %+v", res)
			}
			roles, err := p.IAM.ListRoles(context.Background(), iamList())
			if err != nil || len(roles.Roles) != 0 {
				t.Errorf("roles left after rollback: %+v, %v", roles, err)
			}
			fns, _ := p.Lambda.ListAllFunctions(context.Background())
			if len(fns) != 0 {
				t.Errorf("functions left after rollback: %+v", fns)
			}
		})
	}
}

// A handler that does not import fails every invocation with AWS's
// Runtime.ImportModuleError; the API answers 500.
func TestHandlerThatDoesNotImport(t *testing.T) {
	p := start(t, t.TempDir())
	dir := writeFiles(t, map[string]string{"t.yaml": "Resources:\n" + role +
		"  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: broken\n      Role: !GetAtt Role.Arn\n      Runtime: python3.12\n      Handler: missing.handler\n      Code: {ZipFile: 'def handler(e, c): return 1'}\n"})
	if _, err := p.Deploy(context.Background(), platform.DeployInput{TemplatePath: filepath.Join(dir, "t.yaml"), StackName: "s"}); err != nil {
		t.Fatalf("Deploy = %v", err)
	}
	out, err := p.Lambda.Invoke(context.Background(), lambda.InvokeInput{FunctionName: "broken"})
	if err != nil {
		t.Fatalf("Invoke = %v", err)
	}
	var payload struct{ ErrorType, ErrorMessage string }
	_ = json.Unmarshal(out.Payload, &payload)
	if out.FunctionError != "Unhandled" || payload.ErrorType != "Runtime.ImportModuleError" ||
		payload.ErrorMessage != "Unable to import module 'missing': No module named 'missing'" {
		t.Errorf("Invoke = %s %s, want Unhandled Runtime.ImportModuleError", out.FunctionError, out.Payload)
	}
}

func iamList() iam.ListRolesInput { return iam.ListRolesInput{} }
