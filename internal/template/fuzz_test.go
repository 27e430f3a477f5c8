package template_test

import (
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// FuzzParseEval runs arbitrary bytes through everything the stack engine
// does with a template. It checks that nothing panics or hangs, and that
// every failure is a template error with an AWS message. The seed corpus
// is under testdata/fuzz/FuzzParseEval.
func FuzzParseEval(f *testing.F) {
	f.Fuzz(func(t *testing.T, src []byte) {
		tp, err := template.Parse("fuzz.yaml", src)
		if err != nil {
			if template.AWSError(err) == nil {
				t.Fatalf("Parse error %v has no AWS message", err)
			}
			return
		}
		if err := tp.Validate(); err != nil && template.AWSError(err) == nil {
			t.Fatalf("Validate error %v has no AWS message", err)
		}
		supplied := map[string]string{}
		for _, p := range tp.Parameters {
			if p.Default == nil {
				supplied[p.Name] = "1"
			}
		}
		params, _ := tp.ResolveParameters(supplied, fakeSSM)
		scope := testScope(params, nil)
		_ = tp.CheckRules(scope)
		conds, _ := tp.EvalConditions(scope)
		scope.Conditions = conds
		_, _ = tp.Order(conds)
		for _, r := range tp.Resources {
			_ = tp.Dependencies(r, conds)
			for _, n := range []*template.Node{r.Properties, r.Metadata, r.UpdatePolicy} {
				if _, err := template.Eval(n, scope); err != nil && template.AWSError(err) == nil {
					t.Fatalf("Eval error %v has no AWS message", err)
				}
			}
		}
		for _, o := range tp.Outputs {
			_, _ = template.Eval(o.Value, scope)
			_, _ = template.Eval(o.ExportName, scope)
		}
		_ = tp.Root.String()
	})
}
