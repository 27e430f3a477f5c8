package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const mod = "github.com/cloudlet-dev/cloudlet"

// services are the packages that own AWS state; they never import each
// other nor any adapter (DESIGN.md "Arrows point inward").
var services = []string{"lambda", "apigw", "iam", "logs", "s3", "ssm"}

// adapters translate between the outside (HTTP, CloudFormation, the
// browser) and the services.
var adapters = []string{"edge", "awsapi", "provider", "console", "cliapi"}

type pkg struct {
	ImportPath string
	Imports    []string // non-test imports only
}

func goList(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func packages(t *testing.T) []pkg {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(goList(t, "-json=ImportPath,Imports", "./...")))
	var out []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		out = append(out, p)
	}
}

// under reports whether path is prefix or inside it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func internal(name string) string { return mod + "/internal/" + name }

// rule: packages under from must not import anything under banned.
type rule struct{ from, banned, why string }

func rules() []rule {
	var rs []rule
	for _, s := range services {
		for _, other := range services {
			if other != s && !under(internal(other), internal(s)) && !under(internal(s), internal(other)) {
				rs = append(rs, rule{internal(s), internal(other), "services never import each other: declare the small interface you need and let platform wire it"})
			}
		}
		for _, a := range append(adapters, "platform", "stack") {
			rs = append(rs, rule{internal(s), internal(a), "services never import adapters, the engine or platform"})
		}
	}
	for _, s := range services {
		rs = append(rs, rule{internal("stack"), internal(s), "the engine knows resource types only through its Provider interface"})
		rs = append(rs, rule{internal("edge"), internal(s), "edge only dispatches; platform hands it the handlers"})
	}
	rs = append(rs,
		rule{internal("stack"), internal("provider"), "providers register through platform"},
		rule{internal("template"), internal("store"), "template is pure"},
		rule{internal("template"), internal("stack"), "template is pure"},
		rule{internal("template"), "net/http", "template is pure"},
		rule{internal("template"), "os/exec", "template is pure"},
		rule{internal("template"), "log/slog", "template is pure: it returns errors and never logs"},
		rule{internal("provider"), internal("store"), "providers translate to service calls; state belongs to services"},
		rule{mod + "/internal", mod + "/cmd", "internal code never imports the CLI"},
	)
	return rs
}

func TestImportRules(t *testing.T) {
	for _, p := range packages(t) {
		for _, r := range rules() {
			if !under(p.ImportPath, r.from) {
				continue
			}
			for _, imp := range p.Imports {
				if under(imp, r.banned) {
					t.Errorf("%s imports %s: %s", p.ImportPath, imp, r.why)
				}
			}
		}
	}
}

// Each third-party module lives in one package (DESIGN.md).
func TestThirdPartyConfinement(t *testing.T) {
	home := map[string]string{
		"go.etcd.io/bbolt":           internal("store"),
		"github.com/goccy/go-yaml":   internal("template"),
		"github.com/spf13/cobra":     mod + "/cmd/cloudlet",
		"github.com/lestrrat-go/jwx": internal("apigw"),
	}
	for _, p := range packages(t) {
		for _, imp := range p.Imports {
			for module, where := range home {
				if under(imp, module) && !under(p.ImportPath, where) {
					t.Errorf("%s imports %s, which only %s may import", p.ImportPath, imp, where)
				}
			}
			if under(imp, "github.com/aws/aws-sdk-go-v2") || under(imp, "github.com/chromedp") {
				t.Errorf("%s imports %s outside tests", p.ImportPath, imp)
			}
		}
	}
}

// The shipped binary links no test code and no test-only modules.
func TestBinaryDeps(t *testing.T) {
	bad := map[string]string{
		"testing":                      "test code in the binary",
		"github.com/aws/aws-sdk-go-v2": "the AWS SDK is for tests only",
		"github.com/chromedp":          "the browser driver is for tests only",
	}
	for _, dep := range strings.Fields(string(goList(t, "-deps", "-f", "{{.ImportPath}}", "./cmd/cloudlet"))) {
		for prefix, why := range bad {
			if under(dep, prefix) {
				t.Errorf("cmd/cloudlet depends on %s: %s", dep, why)
			}
		}
	}
}

// Every package has exactly one package doc, in doc.go (or the main
// package's main.go).
func TestPackageDocs(t *testing.T) {
	root := "../.."
	dirs := map[string]bool{}
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && (d.Name() == "testdata" || d.Name() == ".git" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = true
		}
		return nil
	})
	for dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		var docs []string
		name := ""
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				t.Errorf("parse %s: %v", file, err)
				continue
			}
			name = f.Name.Name
			if f.Doc != nil {
				docs = append(docs, filepath.Base(file))
			}
		}
		switch {
		case len(docs) == 0:
			t.Errorf("no package doc in %s (package %s): add a doc.go", dir, name)
		case len(docs) > 1:
			t.Errorf("several package docs in %s: %v; keep one, in doc.go", dir, docs)
		case docs[0] != "doc.go" && !(name == "main" && docs[0] == "main.go"):
			t.Errorf("the package doc of %s is in %s, want doc.go", dir, docs[0])
		}
	}
}
