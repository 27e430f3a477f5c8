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

	// ctl is cloudlet's end of a standby helper's status socket, on which
	// it sends the helperCommand of the handoff; the helper's statuses
	// other than "exit" arrive on replies. Both nil otherwise.
	ctl     *os.File
	replies chan helperStatus
}

// setupTimeout bounds the helper's work before it execs the runtime.
const setupTimeout = 10 * time.Second

// startDirect starts the runtime itself (fallback mode) in a new process
// group that dies with cloudlet (Pdeathsig), then sets its rlimits: a
// helper would cost a Go process start (some 4 ms) on every cold start.
// exec.Cmd.Start returns once the runtime is exec'd, well before it runs
// any function code. stdout and stderr both go to out, one pipe, so that
// their lines keep their order; extra are its fds 3 and up.
func startDirect(spec helperSpec, out *os.File, extra ...*os.File) (*process, error) {
	path := spec.Path
	if path == "" {
		path = spec.Argv[0]
	}
	cmd := &exec.Cmd{
		Path:       path,
		Args:       spec.Argv,
		Env:        spec.Env,
		Dir:        spec.Dir,
		Stdout:     out,
		Stderr:     out,
		ExtraFiles: extra,
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
		if err := prlimit(p.pid, l); err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, err
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

// prlimit sets a limit of another process, soft and hard alike; one that
// has exited meanwhile is no error.
func prlimit(pid int, l rlimit) error {
	lim := syscall.Rlimit{Cur: l.max, Max: l.max}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(l.res), uintptr(unsafe.Pointer(&lim)), 0, 0, 0); e != 0 && e != syscall.ESRCH {
		return fmt.Errorf("set rlimit %d of the runtime: %w", l.res, e)
	}
	return nil
}

// startHelper starts the helper (see helper.go) as the init of new
// namespaces (cloneflags), in a new process group that dies with cloudlet
// (Pdeathsig), and waits until it has started the runtime or failed.
// stdout and stderr both go to out; extra are its fds 4 and up. A
// standby's helper gets a socket instead of a pipe for its statuses, to
// receive the handoff's command on.
func startHelper(spec helperSpec, cloneflags uintptr, out *os.File, extra ...*os.File) (*process, error) {
	arg, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encode sandbox spec: %w", err)
	}
	var sr, sw *os.File
	if spec.Standby {
		sr, sw, err = socketPair("status")
	} else {
		sr, sw, err = os.Pipe()
	}
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
		ExtraFiles: append([]*os.File{sw}, extra...), // fd 3: statusFD
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
	if spec.Standby {
		p.ctl, p.replies = sr, make(chan helperStatus, 1)
	}
	status := bufio.NewReader(sr)
	_ = sr.SetReadDeadline(time.Now().Add(setupTimeout))
	first, err := readStatus(status)
	_ = sr.SetReadDeadline(time.Time{})
	isInit := err == nil && first.Op == "started"
	if isInit {
		p.runtimePID = initChild(p.pid, spec.Standby)
		if p.runtimePID != 0 {
			p.openPidfd()
		}
	}
	go func() {
		defer sr.Close()
		if isInit {
			// The runtime's end is the init's report, not the init's own
			// end, which waits for the namespace to come down (and, in a
			// race-detector build, a second more). A standby's helper may
			// answer a handoff first.
			for {
				st, err := readStatus(status)
				if err != nil {
					break
				}
				if st.Op == "exit" {
					p.status, p.maxRSSKB = syscall.WaitStatus(st.Status), st.MaxRSS
					close(p.exited)
					_ = cmd.Wait()
					return
				}
				if p.replies != nil {
					select {
					case p.replies <- st:
					default:
					}
				}
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

// initChild finds the one child of an environment's init, the runtime, by
// its pid as cloudlet sees it; 0 if it cannot. A standby's runtime is the
// child of a thread of its own, or, once that thread is gone, of another
// (helper.go): every thread is looked at, a few times.
func initChild(pid int, standby bool) int {
	tasks := []string{strconv.Itoa(pid)}
	tries := 1
	if standby {
		tries = 100
	}
	for i := range tries {
		if i > 0 {
			time.Sleep(time.Millisecond)
		}
		if standby {
			d, err := os.Open("/proc/" + strconv.Itoa(pid) + "/task")
			if err != nil {
				return 0
			}
			tasks, _ = d.Readdirnames(-1)
			d.Close()
		}
		for _, tid := range tasks {
			if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + tid + "/children"); err == nil {
				if f := strings.Fields(string(b)); len(f) > 0 {
					n, _ := strconv.Atoi(f[0])
					return n
				}
			}
		}
	}
	return 0
}

// socketPair returns the two ends of a connected Unix stream socket: ours
// non-blocking, so that its reads take deadlines, and theirs blocking, as
// a child process expects.
func socketPair(name string) (ours, theirs *os.File, err error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("create %s socket: %w", name, err)
	}
	if err := syscall.SetNonblock(fds[0], true); err != nil {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return nil, nil, fmt.Errorf("create %s socket: %w", name, err)
	}
	return os.NewFile(uintptr(fds[0]), name), os.NewFile(uintptr(fds[1]), name), nil
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
	if p.ctl != nil {
		p.ctl.Close()
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
