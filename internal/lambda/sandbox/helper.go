package sandbox

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
)

// Names a process is started under (argv[0]) to act as the setup helper
// instead of as cloudlet. Go cannot run code between fork and exec, so an
// isolated runtime process starts as a copy of this binary
// (/proc/self/exe) which joins its cgroups, builds its view of the
// filesystem, sets its limits, drops its privileges and then starts the
// runtime. (Fallback mode needs none of this: it starts the runtime
// directly and sets its rlimits from outside.)
//
// The helper is the init (pid 1) of the environment's PID namespace and
// stays: it forks the runtime, reaps the orphans the runtime leaves, and
// reports the runtime's exit on the status pipe before exiting itself,
// which takes the whole namespace down. The runtime must not be the init:
// an init is immune to every signal it has no handler for, even from
// itself, so a function's kill(getpid(), SIGKILL) would do nothing.
const (
	helperArg0 = "cloudlet-sandbox-init"
	// checkArg0 runs inside a probe environment and checks what it sees.
	checkArg0 = "cloudlet-sandbox-check"
)

// statusFD is the helper's end of the status pipe (ExtraFiles[0]), on
// which it writes helperStatus lines: "started", later "exit", or what
// failed. It is close-on-exec: the runtime does not inherit it.
const statusFD = 3

// standbyFD is, in a standby's helper, the runtime's control socket
// (ExtraFiles[1]), which the runtime gets as its fd 3 (standby.go).
const standbyFD = 4

// This package's init turns a process started under helperArg0 or
// checkArg0 into the helper, before any other code of the binary runs; any
// other process is left alone. It works the same in cloudlet and in test
// binaries, with no wiring in main. (A package-level hook is the only way
// to run in the child of every binary that imports this package.)
func init() {
	if len(os.Args) < 2 {
		return
	}
	switch os.Args[0] {
	case helperArg0:
		os.Exit(helperMain(os.Args[1]))
	case checkArg0:
		os.Exit(checkMain(os.Args[1:]))
	}
}

// helperSpec is everything the helper needs, passed as JSON in argv[1].
type helperSpec struct {
	// Path is the runtime executable; empty means Argv[0].
	Path string   `json:"path,omitempty"`
	Argv []string `json:"argv"`
	// Env is the runtime's whole environment. The helper itself starts
	// with an empty one, so that LD_LIBRARY_PATH and friends of the
	// function cannot steer it while it holds privileges.
	Env []string `json:"env"`
	// Dir is the working directory, as the runtime sees it.
	Dir string `json:"dir"`
	// View is the filesystem to build.
	View *viewSpec `json:"view"`
	// Cgroups are cgroup.procs files to join.
	Cgroups []string `json:"cgroups,omitempty"`
	// NoFile, NProc and FSize are rlimits; zero leaves one as it is.
	NoFile uint64 `json:"nofile,omitempty"`
	NProc  uint64 `json:"nproc,omitempty"`
	FSize  uint64 `json:"fsize,omitempty"`
	// Standby starts a standby process (standby.go): the helper builds
	// the base view only, starts the runtime with standbyFD as its fd 3,
	// and finishes the view when cloudlet sends a helperCommand on the
	// status socket at handoff. It keeps its privileges for that; the
	// runtime starts without any all the same.
	Standby bool `json:"standby,omitempty"`
}

// helperCommand is what cloudlet sends a standby's helper at handoff: the
// function's view, of which the helper builds what buildBaseView left.
type helperCommand struct {
	View *viewSpec `json:"view"`
}

// helperStatus is what a failed helper writes on the status pipe. Op
// "fork/exec" and "chdir" are the function's fault (a missing or
// non-executable bootstrap, a missing code directory) and read as Go's
// *os.PathError, which is also what AWS's own Go platform shows (§5.2);
// any other Op is a setup failure of the platform.
//
// Op "started" says the init has started the runtime; "exit" carries the
// runtime's wait status and peak resident set (KiB).
type helperStatus struct {
	Op     string `json:"op"`
	Path   string `json:"path,omitempty"`
	Errno  int    `json:"errno,omitempty"`
	Msg    string `json:"msg,omitempty"`
	Status uint32 `json:"status,omitempty"`
	MaxRSS int64  `json:"maxrss,omitempty"`
}

func (s *helperStatus) err() error {
	if s.Op == "fork/exec" || s.Op == "chdir" {
		return &os.PathError{Op: s.Op, Path: s.Path, Err: syscall.Errno(s.Errno)}
	}
	return fmt.Errorf("sandbox setup: %s: %s", s.Op, s.Msg)
}

// helperMain runs in the helper process and returns its exit code: once
// the runtime has exited and that is reported, or on failure.
func helperMain(arg string) int {
	// Capabilities, the bounding set and no_new_privs belong to a thread:
	// everything from the drop to the exec must happen on this one.
	runtime.LockOSThread()
	status := os.NewFile(statusFD, "status")
	var mu sync.Mutex // a standby's handoff reports from another goroutine
	report := func(st helperStatus) {
		b, _ := json.Marshal(st)
		mu.Lock()
		_, _ = status.Write(append(b, '\n'))
		mu.Unlock()
	}
	fail := func(st helperStatus) int {
		report(st)
		return 127
	}
	var spec helperSpec
	if err := json.Unmarshal([]byte(arg), &spec); err != nil {
		return fail(helperStatus{Op: "decode spec", Msg: err.Error()})
	}
	syscall.CloseOnExec(statusFD)
	for _, f := range spec.Cgroups {
		if err := writeFile(f, "0"); err != nil {
			return fail(helperStatus{Op: "join cgroup", Msg: err.Error()})
		}
	}
	if spec.View == nil {
		return fail(helperStatus{Op: "decode spec", Msg: "no view"})
	}
	build := buildView
	if spec.Standby {
		build = buildBaseView
	}
	if err := build(spec.View); err != nil {
		return fail(helperStatus{Op: "build view", Msg: err.Error()})
	}
	for _, l := range spec.rlimits() {
		if err := syscall.Setrlimit(l.res, &syscall.Rlimit{Cur: l.max, Max: l.max}); err != nil {
			return fail(helperStatus{Op: "setrlimit", Msg: err.Error()})
		}
	}
	// Past RLIMIT_FSIZE a write fails with EFBIG instead of killing the
	// runtime with SIGXFSZ; an ignored signal stays ignored across exec.
	// (AWS's full /tmp gives ENOSPC; the nearest a per-file limit gets.)
	signal.Ignore(syscall.SIGXFSZ)
	path := spec.Path
	if path == "" && len(spec.Argv) > 0 {
		path = spec.Argv[0]
	}
	var pid int
	if spec.Standby {
		if err := syscall.Chdir(spec.Dir); err != nil {
			return fail(helperStatus{Op: "chdir", Path: spec.Dir, Errno: errno(err)})
		}
		var st *helperStatus
		pid, st = forkUnprivileged(path, spec.Argv, spec.Env)
		syscall.Close(standbyFD)
		if st != nil {
			return fail(*st)
		}
	} else {
		if err := dropPrivileges(); err != nil {
			return fail(helperStatus{Op: "drop privileges", Msg: err.Error()})
		}
		if err := syscall.Chdir(spec.Dir); err != nil {
			return fail(helperStatus{Op: "chdir", Path: spec.Dir, Errno: errno(err)})
		}
		var err error
		pid, err = syscall.ForkExec(path, spec.Argv, &syscall.ProcAttr{Env: spec.Env, Files: []uintptr{0, 1, 2}})
		if err != nil {
			return fail(helperStatus{Op: "fork/exec", Path: path, Errno: errno(err)})
		}
	}
	report(helperStatus{Op: "started"})
	if spec.Standby {
		go finishOnHandoff(status, report)
	}
	for {
		var ws syscall.WaitStatus
		var ru syscall.Rusage
		wpid, err := syscall.Wait4(-1, &ws, 0, &ru)
		switch {
		case err == syscall.EINTR:
		case err != nil:
			return fail(helperStatus{Op: "wait", Msg: err.Error()})
		case wpid == pid:
			report(helperStatus{Op: "exit", Status: uint32(ws), MaxRSS: ru.Maxrss})
			return 0
		}
	}
}

// forkUnprivileged starts a standby's runtime from a thread of its own
// that drops every privilege first (they belong to a thread), so that the
// runtime starts without any while the helper's other threads keep theirs
// to finish the view at handoff. The thread is never used again: Go ends
// a thread whose goroutine exits while locked to it. The runtime gets the
// control socket as its fd 3.
func forkUnprivileged(path string, argv, env []string) (int, *helperStatus) {
	type forked struct {
		pid int
		st  *helperStatus
	}
	ch := make(chan forked, 1)
	go func() {
		runtime.LockOSThread() // for good
		if err := dropPrivileges(); err != nil {
			ch <- forked{st: &helperStatus{Op: "drop privileges", Msg: err.Error()}}
			return
		}
		pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2, standbyFD}})
		if err != nil {
			ch <- forked{st: &helperStatus{Op: "fork/exec", Path: path, Errno: errno(err)}}
			return
		}
		ch <- forked{pid: pid}
	}()
	f := <-ch
	return f.pid, f.st
}

// finishOnHandoff waits for the one helperCommand of a standby's handoff,
// finishes the view and reports "viewed", or what failed. Cloudlet closing
// the socket instead means the standby is dropped: the helper goes with
// its runtime.
func finishOnHandoff(status *os.File, report func(helperStatus)) {
	line, err := bufio.NewReader(status).ReadBytes('\n')
	if err != nil {
		return
	}
	var cmd helperCommand
	if err := json.Unmarshal(line, &cmd); err != nil || cmd.View == nil {
		report(helperStatus{Op: "decode view", Msg: fmt.Sprintf("%q: %v", line, err)})
		return
	}
	if err := finishView(cmd.View); err != nil {
		report(helperStatus{Op: "build view", Msg: err.Error()})
		return
	}
	report(helperStatus{Op: "viewed"})
}

type rlimit struct {
	res int
	max uint64
}

// rlimits are the limits to set, soft and hard alike.
func (s *helperSpec) rlimits() []rlimit {
	out := []rlimit{{syscall.RLIMIT_CORE, 0}} // a crashing runtime must not fill the disk with cores
	for _, l := range []rlimit{{syscall.RLIMIT_NOFILE, s.NoFile}, {rlimitNProc, s.NProc}, {syscall.RLIMIT_FSIZE, s.FSize}} {
		if l.max != 0 {
			out = append(out, l)
		}
	}
	return out
}

func errno(err error) int {
	if e, ok := err.(syscall.Errno); ok {
		return int(e)
	}
	return int(syscall.EINVAL)
}

// RLIMIT_NPROC is not in package syscall.
const rlimitNProc = 6
