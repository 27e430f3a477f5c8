package sandbox

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Settings of IsolationConfig.Setting, the values of cloudlet's
// --sandbox flag.
const (
	// SandboxAuto isolates environments where the OS permits it and falls
	// back otherwise.
	SandboxAuto = "auto"
	// SandboxOff never isolates: no probe, fallback mode.
	SandboxOff = "off"
)

// Mode is how environments are confined.
type Mode string

const (
	// ModeIsolated: each runtime process runs in its own mount and PID
	// namespaces, sees AWS's layout (/var/task, /opt, /tmp), and runs in a
	// memory cgroup of MemorySize and a pids cgroup of 1,024 tasks, root
	// without capabilities.
	ModeIsolated Mode = "isolated"
	// ModeFallback: each runtime process sees the host's filesystem, with
	// a per-environment TMPDIR, rlimits, and a watchdog that kills a
	// process group past MemorySize or 1,024 tasks.
	ModeFallback Mode = "fallback"
)

// IsolationConfig configures NewIsolation.
type IsolationConfig struct {
	// Setting is SandboxAuto or SandboxOff; empty means SandboxAuto.
	Setting string
	// Logger receives the one line saying which mode is active; nil means
	// slog.Default().
	Logger *slog.Logger
	// CgroupRoot is where the cgroup hierarchies are mounted; empty means
	// /sys/fs/cgroup.
	CgroupRoot string
	// DisableStandby turns standby processes off: runtime processes
	// started ahead of need, one per runtime in use, that a cold start
	// takes over instead of starting its runtime afresh (see the package
	// doc). Benchmarks compare cold starts with and without them.
	DisableStandby bool
}

// ProbeReport says what NewIsolation found.
type ProbeReport struct {
	Mode Mode
	// Cgroup is "v1" or "v2" when memory and pids cgroups could be
	// created; empty otherwise or when not probed.
	Cgroup string
	// Namespaces reports whether a probe environment could be built in new
	// mount and PID namespaces and saw what it should.
	Namespaces bool
	// Reason says why the mode is fallback; empty when isolated.
	Reason string
	// Took is how long the probe ran.
	Took time.Duration
}

func (r ProbeReport) String() string {
	if r.Mode == ModeIsolated {
		return fmt.Sprintf("isolated (mount and PID namespaces, cgroup %s memory and pids)", r.Cgroup)
	}
	return "fallback (" + r.Reason + ")"
}

// Isolation is the confinement every pool of a cloudlet process uses:
// probed once, shared. It is safe for concurrent use.
type Isolation struct {
	report   ProbeReport
	cg       *cgroupDriver // nil in fallback mode
	watch    *watchdog     // fallback mode only
	standbys *standbySet   // nil when turned off
}

// NewIsolation decides how environments are confined. With SandboxAuto
// it probes, once, whether this process can create memory and pids
// cgroups and build an environment's view in new namespaces (it needs
// root), and picks ModeIsolated if so, ModeFallback otherwise; it logs
// the outcome in one line either way. The error is only for an unknown
// Setting: an OS that does not permit isolation gives fallback mode.
func NewIsolation(ctx context.Context, cfg IsolationConfig) (*Isolation, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	root := cfg.CgroupRoot
	if root == "" {
		root = "/sys/fs/cgroup"
	}
	var iso *Isolation
	switch cfg.Setting {
	case "", SandboxAuto:
		iso = probe(ctx, root)
	case SandboxOff:
		iso = fallbackIsolation("isolation turned off")
	default:
		return nil, fmt.Errorf("sandbox isolation setting %q: want %q or %q", cfg.Setting, SandboxAuto, SandboxOff)
	}
	if !cfg.DisableStandby {
		iso.standbys = newStandbySet(iso)
	}
	if iso.report.Mode == ModeIsolated {
		log.Info("lambda sandbox: environments are isolated", "mode", iso.report.Mode, "cgroup", iso.report.Cgroup, "probe", iso.report.Took.Round(time.Millisecond), "standby", !cfg.DisableStandby)
	} else {
		log.Info("lambda sandbox: environments are not isolated", "mode", iso.report.Mode, "reason", iso.report.Reason, "standby", !cfg.DisableStandby)
	}
	return iso, nil
}

func fallbackIsolation(reason string) *Isolation {
	return &Isolation{
		report: ProbeReport{Mode: ModeFallback, Reason: reason},
		watch:  newWatchdog(watchInterval),
	}
}

// Mode is the confinement in force.
func (i *Isolation) Mode() Mode { return i.report.Mode }

// Report is what the probe found.
func (i *Isolation) Report() ProbeReport { return i.report }

// launchSpec describes one runtime process to start.
type launchSpec struct {
	path     string   // executable; empty means argv[0]
	argv     []string // as the environment sees them
	env      []string
	dir      string
	view     *viewSpec // isolated mode
	name     string    // of its cgroup: the environment's id
	memBytes int64
	fsize    uint64
	// marker ("NAME=value") is in the environment of every process the
	// runtime starts; fallback mode finds stragglers by it.
	marker string
}

// fileLimit is AWS's RLIMIT_NOFILE (shared/specs/lambda.md §2.7).
const fileLimit = 1024

// start starts a runtime process confined as the mode says; out receives
// its stdout and stderr. A *launchError is the function's fault (no such
// bootstrap, not executable); any other error is the platform's.
func (i *Isolation) start(l launchSpec, out *os.File) (*process, error) {
	spec := helperSpec{Path: l.path, Argv: l.argv, Env: l.env, Dir: l.dir, NoFile: fileLimit, FSize: l.fsize}
	if i.cg == nil {
		proc, err := startDirect(spec, out)
		if err != nil {
			return nil, err
		}
		proc.watch = i.watch.add(proc.pid, l.memBytes, maxTasks)
		proc.marker = l.marker
		return proc, nil
	}
	cg, err := i.cg.create(l.name, l.memBytes)
	if err != nil {
		return nil, err
	}
	spec.View, spec.Cgroups, spec.NProc = l.view, cg.procsFiles(), maxTasks
	proc, err := startHelper(spec, syscall.CLONE_NEWNS|syscall.CLONE_NEWPID, out)
	if err != nil {
		_ = cg.remove()
		return nil, err
	}
	proc.cg = cg
	return proc, nil
}

// poolView is what a pool's environments need to see beyond their own
// parts in isolated mode: the interpreter's installation when the view
// would hide it.
type poolView struct {
	keep    []string
	optStub string
	hide    []string
}

// newPoolView finds the installation directory of interp (the runtime's
// executable; empty for provided runtimes) when it lies under a directory
// the view replaces, and prepares mount points for it under scratch. The
// view hides scratch and the hide directories.
func newPoolView(interp, scratch string, hide []string) (*poolView, error) {
	v := &poolView{hide: append([]string{scratch}, hide...)}
	for i, h := range v.hide {
		v.hide[i] = filepath.Clean(h)
	}
	if interp == "" {
		return v, nil
	}
	real, err := filepath.EvalSymlinks(interp)
	if err != nil {
		return nil, err
	}
	for _, path := range []string{interp, real} {
		for _, h := range v.hide[1:] {
			if under(path, h) {
				return nil, fmt.Errorf("interpreter %s is inside %s, which isolated environments must not see", path, h)
			}
		}
		// bin/python3.12 → its prefix; a lone executable → its directory.
		root := filepath.Dir(path)
		if strings.HasSuffix(root, "/bin") {
			root = filepath.Dir(root)
		}
		switch {
		case under(path, "/tmp") || under(path, "/dev"):
			return nil, fmt.Errorf("interpreter %s is under /%s, which isolated environments see as their own; install it elsewhere or turn isolation off", path, strings.SplitN(path, "/", 3)[1])
		case under(path, "/var") && root != "/var":
			if !slices.Contains(v.keep, root) {
				v.keep = append(v.keep, root)
			}
		case under(path, "/opt") && root != "/opt":
			if !slices.Contains(v.keep, root) {
				v.keep = append(v.keep, root)
			}
			if v.optStub == "" {
				v.optStub = filepath.Join(scratch, "opt-mountpoints")
			}
			if err := os.MkdirAll(v.optStub+strings.TrimPrefix(root, "/opt"), 0o755); err != nil {
				return nil, fmt.Errorf("prepare mount point for %s: %w", root, err)
			}
		case under(path, "/var") || under(path, "/opt"):
			return nil, fmt.Errorf("interpreter %s: cannot keep all of %s visible in isolated environments", path, root)
		}
	}
	return v, nil
}
