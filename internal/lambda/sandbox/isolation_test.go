package sandbox_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
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
			offIso.iso, _ = sandbox.NewIsolation(context.Background(), sandbox.IsolationConfig{Setting: sandbox.SandboxOff})
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

const memoryCode = `import time
if %s:
    hog = b"x" * (256 << 20)
    time.sleep(20)

def handler(event, context):
    if event.get("mb"):
        hog = b"x" * (event["mb"] << 20)
        time.sleep(20)  # fallback mode's watchdog samples
    return "ok"
`

// AWS: a function that outgrows MemorySize is killed; the caller sees
// Runtime.ExitError "signal: killed", the log Runtime.OutOfMemory with Max
// Memory Used at Memory Size, and the environment recovers (§7.2).
func TestOutOfMemory(t *testing.T) {
	rt := newestPython(t)
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		for _, phase := range []string{"invoke", "init"} {
			t.Run(phase, func(t *testing.T) {
				atInit := "False"
				if phase == "init" {
					atInit = "True"
				}
				code := writeCode(t, map[string]string{"app.py": strings.Replace(memoryCode, "%s", atInit, 1)})
				f := function(rt, "app.handler", code)
				f.Timeout = 30 * time.Second
				sink := &memSink{}
				p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: iso, Logs: sink})
				id := requestID()
				resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, Payload: []byte(`{"mb": 256}`)})
				if err != nil {
					t.Fatal(err)
				}
				want := `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: ` + id + ` Error: Runtime exited with error: signal: killed"}`
				if string(resp.Payload) != want || resp.FunctionError != "Unhandled" {
					t.Errorf("Invoke(256 MB in 128) = %s (%q), want %s", resp.Payload, resp.FunctionError, want)
				}
				if resp.MaxMemoryMB > 128 || resp.MaxMemoryMB < 100 {
					t.Errorf("Invoke(256 MB in 128): MaxMemoryMB = %d, want ≈ 128", resp.MaxMemoryMB)
				}
				log := sink.text()
				report := regexp.MustCompile(`REPORT RequestId: ` + id + `\t[^\n]*\tMax Memory Used: (\d+) MB\t[^\n]*Status: error\tError Type: Runtime.OutOfMemory\t\n`)
				if !report.MatchString(log) {
					t.Errorf("log = %q, want a REPORT with Error Type: Runtime.OutOfMemory", log)
				}
				if phase == "init" && !strings.Contains(log, "\tPhase: init\tStatus: error\tError Type: Runtime.OutOfMemory\n") {
					t.Errorf("log = %q, want an INIT_REPORT with Error Type: Runtime.OutOfMemory", log)
				}
				if phase == "invoke" {
					if resp := invoke(t, p, `{}`); string(resp.Payload) != `"ok"` || !resp.Cold {
						t.Errorf("Invoke after OOM = %s (cold %v), want \"ok\" from a fresh runtime", resp.Payload, resp.Cold)
					}
				}
			})
		}
	})
}

// Node's V8 reserves far more address space than it uses: MemorySize is
// enforced on what it uses, not with RLIMIT_AS (which would break it).
func TestOutOfMemoryNode(t *testing.T) {
	rt, ok := benchNode()
	if !ok {
		t.Skip("no nodejs18.x..nodejs24.x interpreter found")
	}
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		code := writeCode(t, map[string]string{"index.js": `exports.handler = async (event) => {
  if (event.mb) {
    const hog = Buffer.alloc(event.mb << 20, 1);
    await new Promise((r) => setTimeout(r, 20000));
    return hog.length;
  }
  return "ok";
};
`})
		f := function(rt, "index.handler", code)
		f.Timeout = 30 * time.Second
		p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: iso})
		id := requestID()
		resp, err := p.Invoke(t.Context(), sandbox.Request{RequestID: id, Payload: []byte(`{"mb": 256}`)})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: ` + id + ` Error: Runtime exited with error: signal: killed"}`
		if string(resp.Payload) != want {
			t.Errorf("Invoke(256 MB in 128) = %s, want %s", resp.Payload, want)
		}
		if resp := invoke(t, p, `{}`); string(resp.Payload) != `"ok"` {
			t.Errorf("Invoke after OOM = %s, want \"ok\"", resp.Payload)
		}
	})
}

// AWS: RLIMIT_NOFILE is 1,024 (§2.7). EphemeralStorage caps each file.
func TestLimits(t *testing.T) {
	rt := newestPython(t)
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		code := writeCode(t, map[string]string{"app.py": `import errno, os, resource, tempfile

def handler(event, context):
    try:
        with open(os.path.join(tempfile.gettempdir(), "big"), "wb") as f:
            f.write(b"x" * (2 << 20))
        big = "ok"
    except OSError as e:
        big = errno.errorcode[e.errno]
    return {"nofile": resource.getrlimit(resource.RLIMIT_NOFILE), "big": big,
            "core": resource.getrlimit(resource.RLIMIT_CORE)}
`})
		f := function(rt, "app.handler", code)
		f.EphemeralStorageMB = 1
		p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: iso})
		resp := invoke(t, p, `{}`)
		want := `{"nofile": [1024, 1024], "big": "EFBIG", "core": [0, 0]}`
		if string(resp.Payload) != want {
			t.Errorf("Invoke = %s, want %s", resp.Payload, want)
		}
	})
}

const leftBehindCode = `import os, subprocess, time

def handler(event, context):
    subprocess.Popen(["sleep", "300"])                    # same process group
    subprocess.Popen(["sleep", "301"], start_new_session=True)  # a daemon of its own
    if os.fork() == 0:                                    # an orphan (4 in all)
        if os.fork() == 0:
            time.sleep(302)
        os._exit(0)
    if event.get("hang"):
        time.sleep(60)
    return context.log_stream_name
`

// Nothing the function started outlives its environment's reset or
// shutdown, not even a process in a session of its own.
func TestNoProcessLeftBehind(t *testing.T) {
	rt := newestPython(t)
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		for _, how := range []string{"timeout", "shutdown"} {
			t.Run(how, func(t *testing.T) {
				code := writeCode(t, map[string]string{"app.py": leftBehindCode})
				f := function(rt, "app.handler", code)
				f.Timeout = 2 * time.Second
				sink := &memSink{}
				p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: iso, Logs: sink})
				if how == "timeout" {
					if resp := invoke(t, p, `{"hang": true}`); !strings.Contains(string(resp.Payload), "Sandbox.Timedout") {
						t.Fatalf("Invoke = %s, want a timeout", resp.Payload)
					}
				} else {
					invoke(t, p, `{}`)
					waitFor(t, func() bool { return len(procsOf(t, sink.stream(t))) >= 4 })
					if err := p.Shutdown(t.Context()); err != nil {
						t.Fatal(err)
					}
				}
				stream := sink.stream(t)
				waitFor(t, func() bool { return len(procsOf(t, stream)) == 0 })
			})
		}
	})
}

// A fork bomb stays within 1,024 tasks (§2.7) and takes nothing else
// down: isolated, fork fails as on AWS; in fallback mode the watchdog
// kills the environment. Either way the function works afterwards.
func TestForkBomb(t *testing.T) {
	rt := newestPython(t)
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		code := writeCode(t, map[string]string{"app.py": `import os, time

def handler(event, context):
    if not event.get("bomb"):
        return "ok"
    n = 0
    try:
        while n < 5000:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            n += 1
    except OSError as e:
        return {"forked": n, "error": e.strerror}
    return {"forked": n}
`})
		f := function(rt, "app.handler", code)
		f.Timeout = 60 * time.Second
		f.MemoryMB = 2048 // the bomb's page tables must not run out of memory first
		sink := &memSink{}
		p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: iso, Logs: sink})
		resp := invoke(t, p, `{"bomb": true}`)
		var got struct {
			Forked int
			Error  string
		}
		_ = json.Unmarshal(resp.Payload, &got)
		t.Logf("fork bomb: %s", resp.Payload)
		switch {
		case iso.Mode() == sandbox.ModeIsolated && (got.Forked >= 1024 || got.Error != "Resource temporarily unavailable"):
			t.Errorf("Invoke(fork bomb) = %s, want fork to fail before 1024 tasks", resp.Payload)
		case iso.Mode() == sandbox.ModeFallback && got.Forked >= 1024:
			t.Errorf("Invoke(fork bomb) = %s, want it stopped before 1024 tasks", resp.Payload)
		}
		stream := sink.stream(t)
		if resp := invoke(t, p, `{}`); string(resp.Payload) != `"ok"` {
			t.Errorf("Invoke after the fork bomb = %s, want \"ok\"", resp.Payload)
		}
		if err := p.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { return len(procsOf(t, stream)) == 0 })
	})
}

// A function that floods its output does not stall or swamp the
// platform: the invocation completes, Logs gets MaxOutputBytes of it and
// one line saying how much was dropped.
func TestOutputFlood(t *testing.T) {
	rt := newestPython(t)
	modes(t, func(t *testing.T, iso *sandbox.Isolation) {
		code := writeCode(t, map[string]string{"app.py": `import sys

def handler(event, context):
    line = "x" * 1023 + "\n"
    chunk = line * 1024
    for _ in range(event["mb"]):
        sys.stdout.write(chunk)
    return "done"
`})
		f := function(rt, "app.handler", code)
		f.Timeout = 60 * time.Second
		sink := &memSink{}
		p := newPool(t, sandbox.PoolConfig{Function: f, Isolation: iso, Logs: sink})
		resp := invoke(t, p, `{"mb": 100}`)
		if string(resp.Payload) != `"done"` || resp.FunctionError != "" {
			t.Errorf("Invoke(100 MB of output) = %s (%q), want \"done\"", resp.Payload, resp.FunctionError)
		}
		log := sink.text()
		var output int
		for _, line := range strings.SplitAfter(log, "\n") {
			if strings.HasPrefix(line, "xxxx") {
				output += len(line)
			}
		}
		if output != sandbox.DefaultMaxOutputBytes {
			t.Errorf("output lines in Logs = %d bytes, want %d", output, sandbox.DefaultMaxOutputBytes)
		}
		notice := "cloudlet: dropped " + strconv.Itoa(100<<20-sandbox.DefaultMaxOutputBytes) + " bytes of function output past the limit of " +
			strconv.Itoa(sandbox.DefaultMaxOutputBytes) + " bytes per invocation\nEND RequestId: "
		if !strings.Contains(log, notice) {
			t.Errorf("log lacks %q before END", notice)
		}
		if resp := invoke(t, p, `{"mb": 1}`); string(resp.Payload) != `"done"` || resp.Cold {
			t.Errorf("Invoke after the flood = %s (cold %v), want \"done\", warm", resp.Payload, resp.Cold)
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
// function's limits, removed when it ends.
func TestCgroups(t *testing.T) {
	rt := newestPython(t)
	iso := isolation(t)
	if iso.Mode() != sandbox.ModeIsolated {
		t.Skipf("isolated mode unavailable: %s", iso.Report().Reason)
	}
	code := writeCode(t, map[string]string{"app.py": "def handler(e, c): return 1\n"})
	f := function(rt, "app.handler", code)
	f.MemoryMB = 200
	sink := &memSink{}
	p := newPool(t, sandbox.PoolConfig{Function: f, Logs: sink})
	invoke(t, p, `{}`)
	stream := sink.stream(t)
	id := stream[len(stream)-32:]
	files := map[string]string{ // v1
		"/sys/fs/cgroup/memory/cloudlet/" + id + "/memory.limit_in_bytes": strconv.Itoa(200 << 20),
		"/sys/fs/cgroup/pids/cloudlet/" + id + "/pids.max":                "1024",
	}
	if iso.Report().Cgroup == "v2" {
		files = map[string]string{
			"/sys/fs/cgroup/cloudlet/" + id + "/memory.max": strconv.Itoa(200 << 20),
			"/sys/fs/cgroup/cloudlet/" + id + "/pids.max":   "1024",
		}
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
