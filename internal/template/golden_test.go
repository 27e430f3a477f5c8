package template_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// The golden tests run every template under testdata/eval through the
// stack engine's sequence — Parse, Validate, ResolveParameters,
// CheckRules, EvalConditions, Order, Eval of each resource in order and of
// the outputs — against testScope's fake stack, and compare the result
// (JSON) or the first error (its text) with NAME.golden. -update rewrites
// the golden files.
//
// A template may start with comment lines:
//
//	# params: {"Name": "value"}   parameter values to supply (JSON)
//	# cfn-lint: skip ...          not a template cfn-lint should accept

// goldenHeader reads a template's leading comment directives.
type goldenHeader struct {
	params      map[string]string
	skipCfnLint bool
}

func readHeader(t *testing.T, src []byte) goldenHeader {
	t.Helper()
	var h goldenHeader
	for _, line := range strings.Split(string(src), "\n") {
		rest, ok := strings.CutPrefix(line, "#")
		if !ok {
			break
		}
		rest = strings.TrimSpace(rest)
		if p, ok := strings.CutPrefix(rest, "params:"); ok {
			if err := json.Unmarshal([]byte(p), &h.params); err != nil {
				t.Fatalf("bad params header %q: %v", line, err)
			}
		}
		if strings.HasPrefix(rest, "cfn-lint: skip") {
			h.skipCfnLint = true
		}
	}
	return h
}

func goldenTemplates(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.yaml", "*.json"} {
		m, err := filepath.Glob(filepath.Join("testdata", "eval", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no templates under testdata/eval")
	}
	return files
}

func fakeSSM(name string) (string, error) {
	if name == "/aws/service/ami/latest" {
		return "ami-0123456789abcdef0", nil
	}
	return "", fmt.Errorf("parameter %s not found", name)
}

func TestGoldenEval(t *testing.T) {
	for _, file := range goldenTemplates(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			h := readHeader(t, src)
			got, err := runStack(filepath.Base(file), src, h.params)
			if err != nil {
				got = []byte(err.Error() + "\n")
			}
			checkGolden(t, strings.TrimSuffix(file, filepath.Ext(file))+".golden", got)
		})
	}
}

// runStack does what the stack engine does with a template and returns
// the evaluated stack as JSON.
func runStack(name string, src []byte, supplied map[string]string) ([]byte, error) {
	tp, err := template.Parse(name, src)
	if err != nil {
		return nil, err
	}
	if err := tp.Validate(); err != nil {
		return nil, err
	}
	params, err := tp.ResolveParameters(supplied, fakeSSM)
	if err != nil {
		return nil, err
	}
	scope := testScope(params, nil)
	if err := tp.CheckRules(scope); err != nil {
		return nil, err
	}
	conds, err := tp.EvalConditions(scope)
	if err != nil {
		return nil, err
	}
	scope.Conditions = conds
	waves, err := tp.Order(conds)
	if err != nil {
		return nil, err
	}
	type resource struct {
		Type       string
		DependsOn  []string `json:",omitempty"`
		Properties any      `json:",omitempty"`
		Metadata   any      `json:",omitempty"`
	}
	out := struct {
		Parameters map[string]any
		Conditions map[string]bool `json:",omitempty"`
		Order      [][]string
		Resources  map[string]resource
		Outputs    []template.OutputValue `json:",omitempty"`
	}{Parameters: map[string]any{}, Conditions: conds, Order: waves, Resources: map[string]resource{}}
	for _, p := range tp.Parameters {
		v := params[p.Name]
		shown := map[string]any{"Value": tp.MaskedValue(p.Name, v.String)}
		if v.IsList() && !p.NoEcho {
			shown["List"] = v.List
		}
		if v.SSMKey != "" {
			shown["SSMKey"] = v.SSMKey
		}
		out.Parameters[p.Name] = shown
	}
	for _, wave := range waves {
		for _, id := range wave {
			r := tp.Resource(id)
			props, err := template.Eval(r.Properties, scope)
			if err != nil {
				return nil, err
			}
			md, err := template.Eval(r.Metadata, scope)
			if err != nil {
				return nil, err
			}
			out.Resources[id] = resource{Type: r.Type, DependsOn: tp.Dependencies(r, conds), Properties: props, Metadata: md}
		}
	}
	outs, err := tp.EvalOutputs(scope)
	if err != nil {
		return nil, err
	}
	out.Outputs = outs
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
