package template_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// fakeResolver answers Ref with "<ID>-phys" and GetAtt with
// "<ID>.<attr>-value", unless a value is set in refs or atts.
type fakeResolver struct {
	refs map[string]any
	atts map[string]any
	err  error
}

func (f fakeResolver) Ref(id string) (any, error) {
	if f.err != nil {
		return nil, f.err
	}
	if v, ok := f.refs[id]; ok {
		return v, nil
	}
	return id + "-phys", nil
}

func (f fakeResolver) GetAtt(id, attr string) (any, error) {
	if f.err != nil {
		return nil, f.err
	}
	if v, ok := f.atts[id+"."+attr]; ok {
		return v, nil
	}
	return id + "." + attr + "-value", nil
}

// testScope is the scope the table and golden tests evaluate in.
func testScope(params map[string]template.Value, conds map[string]bool) *template.Scope {
	return &template.Scope{
		Region:           "us-east-1",
		AccountID:        "123456789012",
		StackName:        "test-stack",
		StackID:          "arn:aws:cloudformation:us-east-1:123456789012:stack/test-stack/00000000-0000-4000-8000-000000000000",
		NotificationARNs: []string{"arn:aws:sns:us-east-1:123456789012:topic"},
		Params:           params,
		Conditions:       conds,
		Resources:        fakeResolver{atts: map[string]any{"Vpc.CidrBlock": "10.0.0.0/16"}},
		ImportValue: func(name string) (string, error) {
			if name == "shared-vpc" {
				return "vpc-123", nil
			}
			return "", fmt.Errorf("No export named %s found", name)
		},
	}
}

func mustParse(t testing.TB, name, src string) *template.Template {
	t.Helper()
	tp, err := template.Parse(name, []byte(src))
	if err != nil {
		t.Fatalf("Parse(%s) = %v", name, err)
	}
	return tp
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return append(b, '\n')
}

// errMessage is the AWS message of a template error, or the error text.
func errMessage(err error) string {
	if err == nil {
		return ""
	}
	if ae := template.AWSError(err); ae != nil {
		return ae.Message
	}
	return err.Error()
}

func isNumber(v any) bool {
	_, ok := v.(json.Number)
	return ok
}

func numberText(v any) string {
	n, _ := v.(json.Number)
	return string(n)
}

func replaceAll(s, old, new string) string { return strings.ReplaceAll(s, old, new) }

// readFileOrSkip reads a file that may be absent on this machine.
func readFileOrSkip(tb testing.TB, path string) (string, error) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		tb.Skipf("%s is absent", path)
	}
	return string(b), err
}
