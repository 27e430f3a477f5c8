package sandbox_test

import (
	"os"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

// seedCode extracts the inline ZipFile code of the seed tutorial's function
// template, unmodified.
func seedCode(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("/work/shared/seed/fa-005/fa-005-lambda.yaml")
	if err != nil {
		t.Skipf("seed template not available: %v", err)
	}
	lines := strings.Split(string(b), "\n")
	var code []string
	indent := -1
	for i, l := range lines {
		if strings.TrimSpace(l) != "ZipFile: |" {
			continue
		}
		for _, c := range lines[i+1:] {
			if strings.TrimSpace(c) == "" {
				code = append(code, "")
				continue
			}
			n := len(c) - len(strings.TrimLeft(c, " "))
			if indent < 0 {
				indent = n
			}
			if n < indent {
				break
			}
			code = append(code, c[indent:])
		}
		break
	}
	if len(code) == 0 {
		t.Fatal("no ZipFile block in the seed template")
	}
	return strings.Join(code, "\n") + "\n"
}

func TestSeedHandler(t *testing.T) {
	for _, rt := range pythonRuntimes(t) {
		t.Run(rt, func(t *testing.T) {
			code := writeCode(t, map[string]string{"index.py": seedCode(t)})
			p := newPool(t, sandbox.PoolConfig{Function: function(rt, "index.lambda_handler", code)})
			resp := invoke(t, p, `{}`)
			want := `{"statusCode": 200, "body": "\"Hello form Awstut !\""}`
			if string(resp.Payload) != want || resp.FunctionError != "" {
				t.Errorf("Invoke(seed) = %s (error %q), want %s", resp.Payload, resp.FunctionError, want)
			}
			if !resp.Cold || resp.InitDuration <= 0 {
				t.Errorf("first Invoke: Cold = %v, InitDuration = %v, want cold with an init duration", resp.Cold, resp.InitDuration)
			}
			resp = invoke(t, p, `{}`)
			if string(resp.Payload) != want || resp.Cold {
				t.Errorf("second Invoke(seed) = %s (cold %v), want %s warm", resp.Payload, resp.Cold, want)
			}
		})
	}
}
