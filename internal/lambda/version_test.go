package lambda_test

import (
	"context"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// returns is Python source for a handler that answers what, with the
// version the environment runs.
func returns(what string) string {
	return "import os\ndef handler(event, context):\n    return {'code': '" + what + "', 'version': os.environ['AWS_LAMBDA_FUNCTION_VERSION'], 'arn': context.invoked_function_arn}\n"
}

func TestVersionsAndAliasesInvokedByQualifier(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	create(t, s, pyFunction(t, "fn", returns("one")))
	v1, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn", Description: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != "1" || v1.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:fn:1" || v1.Description != "first" {
		t.Errorf("PublishVersion(fn) = version %s, arn %s, description %q", v1.Version, v1.FunctionArn, v1.Description)
	}
	// Nothing changed: AWS returns the last version instead of a new one.
	if again, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn"}); err != nil || again.Version != "1" {
		t.Errorf("PublishVersion(fn) unchanged = %v, %v, want version 1", again, err)
	}
	if _, err := s.UpdateFunctionCode(ctx, lambda.UpdateFunctionCodeInput{FunctionName: "fn",
		Code: lambda.Code{ZipFile: zipOf(t, map[string]string{"app.py": returns("two")})}, Publish: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAlias(ctx, lambda.CreateAliasInput{FunctionName: "fn", Name: "live", FunctionVersion: "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateFunctionCode(ctx, lambda.UpdateFunctionCodeInput{FunctionName: "fn",
		Code: lambda.Code{ZipFile: zipOf(t, map[string]string{"app.py": returns("three")})}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, function, qualifier string
		want, executed            string
	}{
		{"unqualified", "fn", "", `{"code": "three", "version": "$LATEST", "arn": "arn:aws:lambda:us-east-1:000000000000:function:fn"}`, "$LATEST"},
		{"latest", "fn", "$LATEST", `{"code": "three", "version": "$LATEST", "arn": "arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST"}`, "$LATEST"},
		{"version-1", "fn", "1", `{"code": "one", "version": "1", "arn": "arn:aws:lambda:us-east-1:000000000000:function:fn:1"}`, "1"},
		{"version-2", "fn:2", "", `{"code": "two", "version": "2", "arn": "arn:aws:lambda:us-east-1:000000000000:function:fn:2"}`, "2"},
		{"alias", "fn", "live", `{"code": "one", "version": "1", "arn": "arn:aws:lambda:us-east-1:000000000000:function:fn:live"}`, "1"},
		{"alias-arn", "arn:aws:lambda:us-east-1:000000000000:function:fn:live", "", `{"code": "one", "version": "1", "arn": "arn:aws:lambda:us-east-1:000000000000:function:fn:live"}`, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: tt.function, Qualifier: tt.qualifier})
			if err != nil {
				t.Fatalf("Invoke(%s, %s): %v", tt.function, tt.qualifier, err)
			}
			if string(out.Payload) != tt.want || out.ExecutedVersion != tt.executed {
				t.Errorf("Invoke(%s, %s) = %s (version %s), want %s (version %s)", tt.function, tt.qualifier, out.Payload, out.ExecutedVersion, tt.want, tt.executed)
			}
		})
	}

	// Moving the alias moves its invocations.
	two := "2"
	if _, err := s.UpdateAlias(ctx, lambda.UpdateAliasInput{FunctionName: "fn", Name: "live", FunctionVersion: &two}); err != nil {
		t.Fatal(err)
	}
	if out, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn:live"}); err != nil || out.ExecutedVersion != "2" {
		t.Errorf("Invoke(fn:live) after UpdateAlias = %v, %v, want version 2", out, err)
	}
	vs, err := s.ListVersionsByFunction(ctx, "fn", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs.Versions {
		got = append(got, v.Version+"="+v.FunctionArn[len("arn:aws:lambda:us-east-1:000000000000:function:"):])
	}
	if want := []string{"$LATEST=fn:$LATEST", "1=fn:1", "2=fn:2"}; !equal(got, want) {
		t.Errorf("ListVersionsByFunction(fn) = %v, want %v", got, want)
	}
	// Every version runs in its own pool.
	if st, ok := s.Environments("fn"); !ok || st.Environments != 3 {
		t.Errorf("Environments(fn) = %+v, %v, want 3 (one per version)", st, ok)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestVersionAndAliasErrors(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	create(t, s, inline("fn"))
	if _, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAlias(ctx, lambda.CreateAliasInput{FunctionName: "fn", Name: "live", FunctionVersion: "1"}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:lambda:us-east-1:000000000000:function:fn"
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"invoke-missing-version", func() error {
			_, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn", Qualifier: "7"})
			return err
		}, "ResourceNotFoundException: Function not found: " + arn + ":7"},
		{"invoke-missing-alias", func() error {
			_, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn:prod"})
			return err
		}, "ResourceNotFoundException: Function not found: " + arn + ":prod"},
		{"invoke-qualifier-mismatch", func() error {
			_, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn:1", Qualifier: "live"})
			return err
		}, "InvalidParameterValueException: The derived qualifier from the function name does not match the specified qualifier."},
		{"alias-exists", func() error {
			_, err := s.CreateAlias(ctx, lambda.CreateAliasInput{FunctionName: "fn", Name: "live", FunctionVersion: "1"})
			return err
		}, "ResourceConflictException: Alias already exists: " + arn + ":live"},
		{"alias-numeric", func() error {
			_, err := s.CreateAlias(ctx, lambda.CreateAliasInput{FunctionName: "fn", Name: "12", FunctionVersion: "1"})
			return err
		}, "ValidationException: 1 validation error detected: Value '12' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"},
		{"alias-missing-version", func() error {
			_, err := s.CreateAlias(ctx, lambda.CreateAliasInput{FunctionName: "fn", Name: "next", FunctionVersion: "9"})
			return err
		}, "ResourceNotFoundException: Function not found: " + arn + ":9"},
		{"get-missing-alias", func() error {
			_, err := s.GetAlias(ctx, "fn", "prod")
			return err
		}, "ResourceNotFoundException: Cannot find alias arn: " + arn + ":prod"},
		{"delete-aliased-version", func() error { return s.DeleteFunction(ctx, "fn:1") },
			"ResourceConflictException: Unable to delete version because the following aliases reference it: [live]"},
		{"delete-latest", func() error { return s.DeleteFunction(ctx, "fn:$LATEST") },
			"InvalidParameterValueException: $LATEST version cannot be deleted without deleting the function."},
		{"publish-wrong-sha", func() error {
			_, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn", CodeSha256: "abc"})
			return err
		}, "InvalidParameterValueException: CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ("},
		{"publish-wrong-revision", func() error {
			_, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn", RevisionID: "nope"})
			return err
		}, "PreconditionFailedException: The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want {
				t.Errorf("%s = %v, want %s", tt.name, err, tt.want)
			}
		})
	}
	// Once the alias is gone, the version can go; its number is not reused.
	if err := s.DeleteAlias(ctx, "fn", "live"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFunction(ctx, "fn:1"); err != nil {
		t.Fatalf("DeleteFunction(fn:1): %v", err)
	}
	if _, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Description: ptr("changed")}); err != nil {
		t.Fatal(err)
	}
	v, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn"})
	if err != nil || v.Version != "2" {
		t.Errorf("PublishVersion after deleting 1 = %v, %v, want version 2", v, err)
	}
	aliases, err := s.ListAliases(ctx, "fn", "", "", 0)
	if err != nil || len(aliases.Aliases) != 0 {
		t.Errorf("ListAliases(fn) = %+v, %v, want none", aliases, err)
	}
}

func ptr[T any](v T) *T { return &v }

// An alias may send a weighted share of its invocations to a second
// version; weight 0 sends none.
func TestAliasRouting(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	create(t, s, pyFunction(t, "fn", returns("one")))
	if _, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateFunctionCode(ctx, lambda.UpdateFunctionCodeInput{FunctionName: "fn",
		Code: lambda.Code{ZipFile: zipOf(t, map[string]string{"app.py": returns("two")})}, Publish: true}); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateAlias(ctx, lambda.CreateAliasInput{FunctionName: "fn", Name: "canary", FunctionVersion: "1",
		RoutingConfig: &lambda.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0}}})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if out, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn:canary"}); err != nil || out.ExecutedVersion != "1" {
			t.Fatalf("Invoke(fn:canary) with weight 0 = %v, %v, want version 1", out, err)
		}
	}
	_, err = s.UpdateAlias(ctx, lambda.UpdateAliasInput{FunctionName: "fn", Name: "canary",
		RoutingConfig: &lambda.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.5}}})
	if err == nil || err.Error() != "InvalidParameterValueException: Invalid function version 1. Function version 1 is already included in routing configuration." {
		t.Errorf("UpdateAlias routing to its own version = %v", err)
	}
}
