package template_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCfnLintAcceptsValidTemplates runs cfn-lint, AWS's own linter, over
// the golden templates meant to be valid and over the seed templates, as a
// second opinion that they are templates AWS would accept. Warnings are
// allowed (the seed templates have some); errors are not.
func TestCfnLintAcceptsValidTemplates(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed (pip install cfn-lint); skipping the second opinion")
	}
	var files []string
	for _, file := range goldenTemplates(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// Templates whose golden output is an error are meant to be
		// invalid.
		golden, err := os.ReadFile(strings.TrimSuffix(file, filepath.Ext(file)) + ".golden")
		if readHeader(t, src).skipCfnLint || err != nil || !strings.HasPrefix(string(golden), "{") {
			continue
		}
		files = append(files, file)
	}
	seeds, _ := filepath.Glob(filepath.Join(seedDir, "*.yaml"))
	files = append(files, seeds...)

	out, err := exec.Command(lint, append([]string{"--format", "parseable"}, files...)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		// cfn-lint's exit status is a bit mask: 2 errors, 4 warnings,
		// 8 informational; 1 means it failed to run.
		if code := exit.ExitCode(); code&2 != 0 || code&1 != 0 {
			t.Errorf("cfn-lint %s: exit status %d:\n%s", strings.Join(files, " "), code, out)
		}
	default:
		t.Skipf("cfn-lint could not be run: %v", err)
	}
}
