package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// process is one runtime process and its process group. Its methods are
// safe for concurrent use: signals go by pgid, and exit is observed through
// a channel closed by the one goroutine that waits for the process.
type process struct {
	cmd *exec.Cmd
	pid int // the runtime's in fallback mode, its init's in isolated mode
	// runtimePID is the runtime's pid as cloudlet sees it; 0 if unknown
	// (isolated mode on a kernel without /proc/<pid>/task/<tid>/children).
	runtimePID int
	// pidfd refers to the runtime, to see its exit before it is reported;
	// -1 if none.
	pidfd  atomic.Int64
	exited chan struct{}
	// status and maxRSSKB are the runtime's wait status and peak resident
	// set; they are set before exited is closed: read them only after.
	status   syscall.WaitStatus
	maxRSSKB int64

	cg     *cgroup  // isolated mode
	watch  *watched // fallback mode
	marker string   // fallback mode: see launchSpec.marker
}

// setupTimeout bounds the helper's work before it execs the runtime.
const setupTimeout = 10 * time.Second

// startDirect starts the runtime itself (fallback mode) in a new process
// group that dies with cloudlet (Pdeathsig), then sets its rlimits: a
// helper would cost a Go process start (some 4 ms) on every cold start.
// exec.Cmd.Start returns once the runtime is exec'd, well before it runs
// any function code. stdout and stderr both go to out, one pipe, so that
// their lines keep their order.
func startDirect(spec helperSpec, out *os.File) (*process, error) {
	path := spec.Path
	if path == "" {
		path = spec.Argv[0]
	}
	cmd := &exec.Cmd{
		Path:   path,
		Args:   spec.Argv,
		Env:    spec.Env,
		Dir:    spec.Dir,
		Stdout: out,
		Stderr: out,
		SysProcAttr: &syscall.SysProcAttr{
			Setpgid:   true,
			Pdeathsig: syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		// fork/exec and chdir failures: the function's fault (§5.2).
		return nil, &launchError{reason: err.Error()}
	}
	p := &process{cmd: cmd, pid: cmd.Process.Pid, runtimePID: cmd.Process.Pid, exited: make(chan struct{})}
	p.openPidfd()
	for _, l := range spec.rlimits() {
		lim := syscall.Rlimit{Cur: l.max, Max: l.max}
		if _, _, e := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(p.pid), uintptr(l.res), uintptr(unsafe.Pointer(&lim)), 0, 0, 0); e != 0 && e != syscall.ESRCH {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, fmt.Errorf("set rlimit %d of the runtime: %w", l.res, e)
		}
	}
	go func() {
		// With *os.File outputs exec copies nothing, so Wait returns as soon
		// as the process is gone, even if its children still hold the pipe.
		_ = cmd.Wait()
		p.status = cmd.ProcessState.Sys().(syscall.WaitStatus)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.maxRSSKB = ru.Maxrss
		}
		close(p.exited)
	}()
	return p, nil
}

// startHelper starts the helper (see helper.go) as the init of new
// namespaces (cloneflags), in a new process group that dies with cloudlet
// (Pdeathsig), and waits until it has started the runtime or failed.
// stdout and stderr both go to out.
func startHelper(spec helperSpec, cloneflags uintptr, out *os.File) (*process, error) {
	arg, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encode sandbox spec: %w", err)
	}
	sr, sw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create status pipe: %w", err)
	}
	cmd := &exec.Cmd{
		// The binary itself, even if it was replaced on disk meanwhile.
		Path:       "/proc/self/exe",
		Args:       []string{helperArg0, string(arg)},
		Env:        []string{},
		Stdout:     out,
		Stderr:     out,
		ExtraFiles: []*os.File{sw}, // fd 3: statusFD
		SysProcAttr: &syscall.SysProcAttr{
			Setpgid:    true,
			Pdeathsig:  syscall.SIGKILL,
			Cloneflags: cloneflags,
		},
	}
	err = cmd.Start()
	sw.Close()
	if err != nil {
		sr.Close()
		return nil, fmt.Errorf("start sandbox helper: %w", err)
	}
	p := &process{cmd: cmd, pid: cmd.Process.Pid, runtimePID: cmd.Process.Pid, exited: make(chan struct{})}
	p.pidfd.Store(-1)
	status := bufio.NewReader(sr)
	_ = sr.SetReadDeadline(time.Now().Add(setupTimeout))
	first, err := readStatus(status)
	_ = sr.SetReadDeadline(time.Time{})
	isInit := err == nil && first.Op == "started"
	if isInit {
		// The init's only child yet is the runtime.
		p.runtimePID = 0
		tid := strconv.Itoa(p.pid)
		if b, err := os.ReadFile("/proc/" + tid + "/task/" + tid + "/children"); err == nil {
			if f := strings.Fields(string(b)); len(f) > 0 {
				p.runtimePID, _ = strconv.Atoi(f[0])
			}
		}
		if p.runtimePID != 0 {
			p.openPidfd()
		}
	}
	go func() {
		defer sr.Close()
		if isInit {
			// The runtime's end is the init's report, not the init's own
			// end, which waits for the namespace to come down (and, in a
			// race-detector build, a second more).
			if st, err := readStatus(status); err == nil && st.Op == "exit" {
				p.status, p.maxRSSKB = syscall.WaitStatus(st.Status), st.MaxRSS
				close(p.exited)
				_ = cmd.Wait()
				return
			}
			// No report: the init was killed, and the runtime with it.
		}
		// With *os.File outputs exec copies nothing, so Wait returns as soon
		// as the process is gone, even if its children still hold the pipe.
		_ = cmd.Wait()
		p.status = cmd.ProcessState.Sys().(syscall.WaitStatus)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.maxRSSKB = ru.Maxrss
		}
		close(p.exited)
	}()
	switch {
	case errors.Is(err, io.EOF):
		// An init reports "started"; this one died before it could.
		<-p.exited
		return nil, fmt.Errorf("sandbox setup: helper exited: %s", p.exitReason())
	case isInit:
		return p, nil
	case err != nil:
		p.kill()
		return nil, fmt.Errorf("sandbox setup: %w", err)
	}
	<-p.exited
	if first.Op == "fork/exec" || first.Op == "chdir" {
		return nil, &launchError{reason: first.err().Error()}
	}
	return nil, first.err()
}

// readStatus reads one helperStatus line.
func readStatus(r *bufio.Reader) (helperStatus, error) {
	var st helperStatus
	line, err := r.ReadBytes('\n')
	if len(line) == 0 && err != nil {
		return st, err
	}
	if err := json.Unmarshal(line, &st); err != nil {
		return st, fmt.Errorf("status %q: %w", line, err)
	}
	return st, nil
}

// signal sends sig to the whole process group; children the runtime forked
// share it, so they go too.
func (p *process) signal(sig syscall.Signal) {
	if err := syscall.Kill(-p.pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		// The group leader may have left its group (setpgid); reach it directly.
		_ = syscall.Kill(p.pid, sig)
	}
}

// kill SIGKILLs the group and waits (boundedly) for the leader to exit.
func (p *process) kill() {
	p.signal(syscall.SIGKILL)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
	}
	// Children whose parent exited first are still in the group: sweep again.
	p.signal(syscall.SIGKILL)
}

// terminate sends SIGTERM, waits up to grace, then kills.
func (p *process) terminate(grace time.Duration) {
	p.signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
	}
	p.kill()
}

// setArmed tells fallback mode's watchdog whether the process is working
// (initialising or invoked) and so worth watching.
func (p *process) setArmed(on bool) {
	if p.watch != nil {
		p.watch.armed.Store(on)
	}
}

// openPidfd opens a pidfd on the runtime. The pid is fresh (just started,
// not yet waited for), so it cannot name another process.
func (p *process) openPidfd() {
	fd, _, e := syscall.RawSyscall(sysPidfdOpen, uintptr(p.runtimePID), 0, 0)
	if e != 0 {
		p.pidfd.Store(-1)
		return
	}
	p.pidfd.Store(int64(fd))
}

// runtimeExited reports whether the runtime has exited, even if cloudlet
// has not been told yet: its exit reaches the process's exited channel
// through a goroutine (and, isolated, through its init), a short while
// during which an invocation could otherwise be handed to a dead runtime.
func (p *process) runtimeExited() bool {
	fd := p.pidfd.Load()
	if fd < 0 {
		return false
	}
	pfd := struct {
		fd             int32
		events, revent int16
	}{fd: int32(fd), events: pollIn}
	var ts syscall.Timespec // zero: do not wait
	n, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
	return e == 0 && n == 1 && pfd.revent&pollIn != 0
}

// Constants package syscall lacks.
const (
	sysPidfdOpen = 434 // same number on every architecture
	pollIn       = 0x1
)

// release frees what the process held once it is dead: its cgroup, its
// place under watch; in fallback mode it also kills stragglers.
func (p *process) release() error {
	if fd := p.pidfd.Swap(-1); fd >= 0 {
		syscall.Close(int(fd))
	}
	if p.watch != nil {
		p.watch.remove()
	}
	if p.marker != "" {
		sweep(p.marker)
	}
	if p.cg != nil {
		return p.cg.remove()
	}
	return nil
}

// oomKilled reports whether the process group was killed for using more
// memory than MemorySize.
func (p *process) oomKilled() bool {
	switch {
	case p.cg != nil:
		return p.cg.oomKilled()
	case p.watch != nil:
		return p.watch.oom.Load()
	}
	return false
}

// peakMemoryKB is the most memory the environment has used, in KiB: the
// larger of its cgroup's peak (every process it started, with the page
// cache charged to it) and the runtime's own peak resident set. The latter
// counts the interpreter's shared file pages, which a host's page cache
// holds already (so the cgroup is not charged) but AWS's fresh microVM
// loads for the function: without it a Python hello world would report 7
// MB where AWS reports some 37.
func (p *process) peakMemoryKB() int64 {
	kb := p.peakRSSKB()
	if p.cg != nil {
		kb = max(kb, p.cg.peakKB())
	}
	return kb
}

// exitReason is the text AWS puts after "Error: " when a runtime exits
// (shared/specs/lambda.md §7.3); AWS's platform is Go, so it reads as Go's
// os.ProcessState does.
func (p *process) exitReason() string {
	ws := p.status
	var res string
	switch {
	case ws.Exited() && ws.ExitStatus() == 0:
		return "Runtime exited without providing a reason"
	case ws.Exited():
		res = "exit status " + strconv.Itoa(ws.ExitStatus())
	case ws.Signaled():
		res = "signal: " + ws.Signal().String()
	default:
		res = "status " + strconv.FormatUint(uint64(ws), 10)
	}
	if ws.CoreDump() {
		res += " (core dumped)"
	}
	return "Runtime exited with error: " + res
}

// peakRSSKB is the runtime's peak resident set in KiB: VmHWM while it runs,
// the kernel's ru_maxrss once it has exited. Zero when unknown.
func (p *process) peakRSSKB() int64 {
	select {
	case <-p.exited:
		return p.maxRSSKB
	default:
	}
	if p.runtimePID == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.runtimePID) + "/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:"))
		if !ok {
			continue
		}
		var kb int64
		if _, err := fmt.Sscanf(string(bytes.TrimSpace(rest)), "%d kB", &kb); err == nil {
			return kb
		}
	}
	return 0
}

// Signals Shutdown sends, named here so the pool need not import syscall.
const (
	sigTERM = syscall.SIGTERM
	sigKILL = syscall.SIGKILL
)
