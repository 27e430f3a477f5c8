package template_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// seedDir holds the seed tutorial's templates, used unmodified.
const seedDir = "/work/shared/seed/fa-005"

func readSeed(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(seedDir, name))
	if os.IsNotExist(err) {
		t.Skipf("seed template %s is absent", filepath.Join(seedDir, name))
	}
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestSeedTemplates(t *testing.T) {
	tests := []struct {
		file   string
		params map[string]string
		waves  [][]string
	}{
		{
			file:  "fa-005.yaml",
			waves: [][]string{{"LambdaStack"}, {"ApiGatewayStack"}},
		},
		{
			file:   "fa-005-lambda.yaml",
			params: map[string]string{"Architecture": "arm64", "Handler": "index.lambda_handler", "Prefix": "fa-005", "Runtime": "python3.8"},
			waves:  [][]string{{"FunctionRole"}, {"Function"}},
		},
		{
			file: "fa-005-apigateway.yaml",
			params: map[string]string{
				"Prefix":       "fa-005",
				"FunctionArn":  "arn:aws:lambda:us-east-1:123456789012:function:fa-005-function",
				"FunctionName": "fa-005-function",
			},
			// ApiGatewayRole before Integration, Integration before Route.
			waves: [][]string{{"ApiGatewayRole", "HttpApi"}, {"Integration", "Stage"}, {"Route"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src := readSeed(t, tt.file)
			tp, err := template.Parse(tt.file, src)
			if err != nil {
				t.Fatalf("Parse(%s) = %v", tt.file, err)
			}
			if tp.FormatVersion != "2010-09-09" {
				t.Errorf("FormatVersion = %q, want 2010-09-09 (an unquoted date stays a string)", tp.FormatVersion)
			}
			if err := tp.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
			waves, err := tp.Order(nil)
			if err != nil {
				t.Fatalf("Order(nil) = %v", err)
			}
			if diff := cmp.Diff(tt.waves, waves); diff != "" {
				t.Errorf("Order(nil) mismatch (-want +got):\n%s", diff)
			}
			params, err := tp.ResolveParameters(tt.params, nil)
			if err != nil {
				t.Fatalf("ResolveParameters = %v", err)
			}
			conds, err := tp.EvalConditions(testScope(params, nil))
			if err != nil {
				t.Fatalf("EvalConditions = %v", err)
			}
			scope := testScope(params, conds)
			got := map[string]any{}
			res := map[string]any{}
			for _, r := range tp.Resources {
				v, err := template.Eval(r.Properties, scope)
				if err != nil {
					t.Fatalf("Eval(%s.Properties) = %v", r.LogicalID, err)
				}
				res[r.LogicalID] = map[string]any{"Type": r.Type, "Properties": v, "DependsOn": tp.Dependencies(r, conds)}
			}
			got["Resources"] = res
			outs := map[string]any{}
			for _, o := range tp.Outputs {
				v, err := template.Eval(o.Value, scope)
				if err != nil {
					t.Fatalf("Eval(%s.Value) = %v", o.Name, err)
				}
				outs[o.Name] = v
			}
			got["Outputs"] = outs
			checkGolden(t, filepath.Join("testdata", "seed", tt.file+".json"), marshal(t, got))
		})
	}
}

// A parsed template is read-only: the engine evaluates resources of one
// stack, and several stacks of one template, at the same time.
func TestEvalConcurrent(t *testing.T) {
	tp := mustParse(t, "t.yaml", evalPreamble+"!If [IsProd, !Sub '${Bucket}-${Env}', x]\n")
	params, err := tp.ResolveParameters(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			for j := 0; j < 50; j++ {
				v, err := template.Eval(tp.Resource("Subject").Properties, testScope(params, nil))
				if err == nil && v.(map[string]any)["V"] != "Bucket-phys-prod" {
					err = fmt.Errorf("Eval = %v, want Bucket-phys-prod", v)
				}
				if err == nil {
					_, err = tp.Order(nil)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
