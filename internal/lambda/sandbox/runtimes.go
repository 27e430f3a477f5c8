package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Runtimes finds the host interpreters that stand in for Lambda's managed
// runtimes. It resolves each runtime once and caches the answer; it is safe
// for concurrent use and meant to be shared by every Pool.
type Runtimes struct {
	overrides map[string]string
	path      string // the host PATH, as seen at construction
	pyenvRoot string

	mu    sync.Mutex
	cache map[string]resolution
}

type resolution struct {
	path, warning string
	err           error
}

// NewRuntimes returns a resolver. overrides maps a runtime identifier
// ("python3.12", "nodejs20.x") to an interpreter path that wins over any
// search. The host's PATH, PYENV_ROOT and HOME are read here, once: they
// guide the search and are never passed to functions.
func NewRuntimes(overrides map[string]string) *Runtimes {
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		if home, err := os.UserHomeDir(); err == nil {
			root = filepath.Join(home, ".pyenv")
		}
	}
	o := make(map[string]string, len(overrides))
	for k, v := range overrides {
		o[k] = v
	}
	return &Runtimes{overrides: o, path: os.Getenv("PATH"), pyenvRoot: root, cache: map[string]resolution{}}
}

// Python returns the interpreter for runtime "python3.X": an override, else
// python3.X on PATH (pyenv shim directories are skipped: each shim start
// costs ~50 ms), else pyenv's versions/3.X*/bin/python3, else the newest
// local Python 3 with a one-line warning naming both.
func (r *Runtimes) Python(runtime string) (path, warning string, err error) {
	return r.resolve(runtime, r.findPython)
}

// Node returns the interpreter for runtime "nodejsNN.x": an override, else
// node on PATH. warning is set when its major version is not NN.
func (r *Runtimes) Node(runtime string) (path, warning string, err error) {
	return r.resolve(runtime, r.findNode)
}

func (r *Runtimes) resolve(runtime string, find func(string) resolution) (string, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if res, ok := r.cache[runtime]; ok {
		return res.path, res.warning, res.err
	}
	var res resolution
	if p, ok := r.overrides[runtime]; ok {
		res.path = p
	} else {
		res = find(runtime)
	}
	r.cache[runtime] = res
	return res.path, res.warning, res.err
}

func (r *Runtimes) findPython(runtime string) resolution {
	minor, ok := pythonMinor(runtime)
	if !ok {
		return resolution{err: fmt.Errorf("resolve %s: not a python3.X runtime", runtime)}
	}
	want := fmt.Sprintf("python3.%d", minor)
	var candidates []string
	for _, p := range []string{r.lookPath(want), r.pyenvPython(minor)} {
		if p != "" {
			candidates = append(candidates, p)
		}
	}
	// As on AWS, a function can import boto3 when the host has one for that
	// Python: among the interpreters of the wanted version, prefer one that
	// can import it (PATH's first, then pyenv's).
	for _, p := range candidates {
		if hasModule(p, "boto3") {
			return resolution{path: p}
		}
	}
	if len(candidates) > 0 {
		return resolution{path: candidates[0]}
	}
	// Fall back to the newest Python 3 the host has.
	for m := 20; m >= 6; m-- {
		p := r.lookPath(fmt.Sprintf("python3.%d", m))
		if p == "" {
			p = r.pyenvPython(m)
		}
		if p != "" {
			return resolution{path: p, warning: fmt.Sprintf("runtime %s: %s not found; using %s (python3.%d)", runtime, want, p, m)}
		}
	}
	if p := r.lookPath("python3"); p != "" {
		return resolution{path: p, warning: fmt.Sprintf("runtime %s: %s not found; using %s", runtime, want, p)}
	}
	return resolution{err: fmt.Errorf("resolve %s: no %s or other python3 found on PATH or under %s", runtime, want, r.pyenvRoot)}
}

func pythonMinor(runtime string) (int, bool) {
	rest, ok := strings.CutPrefix(runtime, "python3.")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// pyenvPython finds the newest installed 3.<minor>.* under pyenv's versions.
func (r *Runtimes) pyenvPython(minor int) string {
	if r.pyenvRoot == "" {
		return ""
	}
	prefix := fmt.Sprintf("3.%d", minor)
	entries, err := os.ReadDir(filepath.Join(r.pyenvRoot, "versions"))
	if err != nil {
		return ""
	}
	var found []string
	for _, e := range entries {
		name := e.Name()
		if name != prefix && !strings.HasPrefix(name, prefix+".") {
			continue
		}
		p := filepath.Join(r.pyenvRoot, "versions", name, "bin", "python3")
		if isExecutable(p) {
			found = append(found, name)
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.Slice(found, func(i, j int) bool { return versionLess(found[i], found[j]) })
	return filepath.Join(r.pyenvRoot, "versions", found[len(found)-1], "bin", "python3")
}

// versionLess orders dotted versions numerically ("3.8.9" < "3.8.18").
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		if errx != nil || erry != nil {
			if as[i] != bs[i] {
				return as[i] < bs[i]
			}
			continue
		}
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

func (r *Runtimes) findNode(runtime string) resolution {
	major, ok := nodeMajor(runtime)
	if !ok {
		return resolution{err: fmt.Errorf("resolve %s: not a nodejsNN.x runtime", runtime)}
	}
	p := r.lookPath("node")
	if p == "" {
		return resolution{err: fmt.Errorf("resolve %s: node not found on PATH", runtime)}
	}
	out, err := exec.Command(p, "--version").Output()
	if err != nil {
		return resolution{err: fmt.Errorf("resolve %s: %s --version: %w", runtime, p, err)}
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	got, _, _ := strings.Cut(v, ".")
	if got != strconv.Itoa(major) {
		return resolution{path: p, warning: fmt.Sprintf("runtime %s: node %d not found; using %s (v%s)", runtime, major, p, v)}
	}
	return resolution{path: p}
}

func nodeMajor(runtime string) (int, bool) {
	rest, ok := strings.CutPrefix(runtime, "nodejs")
	if !ok {
		return 0, false
	}
	rest, ok = strings.CutSuffix(rest, ".x")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// lookPath is exec.LookPath over the PATH captured at construction, minus
// pyenv's shim directories.
func (r *Runtimes) lookPath(name string) string {
	for _, dir := range filepath.SplitList(r.path) {
		if dir == "" || isShimDir(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		if isExecutable(p) {
			return p
		}
	}
	return ""
}

func isShimDir(dir string) bool {
	return filepath.Base(filepath.Clean(dir)) == "shims"
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// hasModule reports whether the interpreter can import module (checked
// without importing it, so it is quick; run once per runtime).
func hasModule(python, module string) bool {
	cmd := exec.Command(python, "-c", "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(sys.argv[1]) else 1)", module)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	return cmd.Run() == nil
}
