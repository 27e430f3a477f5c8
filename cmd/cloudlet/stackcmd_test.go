package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/testkit"
)

// runCLI runs the CLI in-process and returns its output and exit status.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case errors.As(err, &ee):
		exit = ee.code
	case err != nil:
		errb.WriteString(err.Error())
		exit = 1
	}
	return out.String(), errb.String(), exit
}

func seedTemplates(t *testing.T) string { return testkit.SeedDir(t) }

func startPlain(t *testing.T) *platform.Platform {
	t.Helper()
	p, err := platform.New(platform.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = p.Shutdown(ctx)
	})
	return p
}

// deploy, stacks, describe and delete talk to a running cloudlet through
// its CloudFormation API; deploy uploads the seed's nested templates to
// the S3 objects their TemplateURLs name and shows nested events too.
func TestStackCommands(t *testing.T) {
	p := startPlain(t)
	ep := "--endpoint=" + p.URL()
	seed := filepath.Join(seedTemplates(t), "fa-005.yaml")
	steps := []struct {
		name     string
		args     []string
		wantExit int
		wantOut  []string // substrings of stdout, in order
		wantErr  []string // substrings of stderr
	}{
		{"needsCapabilities", []string{"deploy", seed, "--stack-name", "fa-005", ep}, 1, nil,
			[]string{"InsufficientCapabilitiesException: Requires capabilities : [CAPABILITY_IAM]", "--capabilities"}},
		{"create", []string{"deploy", seed, "--stack-name", "fa-005", "--capabilities", "CAPABILITY_IAM", ep}, 0,
			[]string{"Uploading", "fa-005-lambda.yaml to s3://awstut-bucket/fa-005/fa-005-lambda.yaml", "Creating stack fa-005",
				"CREATE_IN_PROGRESS AWS::CloudFormation::Stack fa-005 User Initiated",
				"CREATE_COMPLETE AWS::Lambda::Function LambdaStack/Function -",
				"CREATE_COMPLETE AWS::CloudFormation::Stack fa-005 -", "Successfully deployed stack fa-005 (CREATE_COMPLETE)"}, nil},
		{"unchanged", []string{"deploy", seed, "--stack-name", "fa-005", "--capabilities", "CAPABILITY_IAM", ep}, 0,
			[]string{"No changes to deploy. Stack fa-005 is up to date"}, nil},
		{"list", []string{"stacks", ep}, 0, []string{"NAME", "fa-005", "CREATE_COMPLETE"}, nil},
		{"describe", []string{"describe", "fa-005", ep}, 0,
			[]string{"Stack:   fa-005", "Status:  CREATE_COMPLETE", "Parameters:", "LambdaRuntime", "python3.8",
				"Resources:", "ApiGatewayStack", "LambdaStack", "Events:"}, nil},
		{"describeMissing", []string{"describe", "ghost", ep}, 1, nil, []string{"Stack with id ghost does not exist"}},
		{"delete", []string{"delete", "fa-005", ep}, 0,
			[]string{"Deleting stack fa-005", "DELETE_COMPLETE AWS::Lambda::Function LambdaStack/Function", "Deleted stack fa-005"}, nil},
		{"deleteMissing", []string{"delete", "fa-005", ep}, 0, []string{"Stack fa-005 does not exist: nothing to delete"}, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			out, errOut, exit := runCLI(t, st.args...)
			if exit != st.wantExit {
				t.Fatalf("cloudlet %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", st.args, exit, st.wantExit, out, errOut)
			}
			checkInOrder(t, "stdout", out, st.wantOut)
			checkInOrder(t, "stderr", errOut, st.wantErr)
		})
	}
	if list, _ := p.Stacks.ListStacks(context.Background()); len(list) != 3 {
		t.Errorf("stacks left = %d, want the three deleted ones", len(list))
	}
}

// A deploy that fails exits 1 and says why.
func TestDeployFailure(t *testing.T) {
	p := startPlain(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.yaml")
	body := `Resources:
  Param:
    Type: AWS::SSM::Parameter
    Properties: {Name: /app/a, Type: String, Value: a}
  Clash:
    Type: AWS::SSM::Parameter
    DependsOn: Param
    Properties: {Name: /app/a, Type: String, Value: b}
`
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, exit := runCLI(t, "deploy", file, "--endpoint", p.URL())
	if exit != 1 {
		t.Fatalf("deploy exit = %d, want 1\n%s\n%s", exit, out, errOut)
	}
	checkInOrder(t, "stdout", out, []string{"Creating stack bad", "CREATE_FAILED AWS::SSM::Parameter Clash", "ROLLBACK_COMPLETE AWS::CloudFormation::Stack bad"})
	checkInOrder(t, "stderr", errOut, []string{"stack bad: ROLLBACK_COMPLETE", "The following resource(s) failed to create: [Clash]. Rollback requested by user."})
	// A second deploy starts over from ROLLBACK_COMPLETE.
	out, _, _ = runCLI(t, "deploy", file, "--endpoint", p.URL())
	checkInOrder(t, "stdout", out, []string{"is ROLLBACK_COMPLETE from a failed create: deleting it first", "DELETE_COMPLETE AWS::CloudFormation::Stack bad", "Creating stack bad"})
}

// validate works offline and reports every problem with file, line and
// logical ID.
func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(`Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: {ZipFile: x}
      Runtme: python3.12
  Thing:
    Type: AWS::Nope::Thing
  Param:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !GetAtt Missing.Arn
`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		file     string
		wantExit int
		wantOut  []string
		wantErr  []string
	}{
		{"seed", filepath.Join(seedTemplates(t), "fa-005.yaml"), 0,
			[]string{"fa-005.yaml is valid", "parameter LambdaRuntime: String (default python3.8)", "needs CAPABILITY_IAM"}, nil},
		{"nestedSeed", filepath.Join(seedTemplates(t), "fa-005-lambda.yaml"), 0, []string{"AWS::Lambda::Function", "AWS::IAM::Role"}, nil},
		{"problems", bad, 1, nil, []string{
			"bad.yaml:2:3: Fn: Properties validation failed for resource Fn with message: #: required key [Role] not found",
			"bad.yaml:6:7: Fn: Properties validation failed for resource Fn with message: #: extraneous key [Runtme] is not permitted",
			"bad.yaml:7:3: Thing: Template format error: Unrecognized resource types: [AWS::Nope::Thing]",
			"bad.yaml:13:14: Param: Template error: instance of Fn::GetAtt references undefined resource Missing",
			"4 problem(s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, exit := runCLI(t, "validate", tt.file)
			if exit != tt.wantExit {
				t.Fatalf("validate %s: exit %d, want %d\n%s\n%s", tt.file, exit, tt.wantExit, out, errOut)
			}
			checkInOrder(t, "stdout", out, tt.wantOut)
			checkInOrder(t, "stderr", errOut, tt.wantErr)
		})
	}
}

// checkInOrder asserts that text contains each of want, in order.
func checkInOrder(t *testing.T, what, text string, want []string) {
	t.Helper()
	rest := text
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s lacks %q (in order):\n%s", what, w, text)
			return
		}
		rest = rest[i+len(w):]
	}
}
