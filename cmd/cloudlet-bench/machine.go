package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

// tools are the programs the suite runs, found or built once.
type tools struct {
	root     string // the repository
	cloudlet string
	gofn     string
	gofnZip  []byte
	// python is the interpreter cloudlet picks for the seed's python3.8,
	// found the same way (sandbox.Runtimes), so that the floor runs the
	// same Python.
	python, pythonVersion string
	node, nodeVersion     string
	nodeRuntime           string // nodejsNN.x matching the local node
	// standby is whether `cloudlet serve` has --standby, the switch of
	// the pre-initialised runtime processes.
	standby bool
}

// repoRoot finds the cloudlet module's root from dir upwards.
func repoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/cloudlet-dev/cloudlet\n")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no cloudlet repository at or above %s: run cloudlet-bench from the repository", dir)
		}
	}
}

// goBuild builds pkg (relative to root) into out.
func goBuild(ctx context.Context, root, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// findTools builds cloudlet (unless binary is given) and the Go function
// into dir, and finds the interpreters.
func findTools(ctx context.Context, root, binary, dir string) (*tools, error) {
	t := &tools{root: root, cloudlet: binary}
	if t.cloudlet == "" {
		t.cloudlet = filepath.Join(dir, "cloudlet")
		if err := goBuild(ctx, root, "./cmd/cloudlet", t.cloudlet); err != nil {
			return nil, err
		}
	}
	t.gofn = filepath.Join(dir, "gofn")
	if err := goBuild(ctx, root, "./cmd/cloudlet-bench/testdata/gofn", t.gofn); err != nil {
		return nil, err
	}
	var err error
	if t.gofnZip, err = zipBootstrap(t.gofn); err != nil {
		return nil, err
	}
	help, _ := exec.CommandContext(ctx, t.cloudlet, "serve", "--help").CombinedOutput()
	t.standby = bytes.Contains(help, []byte("--standby"))
	rts := sandbox.NewRuntimes(nil)
	py, _, err := rts.Python(pythonRuntime)
	if err != nil {
		return nil, fmt.Errorf("the seed needs Python: %w", err)
	}
	t.python = py
	t.pythonVersion = firstLine(ctx, py, "-c", "import sys; print(sys.version.split()[0])")
	if node, err := exec.LookPath("node"); err == nil {
		t.node = node
		t.nodeVersion = firstLine(ctx, node, "--version")
		t.nodeRuntime = "nodejs20.x"
		if major, err := strconv.Atoi(strings.TrimPrefix(strings.SplitN(t.nodeVersion, ".", 2)[0], "v")); err == nil && major >= 18 && major%2 == 0 {
			t.nodeRuntime = fmt.Sprintf("nodejs%d.x", major)
		}
	}
	return t, nil
}

// zipBootstrap packs the Go function as a provided.al2023 package.
func zipBootstrap(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func firstLine(ctx context.Context, name string, args ...string) string {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// machine describes where the figures were taken.
type machine struct {
	CPU, Cores, Memory, Kernel, Go, Commit string
	// Nice is the suite's scheduling priority, which the servers and
	// functions it starts inherit; 0 is the default.
	Nice int
}

func describeMachine(ctx context.Context, root string) machine {
	m := machine{CPU: "unknown", Cores: strconv.Itoa(runtime.NumCPU()), Memory: "unknown", Kernel: "unknown", Go: runtime.Version()}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPU = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.ParseFloat(strings.TrimSuffix(v, " kB"), 64); err == nil {
			m.Memory = fmt.Sprintf("%.1f GB", kb/1024/1024)
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	m.Commit = firstLine(ctx, "git", "-C", root, "describe", "--always", "--dirty", "--abbrev=10")
	// Linux's getpriority returns 20 - nice.
	if p, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0); err == nil {
		m.Nice = 20 - p
	}
	return m
}

// procField is the value of "key : value" in a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAverage is /proc/loadavg's 1-minute figure: how busy the shared
// machine was.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}
