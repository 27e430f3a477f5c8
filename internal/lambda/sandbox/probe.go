package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// probeTimeout bounds the probe environment's life.
const probeTimeout = 10 * time.Second

// probe finds out whether environments can be isolated here: memory and
// pids cgroups, then a whole probe environment (namespaces, the view, the
// cgroups joined, privileges dropped) that checks from inside what it sees.
func probe(ctx context.Context, cgroupRoot string) *Isolation {
	start := time.Now()
	fallback := func(cgroup, reason string) *Isolation {
		iso := fallbackIsolation(reason)
		iso.report.Cgroup, iso.report.Took = cgroup, time.Since(start)
		return iso
	}
	if os.Geteuid() != 0 {
		return fallback("", "not running as root: memory cgroups and mount namespaces need it")
	}
	cg, err := detectCgroups(cgroupRoot)
	if err != nil {
		return fallback("", err.Error())
	}
	if err := probeEnvironment(ctx, cg); err != nil {
		return fallback(cg.version(), err.Error())
	}
	return &Isolation{
		report: ProbeReport{Mode: ModeIsolated, Cgroup: cg.version(), Namespaces: true, Took: time.Since(start)},
		cg:     cg,
	}
}

// probeEnvironment starts checkArg0 in an isolated environment built from
// throw-away directories and returns what it found wrong.
func probeEnvironment(ctx context.Context, cg *cgroupDriver) error {
	dir, err := os.MkdirTemp("", "cloudlet-probe-")
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"task/probe": "probe", "runtime/rt": "", "tmp/.keep": "",
		"layer1/a": "", "layer1/shared": "1", "layer2/b": "", "layer2/shared": "2",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return fmt.Errorf("probe: %w", err)
		}
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "probe-" + hex.EncodeToString(b[:])

	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	defer r.Close()
	iso := &Isolation{cg: cg}
	proc, err := iso.start(launchSpec{
		path: "/proc/self/exe", argv: []string{checkArg0, name}, dir: guestTask,
		view: &viewSpec{
			Task: filepath.Join(dir, "task"), Runtime: filepath.Join(dir, "runtime"), Tmp: filepath.Join(dir, "tmp"),
			Layers: []string{filepath.Join(dir, "layer1"), filepath.Join(dir, "layer2")},
		},
		name: name, memBytes: 256 << 20,
	}, w)
	w.Close()
	if err != nil {
		return fmt.Errorf("probe environment: %w", err)
	}
	out := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, 64<<10))
		out <- b
	}()
	t := time.NewTimer(probeTimeout)
	defer t.Stop()
	select {
	case <-proc.exited:
	case <-t.C:
	case <-ctx.Done():
	}
	proc.kill()
	proc.release()
	r.SetReadDeadline(time.Now().Add(time.Second))
	msg := strings.TrimSpace(string(<-out))
	select {
	case <-proc.exited:
	default:
		return errors.New("probe environment did not finish")
	}
	if ws := proc.status; !ws.Exited() || ws.ExitStatus() != 0 {
		return fmt.Errorf("probe environment: %s: %s", proc.exitReason(), msg)
	}
	return nil
}

// checkMain runs inside the probe environment, as its runtime would, and
// reports on stderr every way its view differs from what it should be.
func checkMain(args []string) int {
	var problems []string
	check := func(ok bool, format string, a ...any) {
		if !ok {
			problems = append(problems, fmt.Sprintf(format, a...))
		}
	}
	init, err := os.ReadFile("/proc/1/cmdline")
	check(os.Getppid() == 1 && bytes.HasPrefix(init, []byte(helperArg0+"\x00")),
		"parent %d, /proc/1/cmdline %.40q, %v; want the helper as init of a new PID namespace", os.Getppid(), init, err)
	wd, err := os.Getwd()
	check(wd == guestTask, "cwd %q (%v), want %s", wd, err, guestTask)
	b, err := os.ReadFile(guestTask + "/probe")
	check(err == nil && string(b) == "probe", "read %s/probe: %q, %v", guestTask, b, err)
	err = os.WriteFile(guestTask+"/new", nil, 0o644)
	check(errors.Is(err, syscall.EROFS), "write to %s: %v, want EROFS", guestTask, err)
	_, err = os.Stat(guestRuntime + "/rt")
	check(err == nil, "stat %s/rt: %v", guestRuntime, err)
	err = os.WriteFile(guestTmp+"/new", []byte("x"), 0o644)
	check(err == nil, "write to %s: %v", guestTmp, err)
	b, err = os.ReadFile(guestOpt + "/shared")
	check(string(b) == "2", "read %s/shared: %q, %v; want the later layer's", guestOpt, b, err)
	for _, f := range []string{"/a", "/b"} {
		_, err = os.Stat(guestOpt + f)
		check(err == nil, "stat %s%s: %v", guestOpt, f, err)
	}
	err = os.WriteFile("/etc/cloudlet-probe", nil, 0o644)
	check(errors.Is(err, syscall.EROFS), "write to /etc: %v, want EROFS", err)
	f, err := os.OpenFile("/dev/null", os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString("x")
		f.Close()
	}
	check(err == nil, "write to /dev/null: %v", err)
	var lim syscall.Rlimit
	err = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	check(err == nil && lim.Cur == fileLimit && lim.Max == fileLimit, "RLIMIT_NOFILE %+v, %v; want %d", lim, err, fileLimit)
	err = syscall.Mount("tmpfs", guestTmp, "tmpfs", 0, "")
	check(errors.Is(err, syscall.EPERM), "mount as the runtime: %v, want EPERM", err)
	b, err = os.ReadFile("/proc/self/cgroup")
	check(len(args) > 0 && strings.Contains(string(b), "/"+cgroupBase+"/"+args[0]+"\n"), "/proc/self/cgroup = %q, %v; want %s", b, err, args)
	if len(problems) > 0 {
		fmt.Fprintln(os.Stderr, strings.Join(problems, "; "))
		return 1
	}
	return 0
}
