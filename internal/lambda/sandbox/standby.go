package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A standby is a runtime process started before its function is known:
// confined as an environment of its runtime is (process group, rlimits;
// isolated: namespaces, cgroup, the base view), with the interpreter up
// and the runtime client loaded, blocked on its control socket. At a cold
// start an environment takes one over instead of starting a runtime
// (handoff): cloudlet gives it the function's limits and view and
// rewrites its environment block; then the runtime client takes on the
// function's environment variables, working directory and search paths
// and runs Init as a fresh runtime would, from the handler's import on.

// Variables a standby starts with and drops at handoff. Functions cannot
// set them (buildEnv drops every _CLOUDLET_ name): a plain runtime that
// saw standbyVar would wait for a handoff that never comes.
const (
	// standbyVar names the runtime's control socket: fd 3.
	standbyVar = "_CLOUDLET_STANDBY"
	// padVar makes room: the block of environment strings a process
	// starts with cannot grow, and the function's must fit in it.
	padVar     = "_CLOUDLET_PAD"
	standbyPad = 32 << 10
)

// standbyReadyTimeout bounds a standby's start, as DefaultInitTimeout
// does an environment's Init.
const standbyReadyTimeout = DefaultInitTimeout

// errEnvTooBig: the function's environment does not fit the standby's
// block; the environment starts its runtime afresh instead.
var errEnvTooBig = errors.New("environment larger than a standby's")

// standbyRecipe is everything a standby process depends on. Pools whose
// recipes are equal (same runtime, interpreter and runtime clients) share
// standbys.
type standbyRecipe struct {
	Argv []string `json:"argv"` // as the environment sees them
	Env  []string `json:"env"`  // standbyEnv
	Dir  string   `json:"dir"`  // the runtime clients' directory, as seen
	// Runtime is the host directory of the runtime clients (isolated:
	// bound at /var/runtime); Keep as in viewSpec.
	Runtime string   `json:"runtime"`
	Keep    []string `json:"keep,omitempty"`
}

func (r standbyRecipe) key() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// standby is one standby process.
type standby struct {
	proc *process
	out  *os.File // read end of its output pipe
	ctl  *os.File // cloudlet's end of its control socket
	// envStart and envEnd delimit, in its memory, the environment
	// strings it was started with: what /proc/<pid>/environ shows.
	envStart, envEnd uint64
}

// startStandby starts a standby process of r and waits until its runtime
// reports ready, or stop is closed.
func (i *Isolation) startStandby(r standbyRecipe, stop <-chan struct{}) (*standby, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start standby: create output pipe: %w", err)
	}
	ctl, theirs, err := socketPair("standby control")
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("start standby: %w", err)
	}
	env := append(slices.Clip(r.Env), standbyVar+"=3", padVar+"="+strings.Repeat("x", standbyPad))
	spec := helperSpec{Argv: r.Argv, Env: env, Dir: r.Dir, NoFile: fileLimit}
	var proc *process
	if i.cg == nil {
		proc, err = startDirect(spec, outW, theirs)
	} else {
		var b [8]byte
		_, _ = rand.Read(b[:])
		var cg *cgroup
		if cg, err = i.cg.create("standby-"+hex.EncodeToString(b[:]), int64(DefaultMemoryMB)<<20); err == nil {
			spec.View = &viewSpec{Runtime: r.Runtime, Keep: r.Keep}
			spec.Cgroups, spec.NProc, spec.Standby = cg.procsFiles(), maxTasks, true
			if proc, err = startHelper(spec, syscall.CLONE_NEWNS|syscall.CLONE_NEWPID, outW, theirs); err != nil {
				_ = cg.remove()
			} else {
				proc.cg = cg
			}
		}
	}
	outW.Close()
	theirs.Close()
	if err != nil {
		outR.Close()
		ctl.Close()
		return nil, fmt.Errorf("start standby: %w", err)
	}
	sb := &standby{proc: proc, out: outR, ctl: ctl}
	if err := sb.awaitReady(stop); err != nil {
		sb.discard()
		return nil, fmt.Errorf("start standby: %w", err)
	}
	return sb, nil
}

// awaitReady waits for the runtime's "ready" line, then finds its
// environment block.
func (sb *standby) awaitReady(stop <-chan struct{}) error {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-stop:
			_ = sb.ctl.SetReadDeadline(time.Now()) // interrupts the read
		case <-done:
		}
	}()
	_ = sb.ctl.SetReadDeadline(time.Now().Add(standbyReadyTimeout))
	var got []byte
	buf := make([]byte, 64)
	for !bytes.HasSuffix(got, []byte("\n")) && len(got) < len(buf) {
		n, err := sb.ctl.Read(buf)
		if err != nil {
			return fmt.Errorf("wait for the runtime: %w", err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != "ready\n" {
		return fmt.Errorf("wait for the runtime: got %q, want ready", got)
	}
	if sb.proc.runtimePID == 0 {
		return errors.New("runtime's pid unknown")
	}
	f := readStat(strconv.Itoa(sb.proc.runtimePID), make([]byte, 2048))
	if len(f) < 49 {
		return fmt.Errorf("read /proc/%d/stat: no environment span", sb.proc.runtimePID)
	}
	// Fields 50 and 51 of proc(5); f[0] is field 3.
	start, err1 := strconv.ParseUint(string(f[47]), 10, 64)
	end, err2 := strconv.ParseUint(string(f[48]), 10, 64)
	if err := errors.Join(err1, err2); err != nil || end <= start {
		return fmt.Errorf("read /proc/%d/stat: environment span %s-%s: %v", sb.proc.runtimePID, f[47], f[48], err)
	}
	sb.envStart, sb.envEnd = start, end
	return nil
}

// alive reports whether the standby's runtime still runs.
func (sb *standby) alive() bool {
	select {
	case <-sb.proc.exited:
		return false
	default:
		return !sb.proc.runtimeExited()
	}
}

// discard kills the standby and frees what it held.
func (sb *standby) discard() {
	sb.proc.kill()
	_ = sb.proc.release()
	sb.out.Close()
	sb.ctl.Close()
}

// handoff makes sb the runtime process l describes: it gives the process
// l's limits and, isolated, its memory and view, rewrites its environment
// block, then sends the runtime client l's environment and working
// directory, with which it runs Init. On error sb is unusable.
func (i *Isolation) handoff(sb *standby, l launchSpec) (*process, error) {
	proc := sb.proc
	if err := writeEnvBlock(proc.runtimePID, sb.envStart, sb.envEnd, l.env); err != nil {
		return nil, err
	}
	if l.fsize != 0 {
		if err := prlimit(proc.runtimePID, rlimit{syscall.RLIMIT_FSIZE, l.fsize}); err != nil {
			return nil, err
		}
	}
	if i.cg == nil {
		proc.watch = i.watch.add(proc.pid, l.memBytes, maxTasks)
		proc.marker = l.marker
	} else {
		if err := proc.cg.adopt(l.memBytes); err != nil {
			return nil, err
		}
		proc.cg.rename(l.name)
		if err := proc.finishView(l.view); err != nil {
			return nil, err
		}
	}
	msg, err := json.Marshal(struct {
		Env []string `json:"env"`
		Cwd string   `json:"cwd"`
	}{l.env, l.dir})
	if err != nil {
		return nil, fmt.Errorf("encode the function for the standby: %w", err)
	}
	if _, err := sb.ctl.Write(append(msg, '\n')); err != nil {
		return nil, fmt.Errorf("hand the function to the standby: %w", err)
	}
	sb.ctl.Close()
	return proc, nil
}

// finishView has a standby's helper finish its view as v says.
func (p *process) finishView(v *viewSpec) error {
	b, err := json.Marshal(helperCommand{View: v})
	if err != nil {
		return fmt.Errorf("encode view: %w", err)
	}
	if _, err := p.ctl.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("send view to the standby: %w", err)
	}
	t := time.NewTimer(setupTimeout)
	defer t.Stop()
	select {
	case st := <-p.replies:
		if st.Op != "viewed" {
			return st.err()
		}
		return nil
	case <-p.exited:
		return errors.New("standby exited during handoff")
	case <-t.C:
		return errors.New("standby's view not built in time")
	}
}

// writeEnvBlock overwrites the environment strings a standby's runtime was
// started with by env, NUL-padded, so that /proc/<pid>/environ shows env:
// in the runtime and in every child it forks. Fallback mode finds an
// environment's stragglers by it (sweep), cloudlet its orphans after a
// crash (lambda's killOrphans). The runtime client moved its own
// environment off the block before it reported ready.
func writeEnvBlock(pid int, start, end uint64, env []string) error {
	block := make([]byte, end-start)
	n := 0
	for _, kv := range env {
		if n+len(kv)+1 > len(block) {
			return errEnvTooBig
		}
		n += copy(block[n:], kv) + 1
	}
	f, err := os.OpenFile("/proc/"+strconv.Itoa(pid)+"/mem", os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("rewrite the standby's environment: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteAt(block, int64(start)); err != nil {
		return fmt.Errorf("rewrite the standby's environment: %w", err)
	}
	return nil
}

// standbyEnv is the environment a standby starts with: of buildEnv's
// defaults, the variables its runtime reads as it starts, PATH, TZ, and
// LAMBDA_RUNTIME_DIR, by which cloudlet finds what a killed predecessor
// left running (lambda's killOrphans). The function's environment
// replaces it at handoff.
func standbyEnv(runtime, runtimeDir, interpDir string) []string {
	var out []string
	for _, kv := range buildEnv(Function{Runtime: runtime}, envSpec{runtimeDir: runtimeDir, interpDir: interpDir}) {
		k, _, _ := strings.Cut(kv, "=")
		if k == "LAMBDA_RUNTIME_DIR" || k == "PATH" || k == "TZ" || startupVar(runtime, k) && k != "LD_LIBRARY_PATH" {
			out = append(out, kv)
		}
	}
	return out
}

// startupVar reports whether the runtime reads the variable once, as it
// starts: a standby started without the function's value would behave
// differently. The runtime clients read TZ, PYTHONPATH and NODE_PATH again
// at handoff.
func startupVar(runtime, name string) bool {
	switch {
	case name == "LANG" || name == "LANGUAGE" || name == "GLIBC_TUNABLES" ||
		strings.HasPrefix(name, "LC_") || strings.HasPrefix(name, "LD_") || strings.HasPrefix(name, "MALLOC_"):
		return true
	case strings.HasPrefix(runtime, "python"):
		// HOME: site's user directory.
		return name == "HOME" || strings.HasPrefix(name, "PYTHON") && name != "PYTHONPATH"
	case strings.HasPrefix(runtime, "nodejs"):
		return strings.HasPrefix(name, "NODE_") && name != "NODE_PATH" || strings.HasPrefix(name, "UV_") ||
			strings.HasPrefix(name, "OPENSSL_") || strings.HasPrefix(name, "SSL_CERT_")
	}
	return false
}

// standbyMismatch says why an environment of f started from a standby
// with env would not behave as one started afresh, or "" if it would.
func standbyMismatch(f Function, env []string, isolated bool) string {
	plain, sb := envMap(buildEnv(f, envSpec{})), envMap(env)
	_, setLD := f.Env["LD_LIBRARY_PATH"]
	if _, ok := f.ExtraEnv["LD_LIBRARY_PATH"]; ok {
		setLD = true
	}
	for _, m := range []map[string]string{plain, sb} {
		for k := range m {
			if !startupVar(f.Runtime, k) || k == "LD_LIBRARY_PATH" && !setLD {
				continue
			}
			pv, pok := plain[k]
			sv, sok := sb[k]
			if pok != sok || pv != sv {
				return k + " is read as the runtime starts"
			}
		}
	}
	// The code's and layers' LD_LIBRARY_PATH entries are not on a
	// standby's: the dynamic loader reads the variable once.
	entries, err := os.ReadDir(f.CodeDir)
	if err != nil {
		return "code directory unreadable"
	}
	for _, e := range entries {
		if n := e.Name(); n == "lib" || strings.HasPrefix(n, "lib") && strings.Contains(n, ".so") {
			return "the code carries shared libraries"
		}
	}
	for _, l := range f.LayerDirs {
		if _, err := os.Stat(filepath.Join(l, "lib")); err == nil {
			return "a layer carries shared libraries"
		}
	}
	// A plain start reports a code directory it cannot enter (§5.2); the
	// runtime client, entering it at handoff, could not.
	if !enterable(f.CodeDir, isolated) {
		return "the runtime cannot enter the code directory"
	}
	return ""
}

// enterable reports whether a runtime can make dir its working directory:
// isolated, as root without capabilities (dir is /var/task itself);
// otherwise with cloudlet's own credentials.
func enterable(dir string, isolated bool) bool {
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return false
	}
	if !isolated {
		return syscall.Access(dir, 1) == nil // X_OK
	}
	switch {
	case st.Uid == 0:
		return st.Mode&0o100 != 0
	case st.Gid == 0:
		return st.Mode&0o010 != 0
	}
	return st.Mode&0o001 != 0
}

func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
