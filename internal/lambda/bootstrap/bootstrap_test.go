package bootstrap_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/bootstrap"
)

func TestInstall(t *testing.T) {
	parent := t.TempDir()
	dir, err := bootstrap.Install(parent)
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	for name, want := range map[string][]byte{bootstrap.PythonFile: bootstrap.Python(), bootstrap.NodeFile: bootstrap.Node()} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Install wrote %s = %d bytes (%v), want the embedded %d bytes", name, len(got), err, len(want))
		}
	}
	// Idempotent, and a damaged file is repaired.
	if err := os.WriteFile(filepath.Join(dir, bootstrap.PythonFile), []byte("broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir2, err := bootstrap.Install(parent)
	if err != nil || dir2 != dir {
		t.Fatalf("second Install = %q, %v; want %q", dir2, err, dir)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, bootstrap.PythonFile)); !bytes.Equal(got, bootstrap.Python()) {
		t.Errorf("second Install left %q, want the embedded source", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("runtime dir holds %d entries, want 2 (no temporary files left)", len(entries))
	}
}

func TestVersionStable(t *testing.T) {
	if a, b := bootstrap.Version(), bootstrap.Version(); a != b || len(a) != 64 {
		t.Errorf("Version() = %q then %q, want one 64-hex value", a, b)
	}
}
