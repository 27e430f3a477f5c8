package awsapi_test

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const layerHandler = `import greeting
def handler(event, context):
    return {"greeting": greeting.WORD}
`

func TestLambdaLayers(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := lambdasdk.NewFromConfig(e.cfg())
	content := zipOf(t, map[string]string{"python/greeting.py": "WORD = 'hello from a layer'\n"})
	pub, err := c.PublishLayerVersion(cx, &lambdasdk.PublishLayerVersionInput{LayerName: aws.String("shared"),
		Description: aws.String("greeting"), Content: &ltypes.LayerVersionContentInput{ZipFile: content},
		CompatibleRuntimes: []ltypes.Runtime{ltypes.RuntimePython311}})
	if err != nil {
		t.Fatalf("PublishLayerVersion: %v", err)
	}
	const layerARN = "arn:aws:lambda:us-east-1:000000000000:layer:shared"
	if pub.Version != 1 || aws.ToString(pub.LayerArn) != layerARN || aws.ToString(pub.LayerVersionArn) != layerARN+":1" ||
		pub.Content == nil || pub.Content.CodeSize != int64(len(content)) {
		t.Fatalf("PublishLayerVersion = %+v", pub)
	}
	loc := aws.ToString(pub.Content.Location)
	if !strings.HasPrefix(loc, e.URL+"/_cloudlet/api/layers/shared/1?X-Amz-Date=") {
		t.Errorf("PublishLayerVersion Content.Location = %q, want an absolute presigned link under %s", loc, e.URL)
	}
	checkLink(t, http.DefaultClient, loc)
	if pub2, err := c.PublishLayerVersion(cx, &lambdasdk.PublishLayerVersionInput{LayerName: aws.String("shared"),
		Content: &ltypes.LayerVersionContentInput{ZipFile: content}}); err != nil || pub2.Version != 2 {
		t.Fatalf("PublishLayerVersion(again) = %+v, %v; want version 2", pub2, err)
	}
	got, err := c.GetLayerVersion(cx, &lambdasdk.GetLayerVersionInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(1)})
	if err != nil || aws.ToString(got.Description) != "greeting" || len(got.CompatibleRuntimes) != 1 {
		t.Errorf("GetLayerVersion = %+v, %v", got, err)
	} else {
		checkLink(t, http.DefaultClient, aws.ToString(got.Content.Location))
	}
	byARN, err := c.GetLayerVersionByArn(cx, &lambdasdk.GetLayerVersionByArnInput{Arn: aws.String(layerARN + ":2")})
	if err != nil || byARN.Version != 2 {
		t.Errorf("GetLayerVersionByArn(:2) = %+v, %v", byARN, err)
	}
	list, err := c.ListLayerVersions(cx, &lambdasdk.ListLayerVersionsInput{LayerName: aws.String("shared")})
	if err != nil || len(list.LayerVersions) != 2 || list.LayerVersions[0].Version != 2 {
		t.Errorf("ListLayerVersions = %+v, %v; want versions 2 and 1, newest first", list, err)
	}
	compatible, err := c.ListLayerVersions(cx, &lambdasdk.ListLayerVersionsInput{LayerName: aws.String("shared"),
		CompatibleRuntime: ltypes.RuntimePython311})
	if err != nil || len(compatible.LayerVersions) != 1 || compatible.LayerVersions[0].Version != 1 {
		t.Errorf("ListLayerVersions(python3.11) = %+v, %v; want version 1 only", compatible, err)
	}
	for _, tc := range []struct {
		name       string
		call       func() error
		code, msg  string
		wantStatus int
	}{
		{"GetLayerVersion(missing)", func() error {
			_, err := c.GetLayerVersion(cx, &lambdasdk.GetLayerVersionInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(9)})
			return err
		}, "ResourceNotFoundException", "The resource you requested does not exist.", 404},
		{"GetLayerVersionByArn(bad)", func() error {
			_, err := c.GetLayerVersionByArn(cx, &lambdasdk.GetLayerVersionByArnInput{Arn: aws.String("arn:nope")})
			return err
		}, "ValidationException", "", 400},
		{"PublishLayerVersion(no content)", func() error {
			_, err := c.PublishLayerVersion(cx, &lambdasdk.PublishLayerVersionInput{LayerName: aws.String("shared"), Content: &ltypes.LayerVersionContentInput{}})
			return err
		}, "InvalidParameterValueException", "Please provide a source for layer content.", 400},
		{"ListLayers", func() error {
			_, err := c.ListLayers(cx, &lambdasdk.ListLayersInput{})
			return err
		}, "NotImplemented", "", 501},
	} {
		code, msg, status := apiErr(tc.call())
		if code != tc.code || status != tc.wantStatus || (tc.msg != "" && msg != tc.msg) {
			t.Errorf("%s = %s %q %d, want %s %q %d", tc.name, code, msg, status, tc.code, tc.msg, tc.wantStatus)
		}
	}

	fn, err := c.CreateFunction(cx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("greeter"), Runtime: ltypes.RuntimePython311,
		Role: aws.String(testRole), Handler: aws.String("index.handler"), Layers: []string{layerARN + ":1"},
		Code: &ltypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.py": layerHandler})}})
	if err != nil || len(fn.Layers) != 1 || aws.ToString(fn.Layers[0].Arn) != layerARN+":1" {
		t.Fatalf("CreateFunction(Layers) = %+v, %v", fn, err)
	}
	if _, err := c.DeleteLayerVersion(cx, &lambdasdk.DeleteLayerVersionInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(1)}); err != nil {
		t.Fatalf("DeleteLayerVersion: %v", err)
	}
	if _, err := c.GetLayerVersion(cx, &lambdasdk.GetLayerVersionInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(1)}); err == nil {
		t.Errorf("GetLayerVersion after DeleteLayerVersion succeeded")
	}
	if _, err := exec.LookPath("python3.11"); err != nil {
		t.Skip("invoke needs python3.11 on PATH")
	}
	// The function keeps its copy of a deleted layer version, as on AWS.
	out, err := c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("greeter")})
	if err != nil || string(out.Payload) != `{"greeting": "hello from a layer"}` {
		t.Errorf("Invoke(greeter) = %s, %v", out.Payload, err)
	}
}
