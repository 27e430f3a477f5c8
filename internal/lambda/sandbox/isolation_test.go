package sandbox_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/google/go-cmp/cmp"
)

var offIso struct {
	once sync.Once
	iso  *sandbox.Isolation
}

// modes runs f in each confinement mode: isolated (skipped where this
// machine, or -sandbox=off, does not allow it) and fallback.
func modes(t *testing.T, f func(t *testing.T, iso *sandbox.Isolation)) {
	t.Run("isolated", func(t *testing.T) {
		iso := isolation(t)
		if iso.Mode() != sandbox.ModeIsolated {
			t.Skipf("isolated mode unavailable: %s", iso.Report().Reason)
		}
		f(t, iso)
	})
	t.Run("fallback", func(t *testing.T) {
		offIso.once.Do(func() {
			offIso.iso, _ = sandbox.NewIsolation(context.Background(), sandbox.IsolationConfig{Setting: sandbox.SandboxOff, DisableStandby: !*standbyFlag})
		})
		f(t, offIso.iso)
	})
}

// text is everything the sink received, in order, per stream.
func (s *memSink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, evs := range s.streams {
		for _, e := range evs {
			b.WriteString(e.Message)
		}
	}
	return b.String()
}

// AWS: the code is read-only, /tmp the one writable place (§2.7).
// Isolated, every write outside /tmp fails with EROFS; in fallback mode
// nothing stops a write to the code directory, but TMPDIR is the
// environment's own.
func TestFilesystemView(t *testing.T) {
	rt := newestPython(t)
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		code := writeCode(t, map[string]string{"app.py": `import errno, os, tempfile

def attempt(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]

def handler(event, context):
    tmp = tempfile.gettempdir()
    return {
        "task": attempt(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "new.txt")),
        "etc": attempt("/etc/cloudlet-test"),
        "tmp": attempt(os.path.join(tmp, "new.txt")),
        "tmpdir": tmp,
        "cwd": os.getcwd(),
        "opt": sorted(os.listdir("/opt")) if os.path.isdir("/opt") else None,
        "devnull": attempt("/dev/null"),
        "uid": os.getuid(),
    }
`})
		p := newPool(t, sandbox.PoolConfig{Function: function(rt, "app.handler", code), Isolation: iso})
		var got map[string]any
		resp := invoke(t, p, `{}`)
		if err := json.Unmarshal(resp.Payload, &got); err != nil {
			t.Fatalf("Invoke = %s: %v", resp.Payload, err)
		}
		if iso.Mode() == sandbox.ModeIsolated {
			want := map[string]any{"task": "EROFS", "etc": "EROFS", "tmp": "ok", "tmpdir": "/tmp", "cwd": "/var/task",
				"opt": []any{}, "devnull": "ok", "uid": 0.0}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("isolated environment's view (-want +got):\n%s", diff)
			}
			return
		}
		os.Remove(filepath.Join(code, "new.txt"))
		if got["tmp"] != "ok" || !strings.HasPrefix(got["tmpdir"].(string), os.TempDir()) || got["cwd"] != code {
			t.Errorf("fallback environment: %v, want a writable per-environment TMPDIR, cwd %s", got, code)
		}
	})
}

// AWS: each environment has its own /tmp (§2.5, §2.7).
func TestTmpPrivate(t *testing.T) {
	rt := newestPython(t)
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		code := writeCode(t, map[string]string{"app.py": `import os, socket, tempfile

def handler(event, context):
    tmp = tempfile.gettempdir()
    open(os.path.join(tmp, context.aws_request_id), "w").close()
    with socket.create_connection(("127.0.0.1", event["port"])) as s:
        s.recv(1)
    return sorted(os.listdir(tmp))
`})
		f := function(rt, "app.handler", code)
		f.Timeout = time.Minute
		p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: iso})
		b := newBarrier(t)
		var wg sync.WaitGroup
		ids, got := []string{requestID(), requestID()}, make([]string, 2)
		for i, id := range ids {
			wg.Go(func() {
				resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, Payload: []byte(`{"port": ` + strconv.Itoa(b.port()) + `}`)})
				if err != nil {
					t.Error(err)
					return
				}
				got[i] = string(resp.Payload)
			})
		}
		b.wait(2)
		b.release()
		wg.Wait()
		for i, id := range ids {
			if want := `["` + id + `"]`; got[i] != want {
				t.Errorf("/tmp of environment %d = %s, want %s only", i, got[i], want)
			}
		}
	})
}

// AWS: layers are merged at /opt, a later layer's files replacing an
// earlier one's (§2.7, §5.2).
func TestLayersAtOpt(t *testing.T) {
	rt := newestPython(t)
	iso := isolation(t)
	if iso.Mode() != sandbox.ModeIsolated {
		t.Skipf("isolated mode unavailable: %s", iso.Report().Reason)
	}
	code := writeCode(t, map[string]string{"app.py": `import os
import layermod

def handler(event, context):
    return {"files": sorted(os.listdir("/opt")), "shared": open("/opt/shared").read(),
            "path": os.environ["PATH"], "ld": os.environ["LD_LIBRARY_PATH"],
            "pythonpath": os.environ["PYTHONPATH"], "layermod": layermod.__file__}
`})
	f := function(rt, "app.handler", code)
	f.LayerDirs = []string{
		writeCode(t, map[string]string{"one": "", "shared": "first", "python/layermod.py": ""}),
		writeCode(t, map[string]string{"two": "", "shared": "second"}),
	}
	// The Lambda service names layers' python folders by their host paths.
	f.ExtraEnv = map[string]string{"PYTHONPATH": filepath.Join(f.LayerDirs[0], "python") + ":" + filepath.Join(f.LayerDirs[1], "python")}
	p := newPool(t, sandbox.PoolConfig{Function: f})
	var got struct {
		Files                []string
		Shared               string
		Path, LD             string
		PythonPath, LayerMod string
	}
	resp := invoke(t, p, `{}`)
	if err := json.Unmarshal(resp.Payload, &got); err != nil {
		t.Fatalf("Invoke = %s: %v", resp.Payload, err)
	}
	if diff := cmp.Diff([]string{"one", "python", "shared", "two"}, got.Files); diff != "" || got.Shared != "second" {
		t.Errorf("/opt = %v, shared %q; want both layers merged, the second's shared (-want +got):\n%s", got.Files, got.Shared, diff)
	}
	if got.PythonPath != "/opt/python:/opt/python" || got.LayerMod != "/opt/python/layermod.py" {
		t.Errorf("PYTHONPATH = %q, layermod from %q; want the layers' python folders at /opt/python", got.PythonPath, got.LayerMod)
	}
	if !strings.HasSuffix(got.Path, ":/opt/bin") || got.LD != "/var/task:/var/task/lib:/opt/lib" {
		t.Errorf("PATH = %q, LD_LIBRARY_PATH = %q; want /opt/bin last, /var/task:/var/task/lib:/opt/lib", got.Path, got.LD)
	}
}

// Each environment process runs in memory and pids cgroups of its
// function's limits, removed when it ends. They are named after the
// environment, except on cgroup v2 for a runtime that was a standby (v2
// cannot rename a cgroup): the function reports where it runs.
func TestCgroups(t *testing.T) {
	rt := newestPython(t)
	iso := isolation(t)
	if iso.Mode() != sandbox.ModeIsolated {
		t.Skipf("isolated mode unavailable: %s", iso.Report().Reason)
	}
	code := writeCode(t, map[string]string{"app.py": "def handler(e, c):\n    return open('/proc/self/cgroup').read()\n"})
	f := function(rt, "app.handler", code)
	f.MemoryMB = 200
	sink := &memSink{}
	p := newPool(t, sandbox.PoolConfig{Function: f, Logs: sink})
	var lines string
	if err := json.Unmarshal(invoke(t, p, `{}`).Payload, &lines); err != nil {
		t.Fatal(err)
	}
	stream := sink.stream(t)
	id := stream[len(stream)-32:]
	paths := map[string]string{} // controller → cgroup path
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 {
			for _, c := range strings.Split(parts[1], ",") {
				paths[c] = parts[2]
			}
		}
	}
	files := map[string]string{ // v1
		"/sys/fs/cgroup/memory" + paths["memory"] + "/memory.limit_in_bytes": strconv.Itoa(200 << 20),
		"/sys/fs/cgroup/pids" + paths["pids"] + "/pids.max":                  "1024",
	}
	want := []string{"/cloudlet/" + id, "/cloudlet/" + id}
	got := []string{paths["memory"], paths["pids"]}
	if iso.Report().Cgroup == "v2" {
		files = map[string]string{
			"/sys/fs/cgroup" + paths[""] + "/memory.max": strconv.Itoa(200 << 20),
			"/sys/fs/cgroup" + paths[""] + "/pids.max":   "1024",
		}
		want, got = []string{"/cloudlet/"}, []string{filepath.Dir(paths[""]) + "/"}
	}
	if !cmp.Equal(got, want) {
		t.Errorf("cgroups of the runtime = %q, want %q", got, want)
	}
	for file, want := range files {
		if b, err := os.ReadFile(file); err != nil || strings.TrimSpace(string(b)) != want {
			t.Errorf("%s = %q, %v; want %s", file, b, err, want)
		}
	}
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	for file := range files {
		if _, err := os.Stat(filepath.Dir(file)); !os.IsNotExist(err) {
			t.Errorf("cgroup %s after Shutdown: %v, want it removed", filepath.Dir(file), err)
		}
	}
}

func TestNewIsolation(t *testing.T) {
	iso, err := sandbox.NewIsolation(t.Context(), sandbox.IsolationConfig{Setting: sandbox.SandboxOff})
	if err != nil || iso.Mode() != sandbox.ModeFallback || iso.Report().Reason != "isolation turned off" {
		t.Errorf("NewIsolation(off) = %+v, %v; want fallback, turned off", iso.Report(), err)
	}
	if _, err := sandbox.NewIsolation(t.Context(), sandbox.IsolationConfig{Setting: "on"}); err == nil {
		t.Errorf("NewIsolation(on) = nil error, want an unknown setting")
	}
	// A cgroup root without cgroups: fallback, with the reason.
	iso, err = sandbox.NewIsolation(t.Context(), sandbox.IsolationConfig{CgroupRoot: t.TempDir()})
	if err != nil || iso.Mode() != sandbox.ModeFallback || iso.Report().Reason == "" {
		t.Errorf("NewIsolation(no cgroups) = %+v, %v; want fallback with a reason", iso.Report(), err)
	}
	r := isolation(t).Report()
	t.Logf("probe on this machine: %s, cgroup %q, namespaces %v, took %v", r, r.Cgroup, r.Namespaces, r.Took)
	if r.Mode == sandbox.ModeIsolated && (!r.Namespaces || r.Cgroup == "" || r.Reason != "") {
		t.Errorf("Report() = %+v, want namespaces, a cgroup version and no reason when isolated", r)
	}
}

// An interpreter installed under /var or /opt stays reachable at its own
// path although the view replaces those directories; one under /tmp cannot.
func TestInterpreterInHiddenDir(t *testing.T) {
	iso := isolation(t)
	if iso.Mode() != sandbox.ModeIsolated {
		t.Skipf("isolated mode unavailable: %s", iso.Report().Reason)
	}
	const host = "/usr/bin/python3.11" // finds its stdlib at /usr wherever it is copied
	b, err := os.ReadFile(host)
	if err != nil {
		t.Skipf("%s: %v (needed as a relocatable interpreter)", host, err)
	}
	install := func(parent string) string {
		dir, err := os.MkdirTemp(parent, "cloudlet-interp-")
		if err != nil {
			t.Skipf("no temporary directory under %s: %v", parent, err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		interp := filepath.Join(dir, "bin", "python3.11")
		if err := os.MkdirAll(filepath.Dir(interp), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(interp, b, 0o755); err != nil {
			t.Fatal(err)
		}
		return interp
	}
	code := writeCode(t, map[string]string{"app.py": "import sys\ndef handler(e, c): return sys.executable\n"})

	interp := install("/var/tmp")
	rts := sandbox.NewRuntimes(map[string]string{"python3.11": interp})
	p := newPool(t, sandbox.PoolConfig{Function: function("python3.11", "app.handler", code), Runtimes: rts})
	if resp := invoke(t, p, `{}`); string(resp.Payload) != `"`+interp+`"` {
		t.Errorf("Invoke with an interpreter under /var = %s, want %q", resp.Payload, interp)
	}

	interp = install(os.TempDir())
	rts = sandbox.NewRuntimes(map[string]string{"python3.11": interp})
	_, err = sandbox.NewPool(sandbox.PoolConfig{Function: function("python3.11", "app.handler", code), Runtimes: rts,
		ScratchDir: t.TempDir(), Isolation: iso})
	if err == nil || !strings.Contains(err.Error(), "under /tmp") {
		t.Errorf("NewPool with an interpreter under /tmp: err = %v, want one naming /tmp", err)
	}
}

// Isolated environments see neither the pool's scratch directory (other
// environments' /tmp) nor the directories the platform hides, though their
// code may live there.
func TestHideDirs(t *testing.T) {
	rt := newestPython(t)
	iso := isolation(t)
	if iso.Mode() != sandbox.ModeIsolated {
		t.Skipf("isolated mode unavailable: %s", iso.Report().Reason)
	}
	// Under /tmp, /var or /opt everything is hidden anyway: this needs a
	// directory the view would otherwise show.
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skipf("no home directory: %v", err)
	}
	data, err := os.MkdirTemp(home, ".cloudlet-test-")
	if err != nil {
		t.Skipf("home directory not writable: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(data) })
	for name, body := range map[string]string{"secret": "s3cr3t", "code/app.py": `import os

def handler(event, context):
    return {d: sorted(os.listdir(d)) if os.path.isdir(d) else None for d in event["dirs"]}
`} {
		os.MkdirAll(filepath.Dir(filepath.Join(data, name)), 0o755)
		if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	scratch := filepath.Join(data, "scratch")
	f := function(rt, "app.handler", filepath.Join(data, "code"))
	p := newPool(t, sandbox.PoolConfig{Function: f, ScratchDir: scratch, HideDirs: []string{data}})
	dirs, _ := json.Marshal([]string{data, scratch, "/var/task"})
	resp := invoke(t, p, `{"dirs": `+string(dirs)+`}`)
	var got map[string][]string
	if err := json.Unmarshal(resp.Payload, &got); err != nil {
		t.Fatalf("Invoke = %s: %v", resp.Payload, err)
	}
	if len(got[data]) != 0 || got["/var/task"] == nil || len(got["/var/task"]) != 1 {
		t.Errorf("Invoke = %s, want %s empty and the code at /var/task", resp.Payload, data)
	}
	if got[scratch] != nil {
		t.Errorf("Invoke = %s, want %s absent (inside a hidden directory)", resp.Payload, scratch)
	}
}
