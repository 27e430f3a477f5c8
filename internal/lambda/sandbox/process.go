package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
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
}

// startProcess starts argv in a new process group that dies with cloudlet
// (Pdeathsig), with exactly env and working directory dir. Its stdout and
// stderr both go to out, one pipe, so that their lines keep their order.
func startProcess(argv, env []string, dir string, out *os.File) (*process, error) {
	cmd := &exec.Cmd{
		Path:   argv[0],
		Args:   argv,
		Env:    env,
		Dir:    dir,
		Stdout: out,
		Stderr: out,
		SysProcAttr: &syscall.SysProcAttr{
			Setpgid:   true,
			Pdeathsig: syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, pid: cmd.Process.Pid, exited: make(chan struct{})}
	go func() {
		// With *os.File outputs exec copies nothing, so Wait returns as soon
		// as the process is gone, even if its children still hold the pipe.
		_ = cmd.Wait()
		p.state = cmd.ProcessState
		close(p.exited)
	}()
	return p, nil
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
