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
	"syscall"
	"time"
)

// process is one runtime process and its process group. Its methods are
// safe for concurrent use: signals go by pgid, and exit is observed through
// a channel closed by the one goroutine that waits for the process.
type process struct {
	cmd    *exec.Cmd
	pid    int
	exited chan struct{}
	// state is set before exited is closed; read it only after.
	state *os.ProcessState

	// nsInit: the process is its PID namespace's init (isolated mode).
	nsInit bool
	cg     *cgroup  // isolated mode
	watch  *watched // fallback mode
	marker string   // fallback mode: see launchSpec.marker
}

// setupTimeout bounds the helper's work before it execs the runtime.
const setupTimeout = 10 * time.Second

// startProcess starts the helper (see helper.go) in a new process group
// that dies with cloudlet (Pdeathsig), in new namespaces as cloneflags
// says, and waits until it has exec'd the runtime or failed. stdout and
// stderr both go to out, one pipe, so that their lines keep their order.
func startProcess(spec helperSpec, cloneflags uintptr, out *os.File) (*process, error) {
	arg, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encode sandbox spec: %w", err)
	}
	sr, sw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create status pipe: %w", err)
	}
	defer sr.Close()
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
		return nil, fmt.Errorf("start sandbox helper: %w", err)
	}
	p := &process{cmd: cmd, pid: cmd.Process.Pid, exited: make(chan struct{})}
	go func() {
		// With *os.File outputs exec copies nothing, so Wait returns as soon
		// as the process is gone, even if its children still hold the pipe.
		_ = cmd.Wait()
		p.state = cmd.ProcessState
		close(p.exited)
	}()
	_ = sr.SetReadDeadline(time.Now().Add(setupTimeout))
	b, err := io.ReadAll(io.LimitReader(sr, 64<<10))
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("sandbox setup: %w", err)
	}
	if len(b) == 0 {
		return p, nil // the status pipe closed on exec
	}
	<-p.exited
	var st helperStatus
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("sandbox setup: %s", b)
	}
	if st.Op == "fork/exec" || st.Op == "chdir" {
		return nil, &launchError{reason: st.err().Error()}
	}
	return nil, st.err()
}

// signal sends sig to the whole process group; children the runtime forked
// share it, so they go too.
func (p *process) signal(sig syscall.Signal) {
	if sig == syscall.SIGTERM && p.nsInit && !p.catches(sig) {
		// A namespace's init is spared every signal it has no handler for,
		// so SIGTERM would do nothing; the default action it stands for is
		// to die. (AWS itself sends the runtime only SIGKILL, §2.1.)
		sig = syscall.SIGKILL
	}
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

// catches reports whether the process has a handler for sig.
func (p *process) catches(sig syscall.Signal) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/status")
	if err != nil {
		return false
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte("SigCgt:")); ok {
			mask, err := strconv.ParseUint(string(bytes.TrimSpace(rest)), 16, 64)
			return err == nil && mask&(1<<(uint(sig)-1)) != 0
		}
	}
	return false
}

// setArmed tells fallback mode's watchdog whether the process is working
// (initialising or invoked) and so worth watching.
func (p *process) setArmed(on bool) {
	if p.watch != nil {
		p.watch.armed.Store(on)
	}
}

// release frees what the process held once it is dead: its cgroup, its
// place under watch; in fallback mode it also kills stragglers.
func (p *process) release() error {
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

// peakMemoryKB is the most memory the environment has used, in KiB: its
// cgroup's peak (every process, page cache included) where there is one,
// else the runtime's own peak resident set.
func (p *process) peakMemoryKB() int64 {
	if p.cg != nil {
		if kb := p.cg.peakKB(); kb >= 0 {
			return kb
		}
	}
	return p.peakRSSKB()
}

// exitReason is the text AWS puts after "Error: " when a runtime exits
// (shared/specs/lambda.md §7.3).
func (p *process) exitReason() string {
	if p.state == nil || p.state.Success() {
		return "Runtime exited without providing a reason"
	}
	return "Runtime exited with error: " + p.state.String()
}

// peakRSSKB is the process's peak resident set in KiB: VmHWM while it runs,
// the kernel's ru_maxrss once it has exited. Zero when unknown.
func (p *process) peakRSSKB() int64 {
	select {
	case <-p.exited:
		if p.state != nil {
			if ru, ok := p.state.SysUsage().(*syscall.Rusage); ok {
				return ru.Maxrss
			}
		}
		return 0
	default:
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/status")
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
