package bootstrap

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

//go:embed python/bootstrap.py node/bootstrap.cjs
var files embed.FS

// File names inside the directory Install writes. The Python file must be
// called bootstrap.py: tracebacks drop frames from a path containing
// "/bootstrap.py" (shared/specs/lambda.md §4.5).
const (
	PythonFile = "bootstrap.py"
	// NodeFile is CommonJS whatever package.json files above it say; it
	// loads ES module handlers with import().
	NodeFile = "bootstrap.cjs"
)

// Python returns the source of the Python runtime client.
func Python() []byte { return mustRead("python/bootstrap.py") }

// Node returns the source of the Node.js runtime client.
func Node() []byte { return mustRead("node/bootstrap.cjs") }

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		// The file is embedded at build time; its absence is a build error.
		panic(fmt.Sprintf("bootstrap: embedded %s missing: %v", name, err))
	}
	return b
}

// Version identifies this build of the runtime clients: a hash of their
// sources, stable across restarts, used where AWS shows a runtime version.
func Version() string {
	h := sha256.New()
	h.Write(Python())
	h.Write(Node())
	return hex.EncodeToString(h.Sum(nil))
}

// Install writes the runtime clients into a directory named for their
// version under parent, and returns that directory. It is safe to call
// concurrently and repeatedly: files already present with the right
// content are left alone, and new ones appear atomically (written to a
// temporary name, then renamed).
func Install(parent string) (string, error) {
	dir := filepath.Join(parent, "runtime-"+Version()[:12])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install runtime clients: %w", err)
	}
	for name, src := range map[string][]byte{PythonFile: Python(), NodeFile: Node()} {
		if err := writeAtomic(filepath.Join(dir, name), src); err != nil {
			return "", fmt.Errorf("install runtime clients: %w", err)
		}
	}
	return dir, nil
}

func writeAtomic(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
