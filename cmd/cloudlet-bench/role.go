package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// The servers the suite compares cloudlet with run in processes of their
// own, as cloudlet does: this binary started again with
// CLOUDLET_BENCH_ROLE set. A role prints one line (its address and what
// else the parent needs), then serves until its standard input closes.
const (
	roleEnv = "CLOUDLET_BENCH_ROLE"
	argsEnv = "CLOUDLET_BENCH_ARGS"

	roleFloor = "floor" // the pipe harness: argv of the handler process
	roleStub  = "stub"  // the gateway with a stub function
)

// roleFromEnv runs the role this process was started for and reports
// whether there was one. main and TestMain call it first.
func roleFromEnv() (exitCode int, ok bool) {
	role := os.Getenv(roleEnv)
	if role == "" {
		return 0, false
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(argsEnv)), &args); err != nil {
		fmt.Fprintf(os.Stderr, "cloudlet-bench %s: bad %s: %v\n", role, argsEnv, err)
		return 2, true
	}
	ctx, cancel := context.WithCancel(context.Background())
	// The parent holds our standard input open; when it goes, so do we.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	var err error
	switch role {
	case roleFloor:
		err = serveFloor(ctx, args, os.Stdout)
	case roleStub:
		err = serveStub(ctx, os.Stdout)
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cloudlet-bench %s: %v\n", role, err)
		return 1, true
	}
	return 0, true
}

// roleProc is a running role.
type roleProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan error
	// Fields are the words of the role's first line.
	Fields []string
}

// startRole starts this binary in role with args and waits for its first
// line.
func startRole(ctx context.Context, role string, args []string) (*roleProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(args)
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), roleEnv+"="+role, argsEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s role: %w", role, err)
	}
	p := &roleProc{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
		p.done <- cmd.Wait()
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			p.stop()
			return nil, fmt.Errorf("%s role ended before it was ready", role)
		}
		p.Fields = strings.Fields(line)
		return p, nil
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, fmt.Errorf("%s role not ready within 30 s", role)
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

// stop closes the role's standard input and waits for it to exit.
func (p *roleProc) stop() {
	_ = p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}
