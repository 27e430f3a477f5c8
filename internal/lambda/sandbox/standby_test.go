package sandbox_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/google/go-cmp/cmp"
)

// withAndWithout returns Isolations of iso's mode with standby processes
// and without.
func withAndWithout(t *testing.T, iso *sandbox.Isolation) (with, without *sandbox.Isolation) {
	t.Helper()
	setting := sandbox.SandboxAuto
	if iso.Mode() == sandbox.ModeFallback {
		setting = sandbox.SandboxOff
	}
	for _, off := range []bool{false, true} {
		s, err := sandbox.NewIsolation(t.Context(), sandbox.IsolationConfig{Setting: setting, DisableStandby: off})
		if err != nil || s.Mode() != iso.Mode() {
			t.Fatalf("NewIsolation(%s) = %v, %v; want mode %s", setting, s.Mode(), err, iso.Mode())
		}
		if off {
			without = s
		} else {
			with = s
		}
	}
	return with, without
}

// pythonProbe reports what a Python function sees of its process.
const pythonProbe = `import os, sys, time

def environ(pid):
    with open("/proc/%s/environ" % pid, "rb") as f:
        return sorted(v.decode() for v in f.read().split(b"\0") if v)

def handler(event, context):
    r, w = os.pipe()
    if os.fork() == 0:  # a child that does not exec keeps its parent's block
        os.write(w, "\n".join(environ("self")).encode())
        os._exit(0)
    os.close(w)
    child = b""
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        child += b
    os.wait()
    return {
        "env": dict(os.environ),
        "environ": environ("self"),
        "child": child.decode().split("\n"),
        "path": sys.path,
        "cwd": os.getcwd(),
        "modules": sorted(sys.modules),
        "tz": [time.tzname[0], time.timezone],
    }
`

// nodeProbe reports what a Node.js function sees of its process.
const nodeProbe = `const fs = require('fs');
exports.handler = async () => ({
  env: process.env,
  environ: fs.readFileSync('/proc/self/environ', 'utf8').split('\0').filter((v) => v).sort(),
  cwd: process.cwd(),
  globalPaths: require('module').globalPaths,
  paths: module.paths,
  tz: [new Date(0).getTimezoneOffset(), Intl.DateTimeFormat().resolvedOptions().timeZone],
});
`

// An environment whose runtime was a standby sees exactly what one whose
// runtime started afresh sees: environment variables (also in
// /proc/<pid>/environ, and a forked child's), sys.path or node's module
// paths, working directory, loaded modules, time zone.
func TestStandbyEquivalence(t *testing.T) {
	py := newestPython(t)
	node := ""
	if rt, ok := benchNode(); ok {
		node = rt
	}
	layer := writeCode(t, map[string]string{"python/layermod.py": "", "nodejs/node_modules/m/index.js": ""})
	tests := []struct {
		name, runtime, handler, code string
		env, extra                   map[string]string
		layers                       []string
	}{
		{name: "Python", runtime: py, handler: "app.handler", code: pythonProbe},
		{name: "PythonPath", runtime: py, handler: "app.handler", code: pythonProbe,
			env: map[string]string{"TZ": "Europe/Paris", "PYTHONPATH": "rel::/var/task:/x/y/../z:/x/z:" + filepath.Dir(os.Args[0])}},
		{name: "PythonLayer", runtime: py, handler: "app.handler", code: pythonProbe, layers: []string{layer},
			extra: map[string]string{"PYTHONPATH": filepath.Join(layer, "python")}},
		{name: "Node", runtime: node, handler: "index.handler", code: nodeProbe},
		{name: "NodePathTZ", runtime: node, handler: "index.handler", code: nodeProbe, layers: []string{layer},
			env: map[string]string{"TZ": "America/New_York", "NODE_PATH": "/x:rel", "HOME": "/nowhere"}},
	}
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		with, without := withAndWithout(t, iso)
		runtimeDir := t.TempDir() // shared: the runtime clients' path is part of what both see
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.runtime == "" {
					t.Skip("no node (18, 20, 22 or 24) found on PATH")
				}
				file := "app.py"
				if strings.HasPrefix(tt.runtime, "nodejs") {
					file = "index.js"
				}
				f := function(tt.runtime, tt.handler, writeCode(t, map[string]string{file: tt.code}))
				f.Env, f.ExtraEnv, f.LayerDirs = tt.env, tt.extra, tt.layers
				var got [2]map[string]any
				for i, iso := range []*sandbox.Isolation{without, with} {
					p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: iso, RuntimeDir: runtimeDir})
					if i == 1 && !p.WaitStandby(t.Context()) {
						t.Fatal("WaitStandby = false, want a standby for the function")
					}
					resp := invoke(t, p, `{}`)
					if resp.FunctionError != "" {
						t.Fatalf("Invoke = %s", resp.Payload)
					}
					if n, want := p.Adopted(), int64(i); n != want {
						t.Errorf("environments started from a standby = %d, want %d", n, want)
					}
					got[i] = normalize(t, resp.Payload)
				}
				if diff := cmp.Diff(got[0], got[1]); diff != "" {
					t.Errorf("runtime started afresh (-) and from a standby (+) differ:\n%s", diff)
				}
			})
		}
	})
}

// normalize decodes a probe's answer with the values that belong to one
// environment (log stream, Runtime API port, TMPDIR) replaced by their
// names.
func normalize(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	var probe struct {
		Env map[string]string `json:"env"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		t.Fatalf("Invoke = %s: %v", payload, err)
	}
	s := string(payload)
	for _, k := range []string{"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "TMPDIR"} {
		if v := probe.Env[k]; v != "" {
			s = strings.ReplaceAll(s, v, "<"+k+">")
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A function whose runtime would read what a standby cannot know yet as
// it starts gets no standby; every other one does.
func TestStandbyEligibility(t *testing.T) {
	py := newestPython(t)
	layerWithLib := writeCode(t, map[string]string{"lib/libx.so": ""})
	tests := []struct {
		name  string
		env   map[string]string
		files map[string]string
		layer string
		mode  os.FileMode // of the code directory; zero leaves it
		want  bool
	}{
		{name: "Plain", want: true},
		{name: "PrivateCode", mode: 0o700, want: true}, // as the Lambda service unpacks it
		{name: "OwnVariables", env: map[string]string{"TABLE": "t", "TZ": "Asia/Tokyo", "PYTHONPATH": "x", "LANG": "en_US.UTF-8"}, want: true},
		{name: "ExtensionModule", files: map[string]string{"_speedups.cpython-313-x86_64-linux-gnu.so": ""}, want: true},
		{name: "Locale", env: map[string]string{"LANG": "C"}},
		{name: "LCAll", env: map[string]string{"LC_ALL": "C.UTF-8"}},
		{name: "LibraryPath", env: map[string]string{"LD_LIBRARY_PATH": "/x"}},
		{name: "Preload", env: map[string]string{"LD_PRELOAD": "/x.so"}},
		{name: "PythonOption", env: map[string]string{"PYTHONHASHSEED": "0"}},
		{name: "UserSite", env: map[string]string{"HOME": "/home/x"}},
		{name: "LibFolder", files: map[string]string{"lib/libx.so.1": ""}},
		{name: "LibFile", files: map[string]string{"libx.so": ""}},
		{name: "LayerLibFolder", layer: layerWithLib},
	}
	with, _ := withAndWithout(t, isolation(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"app.py": "def handler(e, c):\n    return 1\n"}
			for k, v := range tt.files {
				files[k] = v
			}
			f := function(py, "app.handler", writeCode(t, files))
			if tt.mode != 0 {
				if err := os.Chmod(f.CodeDir, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			f.Env = tt.env
			if tt.layer != "" {
				f.LayerDirs = []string{tt.layer}
			}
			p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: with})
			if got := p.WaitStandby(t.Context()); got != tt.want {
				t.Errorf("WaitStandby(env %v, files %v) = %v, want %v", tt.env, tt.files, got, tt.want)
			}
			if resp := invoke(t, p, `{}`); string(resp.Payload) != "1" {
				t.Errorf("Invoke = %s, want 1", resp.Payload)
			}
		})
	}
}

// Standby processes are no environments (Stats, logs), pools of one
// runtime share them, and the last pool's Shutdown kills them.
func TestStandbyLifecycle(t *testing.T) {
	rt := newestPython(t)
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		with, _ := withAndWithout(t, iso)
		runtimeDir := t.TempDir()
		sink := &memSink{}
		pool := func() *sandbox.Pool {
			f := function(rt, "app.handler", writeCode(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"}))
			p, err := sandbox.NewPool(sandbox.PoolConfig{Function: f, Runtimes: runtimes, Isolation: with, RuntimeDir: runtimeDir,
				ScratchDir: t.TempDir(), Logs: sink})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
			return p
		}
		p1, p2 := pool(), pool()
		if !p1.WaitStandby(t.Context()) {
			t.Fatal("WaitStandby = false, want a standby")
		}
		pids := p1.StandbyPIDs()
		if len(pids) == 0 || !cmp.Equal(p2.StandbyPIDs(), pids) {
			t.Fatalf("standby processes of two pools of one runtime = %v and %v, want the same ones", pids, p2.StandbyPIDs())
		}
		for _, p := range []*sandbox.Pool{p1, p2} {
			if st := p.Stats(); st != (sandbox.Stats{}) {
				t.Errorf("Stats() with a standby ready = %+v, want nothing", st)
			}
		}
		sink.mu.Lock()
		if n := len(sink.streams); n != 0 {
			t.Errorf("log streams with a standby ready = %d, want none", n)
		}
		sink.mu.Unlock()
		if err := p1.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, pid := range pids {
			if !alive(pid) {
				t.Errorf("standby process %d gone after the first pool's Shutdown, want it kept for the second", pid)
			}
		}
		if resp := invoke(t, p2, `{}`); string(resp.Payload) != "1" || p2.Adopted() != 1 {
			t.Errorf("Invoke = %s with %d environments from a standby, want 1 and 1", resp.Payload, p2.Adopted())
		}
		if !p2.WaitStandby(t.Context()) { // the next one
			t.Fatal("WaitStandby after a standby was taken = false, want the next one")
		}
		pids = append(pids, p2.StandbyPIDs()...)
		if err := p2.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, pid := range pids {
			if alive(pid) {
				t.Errorf("standby process %d alive after the last pool's Shutdown, want it killed", pid)
			}
		}
	})
}
