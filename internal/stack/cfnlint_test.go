package stack_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCfnLintGoldenTemplates runs cfn-lint, AWS's linter, over the
// templates of the golden cases meant to be valid (every case but the
// bad-* ones), as a second opinion that the engine is tested on
// templates AWS would accept. Warnings are allowed; errors are not.
func TestCfnLintGoldenTemplates(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed (pip install cfn-lint); skipping the second opinion")
	}
	archives, _ := filepath.Glob("testdata/engine/*.txtar")
	dir := t.TempDir()
	var files []string
	for _, a := range archives {
		case_ := strings.TrimSuffix(filepath.Base(a), ".txtar")
		if strings.HasPrefix(case_, "bad-") {
			continue
		}
		src, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		ar := parseArchive(string(src))
		for _, name := range ar.names {
			if !strings.HasSuffix(name, ".yaml") {
				continue
			}
			file := filepath.Join(dir, case_+"-"+name)
			if err := os.WriteFile(file, []byte(ar.files[name]), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, file)
		}
	}
	out, err := exec.Command(lint, append([]string{"--format", "parseable"}, files...)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		// cfn-lint's exit status is a bit mask: 2 errors, 4 warnings,
		// 8 informational; 1 means it failed to run.
		if code := exit.ExitCode(); code&2 != 0 || code&1 != 0 {
			t.Errorf("cfn-lint: exit status %d:\n%s", code, out)
		}
	default:
		t.Skipf("cfn-lint could not be run: %v", err)
	}
}
