package awsapi_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const testRole = "arn:aws:iam::000000000000:role/fn-role"

// createEcho creates the echo function through the API.
func createEcho(t *testing.T, c *lambdasdk.Client, name string) *lambdasdk.CreateFunctionOutput {
	t.Helper()
	out, err := c.CreateFunction(ctx(t), &lambdasdk.CreateFunctionInput{FunctionName: aws.String(name), Runtime: ltypes.RuntimePython311,
		Role: aws.String(testRole), Handler: aws.String("index.handler"),
		Code: &ltypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.py": echoHandler})}})
	if err != nil {
		t.Fatalf("CreateFunction(%s): %v", name, err)
	}
	return out
}

// echoV is the echo handler answering with version mark v.
func echoV(v string) string { return strings.Replace(echoHandler, `"v": 1`, `"v": `+v, 1) }

func TestLambdaVersions(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := lambdasdk.NewFromConfig(e.cfg())
	createEcho(t, c, "echo")
	v1, err := c.PublishVersion(cx, &lambdasdk.PublishVersionInput{FunctionName: aws.String("echo"), Description: aws.String("first")})
	if err != nil || aws.ToString(v1.Version) != "1" || aws.ToString(v1.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:echo:1" ||
		aws.ToString(v1.Description) != "first" {
		t.Fatalf("PublishVersion = %+v, %v; want version 1", v1, err)
	}
	again, err := c.PublishVersion(cx, &lambdasdk.PublishVersionInput{FunctionName: aws.String("echo")})
	if err != nil || aws.ToString(again.Version) != "1" {
		t.Errorf("PublishVersion(unchanged) = %v, %v; want version 1 again", aws.ToString(again.Version), err)
	}
	_, err = c.PublishVersion(cx, &lambdasdk.PublishVersionInput{FunctionName: aws.String("echo"), CodeSha256: aws.String("nope")})
	if code, _, status := apiErr(err); code != "InvalidParameterValueException" || status != 400 {
		t.Errorf("PublishVersion(wrong CodeSha256) = %s %d, want InvalidParameterValueException 400", code, status)
	}
	v2, err := c.UpdateFunctionCode(cx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("echo"), Publish: true,
		ZipFile: zipOf(t, map[string]string{"index.py": echoV("2")})})
	if err != nil || aws.ToString(v2.Version) != "2" {
		t.Fatalf("UpdateFunctionCode(Publish) = %+v, %v; want version 2", v2, err)
	}
	lv, err := c.ListVersionsByFunction(cx, &lambdasdk.ListVersionsByFunctionInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatalf("ListVersionsByFunction: %v", err)
	}
	var versions []string
	for _, v := range lv.Versions {
		versions = append(versions, aws.ToString(v.Version))
	}
	if got := strings.Join(versions, ","); got != "$LATEST,1,2" {
		t.Errorf("ListVersionsByFunction = %s, want $LATEST,1,2", got)
	}
	page, err := c.ListVersionsByFunction(cx, &lambdasdk.ListVersionsByFunctionInput{FunctionName: aws.String("echo"), MaxItems: aws.Int32(2)})
	if err != nil || len(page.Versions) != 2 || aws.ToString(page.NextMarker) == "" {
		t.Errorf("ListVersionsByFunction(MaxItems 2) = %d versions, marker %q, %v", len(page.Versions), aws.ToString(page.NextMarker), err)
	}
	got, err := c.GetFunctionConfiguration(cx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String("echo"), Qualifier: aws.String("1")})
	if err != nil || aws.ToString(got.Version) != "1" || aws.ToString(got.CodeSha256) == aws.ToString(v2.CodeSha256) {
		t.Errorf("GetFunctionConfiguration(:1) = %+v, %v", got, err)
	}
	_, err = c.GetFunction(cx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("echo:7")})
	if code, msg, status := apiErr(err); code != "ResourceNotFoundException" || status != 404 ||
		msg != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:7" {
		t.Errorf("GetFunction(echo:7) = %s %q %d", code, msg, status)
	}
	_, err = c.DeleteFunction(cx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String("echo:1"), Qualifier: aws.String("2")})
	if code, msg, status := apiErr(err); code != "InvalidParameterValueException" || status != 400 ||
		msg != "The derived qualifier from the function name does not match the specified qualifier." {
		t.Errorf("DeleteFunction(echo:1, Qualifier 2) = %s %q %d", code, msg, status)
	}
	if _, err := c.DeleteFunction(cx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String("echo"), Qualifier: aws.String("1")}); err != nil {
		t.Fatalf("DeleteFunction(Qualifier 1): %v", err)
	}
	if _, err := c.GetFunction(cx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("echo"), Qualifier: aws.String("1")}); err == nil {
		t.Errorf("GetFunction(:1) after deleting version 1 succeeded")
	}
	if _, err := c.GetFunction(cx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("echo"), Qualifier: aws.String("2")}); err != nil {
		t.Errorf("GetFunction(:2) after deleting version 1: %v", err)
	}
	pub, err := c.CreateFunction(cx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("pub"), Runtime: ltypes.RuntimePython311,
		Role: aws.String(testRole), Handler: aws.String("index.handler"), Publish: true,
		Code: &ltypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.py": echoHandler})}})
	if err != nil || aws.ToString(pub.Version) != "1" {
		t.Errorf("CreateFunction(Publish) = %s %s, %v; want version 1", aws.ToString(pub.FunctionArn), aws.ToString(pub.Version), err)
	}
	_, err = c.ListVersionsByFunction(cx, &lambdasdk.ListVersionsByFunctionInput{FunctionName: aws.String("nope")})
	if code, _, status := apiErr(err); code != "ResourceNotFoundException" || status != 404 {
		t.Errorf("ListVersionsByFunction(nope) = %s %d", code, status)
	}
}

func TestLambdaAliases(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := lambdasdk.NewFromConfig(e.cfg())
	createEcho(t, c, "echo")
	if _, err := c.PublishVersion(cx, &lambdasdk.PublishVersionInput{FunctionName: aws.String("echo")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateFunctionCode(cx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("echo"), Publish: true,
		ZipFile: zipOf(t, map[string]string{"index.py": echoV("2")})}); err != nil {
		t.Fatal(err)
	}
	live, err := c.CreateAlias(cx, &lambdasdk.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"),
		FunctionVersion: aws.String("1"), Description: aws.String("prod")})
	if err != nil || aws.ToString(live.AliasArn) != "arn:aws:lambda:us-east-1:000000000000:function:echo:live" ||
		aws.ToString(live.FunctionVersion) != "1" || aws.ToString(live.RevisionId) == "" {
		t.Fatalf("CreateAlias = %+v, %v", live, err)
	}
	_, err = c.CreateAlias(cx, &lambdasdk.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if code, msg, status := apiErr(err); code != "ResourceConflictException" || status != 409 ||
		msg != "Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:echo:live" {
		t.Errorf("CreateAlias(dup) = %s %q %d", code, msg, status)
	}
	_, err = c.CreateAlias(cx, &lambdasdk.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("123"), FunctionVersion: aws.String("1")})
	if code, _, status := apiErr(err); code != "ValidationException" || status != 400 {
		t.Errorf("CreateAlias(123) = %s %d, want ValidationException 400", code, status)
	}
	if _, err := c.CreateAlias(cx, &lambdasdk.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("beta"),
		FunctionVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	ga, err := c.GetAlias(cx, &lambdasdk.GetAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live")})
	if err != nil || aws.ToString(ga.Description) != "prod" || aws.ToString(ga.FunctionVersion) != "1" {
		t.Errorf("GetAlias = %+v, %v", ga, err)
	}
	up, err := c.UpdateAlias(cx, &lambdasdk.UpdateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"),
		FunctionVersion: aws.String("2"), RoutingConfig: &ltypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.25}}})
	if err != nil || aws.ToString(up.FunctionVersion) != "2" || up.RoutingConfig == nil || up.RoutingConfig.AdditionalVersionWeights["1"] != 0.25 ||
		aws.ToString(up.Description) != "prod" || aws.ToString(up.RevisionId) == aws.ToString(live.RevisionId) {
		t.Errorf("UpdateAlias = %+v, %v; want version 2, 25%% to 1, description kept, new revision", up, err)
	}
	_, err = c.UpdateAlias(cx, &lambdasdk.UpdateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"), RevisionId: aws.String("stale")})
	if code, _, status := apiErr(err); code != "PreconditionFailedException" || status != 412 {
		t.Errorf("UpdateAlias(stale revision) = %s %d, want PreconditionFailedException 412", code, status)
	}
	la, err := c.ListAliases(cx, &lambdasdk.ListAliasesInput{FunctionName: aws.String("echo")})
	if err != nil || len(la.Aliases) != 2 || aws.ToString(la.Aliases[0].Name) != "beta" {
		t.Errorf("ListAliases = %+v, %v; want beta and live", la, err)
	}
	if _, err := c.DeleteAlias(cx, &lambdasdk.DeleteAliasInput{FunctionName: aws.String("echo"), Name: aws.String("beta")}); err != nil {
		t.Fatalf("DeleteAlias: %v", err)
	}
	_, err = c.GetAlias(cx, &lambdasdk.GetAliasInput{FunctionName: aws.String("echo"), Name: aws.String("beta")})
	if code, msg, status := apiErr(err); code != "ResourceNotFoundException" || status != 404 ||
		msg != "Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:echo:beta" {
		t.Errorf("GetAlias(deleted) = %s %q %d", code, msg, status)
	}
	byVersion, err := c.ListAliases(cx, &lambdasdk.ListAliasesInput{FunctionName: aws.String("echo"), FunctionVersion: aws.String("1")})
	if err != nil || len(byVersion.Aliases) != 0 {
		t.Errorf("ListAliases(FunctionVersion 1) = %+v, %v; want none", byVersion, err)
	}

	if _, err := exec.LookPath("python3.11"); err != nil {
		t.Skip("invoke needs python3.11 on PATH")
	}
	for _, tc := range []struct {
		name, qualifier, want, version string
	}{
		{"echo", "", `"v": 2`, "$LATEST"},
		{"echo", "1", `"v": 1`, "1"},
		{"echo:1", "", `"v": 1`, "1"},
		{"arn:aws:lambda:us-east-1:000000000000:function:echo:2", "", `"v": 2`, "2"},
	} {
		in := &lambdasdk.InvokeInput{FunctionName: aws.String(tc.name), Payload: []byte(`{}`)}
		if tc.qualifier != "" {
			in.Qualifier = aws.String(tc.qualifier)
		}
		out, err := c.Invoke(cx, in)
		if err != nil || !strings.Contains(string(out.Payload), tc.want) || aws.ToString(out.ExecutedVersion) != tc.version {
			t.Errorf("Invoke(%s, %q) = %s version %q, %v; want %s from %s", tc.name, tc.qualifier, out.Payload, aws.ToString(out.ExecutedVersion), err, tc.want, tc.version)
		}
	}
	// The alias sends 25% to version 1, the rest to 2; both must be seen.
	seen := map[string]bool{}
	for i := 0; i < 60 && len(seen) < 2; i++ {
		out, err := c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("live")})
		if err != nil {
			t.Fatalf("Invoke(live): %v", err)
		}
		seen[aws.ToString(out.ExecutedVersion)] = true
	}
	if !seen["1"] || !seen["2"] {
		t.Errorf("Invoke(live) ran versions %v, want 1 and 2", seen)
	}
}
