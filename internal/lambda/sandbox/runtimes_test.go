package sandbox_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

func TestRuntimesPython(t *testing.T) {
	root := t.TempDir()
	exe := func(rel string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bin := exe("bin/python3.12")
	exe("pyenv/shims/python3.9") // a shim: skipped
	exe("pyenv/versions/3.9.1/bin/python3")
	newest9 := exe("pyenv/versions/3.9.18/bin/python3")
	exe("pyenv/versions/3.10.2/bin/python3") // "3.10" must not match "3.1"
	t.Setenv("PATH", filepath.Join(root, "pyenv/shims")+":"+filepath.Join(root, "bin"))
	t.Setenv("PYENV_ROOT", filepath.Join(root, "pyenv"))

	r := sandbox.NewRuntimes(map[string]string{"python3.8": "/opt/py38/bin/python3"})
	tests := []struct {
		runtime, path, warning string
		wantErr                bool
	}{
		{runtime: "python3.12", path: bin},
		{runtime: "python3.9", path: newest9},
		{runtime: "python3.8", path: "/opt/py38/bin/python3"},
		{runtime: "python3.13", path: bin, warning: "runtime python3.13: python3.13 not found; using " + bin + " (python3.12)"},
		{runtime: "nodejs20.x", wantErr: true},
	}
	for _, tt := range tests {
		path, warning, err := r.Python(tt.runtime)
		if path != tt.path || warning != tt.warning || (err != nil) != tt.wantErr {
			t.Errorf("Python(%q) = %q, %q, %v; want %q, %q, error %v", tt.runtime, path, warning, err, tt.path, tt.warning, tt.wantErr)
		}
	}
	// Answers are cached: removing the interpreter changes nothing.
	os.Remove(bin)
	if path, _, _ := r.Python("python3.12"); path != bin {
		t.Errorf("Python(python3.12) after removal = %q, want cached %q", path, bin)
	}
}
