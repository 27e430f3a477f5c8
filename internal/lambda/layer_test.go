package lambda_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

func TestLayersImportableByPython(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	rt := python(t)
	// One layer with a plain module under python/, one with a package in
	// python/lib/pythonX.Y/site-packages, as AWS's layout has them.
	l1, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "greet", Description: "greetings",
		CompatibleRuntimes: []string{rt},
		Content:            lambda.Code{ZipFile: zipOf(t, map[string]string{"python/greet.py": "def hello(n):\n    return 'hello ' + n\n"})}})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "deps",
		Content: lambda.Code{ZipFile: zipOf(t, map[string]string{"python/lib/" + rt + "/site-packages/shout/__init__.py": "def up(s):\n    return s.upper()\n"})}})
	if err != nil {
		t.Fatal(err)
	}
	if l1.Version != 1 || l1.LayerVersionArn != "arn:aws:lambda:us-east-1:000000000000:layer:greet:1" {
		t.Errorf("PublishLayerVersion(greet) = version %d, %s", l1.Version, l1.LayerVersionArn)
	}
	in := pyFunction(t, "fn", "import greet, shout\ndef handler(event, context):\n    return shout.up(greet.hello(event['name']))\n")
	in.Layers = []string{l1.LayerVersionArn, l2.LayerVersionArn}
	cfg := create(t, s, in)
	if len(cfg.Layers) != 2 || cfg.Layers[0].Arn != l1.LayerVersionArn || cfg.Layers[0].CodeSize != l1.Content.CodeSize {
		t.Errorf("CreateFunction(fn).Layers = %+v", cfg.Layers)
	}
	out := invoke(t, s, "fn", `{"name":"layers"}`)
	if out.FunctionError != "" || string(out.Payload) != `"HELLO LAYERS"` {
		t.Errorf("Invoke(fn) = %s (%s), want \"HELLO LAYERS\"", out.Payload, out.FunctionError)
	}
	// Deleting a layer version does not take it from functions using it.
	if err := s.DeleteLayerVersion(ctx, "greet", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Description: ptr("x")}); err != nil {
		t.Fatalf("UpdateFunctionConfiguration keeping a deleted layer: %v", err)
	}
	if out := invoke(t, s, "fn", `{"name":"still"}`); string(out.Payload) != `"HELLO STILL"` {
		t.Errorf("Invoke(fn) after the layer version was deleted = %s", out.Payload)
	}
	// Removing the layers removes the modules.
	if _, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Layers: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, s, "fn", `{"name":"x"}`); out.FunctionError == "" {
		t.Errorf("Invoke(fn) without its layers = %s, want an import error", out.Payload)
	}
}

func TestLayerVersionsAPI(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	zip := zipOf(t, map[string]string{"bin/tool": "#!/bin/sh\n"})
	for range 3 {
		if _, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "tools", Content: lambda.Code{ZipFile: zip},
			CompatibleRuntimes: []string{"python3.12"}, CompatibleArchitectures: []string{"arm64"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteLayerVersion(ctx, "tools", 2); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListLayerVersions(ctx, "arn:aws:lambda:us-east-1:000000000000:layer:tools", "python3.12", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, l := range list.LayerVersions {
		got = append(got, l.Version)
	}
	if len(got) != 2 || got[0] != 3 || got[1] != 1 {
		t.Errorf("ListLayerVersions(tools) = %v, want [3 1] (newest first)", got)
	}
	if l, err := s.ListLayerVersions(ctx, "tools", "nodejs20.x", "", "", 0); err != nil || len(l.LayerVersions) != 0 {
		t.Errorf("ListLayerVersions(tools, nodejs20.x) = %+v, %v, want none", l, err)
	}
	v, err := s.GetLayerVersionByArn(ctx, "arn:aws:lambda:us-east-1:000000000000:layer:tools:3")
	if err != nil || v.Version != 3 || v.Content.CodeSha256 == "" {
		t.Errorf("GetLayerVersionByArn(tools:3) = %+v, %v", v, err)
	}
	raw, err := s.LayerCodeZip(ctx, "tools", 3)
	if err != nil || string(raw) != string(zip) {
		t.Errorf("LayerCodeZip(tools, 3) = %d bytes, %v, want the published archive", len(raw), err)
	}

	missing := "arn:aws:lambda:us-east-1:000000000000:layer:tools:2"
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"get-deleted", func() error { _, err := s.GetLayerVersion(ctx, "tools", 2); return err },
			"ResourceNotFoundException: The resource you requested does not exist."},
		{"get-zero", func() error { _, err := s.GetLayerVersion(ctx, "tools", 0); return err },
			"InvalidParameterValueException: Layer Version Cannot be less than 1"},
		{"function-with-deleted", func() error {
			in := inline("fn")
			in.Layers = []string{missing}
			_, err := s.CreateFunction(ctx, in)
			return err
		}, "InvalidParameterValueException: Layer version " + missing + " does not exist."},
		{"function-two-versions", func() error {
			in := inline("fn")
			in.Layers = []string{"arn:aws:lambda:us-east-1:000000000000:layer:tools:1", "arn:aws:lambda:us-east-1:000000000000:layer:tools:3"}
			_, err := s.CreateFunction(ctx, in)
			return err
		}, "InvalidParameterValueException: Two different versions of the same layer are not allowed to be referenced in the same function. arn:aws:lambda:us-east-1:000000000000:layer:tools:1 and arn:aws:lambda:us-east-1:000000000000:layer:tools:3 are versions of the same layer."},
		{"function-six", func() error {
			in := inline("fn")
			in.Layers = []string{"a", "b", "c", "d", "e", "f"}
			_, err := s.CreateFunction(ctx, in)
			return err
		}, "InvalidParameterValueException: Cannot reference more than 5 layers."},
		{"function-other-region", func() error {
			in := inline("fn")
			in.Layers = []string{"arn:aws:lambda:eu-west-1:000000000000:layer:tools:1"}
			_, err := s.CreateFunction(ctx, in)
			return err
		}, "InvalidParameterValueException: Layers are not in the same region as the function. Layers are expected to be in region us-east-1."},
		{"no-content", func() error {
			_, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "x"})
			return err
		}, "InvalidParameterValueException: Please provide a source for layer content."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil || err.Error() != tt.want {
				t.Errorf("%s = %v, want %s", tt.name, err, tt.want)
			}
		})
	}
	// A local folder is used in place (cloudlet up).
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tool"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	local, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "local", Content: lambda.Code{LocalDir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := s.LayerCodeZip(ctx, "local", local.Version); err != nil || len(raw) == 0 {
		t.Errorf("LayerCodeZip(local) = %d bytes, %v", len(raw), err)
	}
	// Version numbers are not reused.
	if v, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "tools", Content: lambda.Code{ZipFile: zip}}); err != nil || v.Version != 4 {
		t.Errorf("PublishLayerVersion after deletes = %+v, %v, want version 4", v, err)
	}
}
