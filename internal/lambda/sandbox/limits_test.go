package sandbox_test

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

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
