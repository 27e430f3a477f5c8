package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// Where an isolated environment sees its parts: AWS's layout
// (shared/specs/lambda.md §2.7, §3.1).
const (
	guestTask    = "/var/task"
	guestRuntime = "/var/runtime"
	guestOpt     = "/opt"
	guestTmp     = "/tmp"
)

// viewSpec is the filesystem an isolated environment sees. Everything of
// the host stays where it is, read-only, so interpreters and their
// standard libraries need nothing copied; over it go
//
//	/var      a small tmpfs with task/ (the code) and runtime/ (the runtime clients), read-only
//	/opt      the layers, merged (overlayfs) when there are several, read-only
//	/tmp      the environment's own scratch directory, writable
//	/dev      null, zero, full, random and urandom only
//	/proc     the environment's own PID namespace
//
// /tmp is a directory on the host's disk, not a tmpfs: it survives the
// reset of a timeout or crash as AWS's /tmp does (§2.5), and its pages are
// not charged to the memory cgroup, so a function that writes 300 MB to
// /tmp with 128 MB of memory works as on AWS instead of dying of OOM.
type viewSpec struct {
	Task    string   `json:"task"`
	Runtime string   `json:"runtime"`
	Tmp     string   `json:"tmp"`
	Layers  []string `json:"layers,omitempty"` // in order; later ones win
	// Keep are host directories under /var or /opt (an interpreter's
	// installation) that stay reachable at their own path.
	Keep []string `json:"keep,omitempty"`
	// OptStub holds empty mount points for Keep entries under /opt.
	OptStub string `json:"optStub,omitempty"`
	// Hide are host directories covered by an empty read-only one: the
	// pool's scratch directory (other environments' /tmp) and whatever the
	// platform names (its data directory).
	Hide []string `json:"hide,omitempty"`
}

// under reports whether path is root or inside it.
func under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

// Constants package syscall lacks.
const (
	sysMountSetattr      = 442 // same number on every architecture
	atRecursive          = 0x8000
	mountAttrRDOnly      = 0x1
	mountAttrNoSUID      = 0x2
	mountAttrNoDev       = 0x4
	prSetNoNewPrivs      = 38
	prCapAmbient         = 47
	prCapAmbientClearAll = 4
	linuxCapabilityV3    = 0x20080522
	oPath                = 0x200000 // O_PATH on x86, arm64 and most others
)

// buildView turns the helper's mount namespace into v's view. It runs in
// the helper, in a new mount and PID namespace, as root.
func buildView(v *viewSpec) error {
	if err := buildBaseView(v); err != nil {
		return err
	}
	return finishView(v)
}

// viewSources holds the sources of mounts by descriptor: a source under a
// directory about to be covered would vanish, so each is opened first and
// mounted as /proc/self/fd/N.
type viewSources struct {
	fds []int
	src map[string]string
}

func (s *viewSources) hold(paths ...string) error {
	if s.src == nil {
		s.src = map[string]string{}
	}
	for _, p := range paths {
		if p == "" || s.src[p] != "" {
			continue
		}
		fd, err := syscall.Open(p, oPath|syscall.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", p, err)
		}
		s.fds = append(s.fds, fd)
		s.src[p] = "/proc/self/fd/" + strconv.Itoa(fd)
	}
	return nil
}

func (s *viewSources) close() {
	for _, fd := range s.fds {
		syscall.Close(fd)
	}
}

// devices are the /dev entries an environment sees.
var devices = []string{"null", "zero", "full", "random", "urandom"}

// buildBaseView builds the part of the view that is the same for every
// function of a runtime: the host read-only, /proc, /dev, and /var with
// the runtime clients (and mount points for the code). A standby process
// starts in it; finishView adds the function's parts at handoff.
func buildBaseView(v *viewSpec) error {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	var s viewSources
	defer s.close()
	paths := []string{v.Runtime}
	for _, k := range v.Keep {
		if under(k, "/var") {
			paths = append(paths, k)
		}
	}
	for _, d := range devices {
		paths = append(paths, "/dev/"+d)
	}
	if err := s.hold(paths...); err != nil {
		return err
	}

	// The whole host, read-only, no setuid, no devices; then the parts.
	attr := struct{ set, clr, propagation, userns uint64 }{set: mountAttrRDOnly | mountAttrNoSUID | mountAttrNoDev}
	root, fdcwd := []byte("/\x00"), -100 // AT_FDCWD
	if _, _, e := syscall.Syscall6(sysMountSetattr, uintptr(fdcwd), uintptr(unsafe.Pointer(&root[0])), atRecursive,
		uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0); e != 0 {
		return fmt.Errorf("make / read-only: mount_setattr: %w", e)
	}
	if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC|syscall.MS_RDONLY, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}

	if err := tmpfs("/dev", "mode=755,size=64k", syscall.MS_NOSUID|syscall.MS_NOEXEC); err != nil {
		return err
	}
	for _, d := range devices {
		dst := "/dev/" + d
		if err := os.WriteFile(dst, nil, 0o666); err != nil {
			return fmt.Errorf("create %s: %w", dst, err)
		}
		// Device nodes work on this bind only: it alone lacks nodev.
		if err := bind(s.src["/dev/"+d], dst, syscall.MS_NOSUID|syscall.MS_NOEXEC); err != nil {
			return err
		}
	}
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		if err := os.Symlink(target, "/dev/"+name); err != nil {
			return fmt.Errorf("create /dev/%s: %w", name, err)
		}
	}
	if err := readOnly("/dev", syscall.MS_NOSUID|syscall.MS_NOEXEC|syscall.MS_NODEV); err != nil {
		return err
	}

	if err := tmpfs("/var", "mode=755,size=1m", syscall.MS_NOSUID|syscall.MS_NODEV); err != nil {
		return err
	}
	for _, dst := range []string{guestTask, guestRuntime} {
		if err := os.Mkdir(dst, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dst, err)
		}
	}
	if err := bind(s.src[v.Runtime], guestRuntime, viewRO); err != nil {
		return err
	}
	for _, k := range v.Keep {
		if under(k, "/var") {
			if err := os.MkdirAll(k, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", k, err)
			}
			if err := bind(s.src[k], k, viewRO); err != nil {
				return err
			}
		}
	}
	return readOnly("/var", syscall.MS_NOSUID|syscall.MS_NODEV)
}

// viewRO are the flags of the read-only parts of a view.
const viewRO = uintptr(syscall.MS_RDONLY | syscall.MS_NOSUID | syscall.MS_NODEV)

// finishView adds what belongs to one function to a base view: the code
// at /var/task, the layers at /opt, its own /tmp, and the hidden
// directories covered.
func finishView(v *viewSpec) error {
	var s viewSources
	defer s.close()
	paths := append([]string{v.Task, v.Tmp, v.OptStub}, v.Layers...)
	for _, k := range v.Keep {
		if under(k, guestOpt) {
			paths = append(paths, k)
		}
	}
	if err := s.hold(paths...); err != nil {
		return err
	}
	for _, h := range v.Hide {
		if under(h, "/var") || under(h, "/opt") || under(h, "/tmp") || under(h, "/dev") {
			continue // replaced wholesale
		}
		if _, err := os.Stat(h); err != nil {
			continue
		}
		if err := tmpfs(h, "mode=755,size=4k", syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC); err != nil {
			return err
		}
	}
	if err := bind(s.src[v.Task], guestTask, viewRO); err != nil {
		return err
	}

	// AWS extracts layers into /opt in order, later files replacing
	// earlier ones: overlayfs's first lower directory is the top one.
	var lowers []string
	for i := len(v.Layers) - 1; i >= 0; i-- {
		lowers = append(lowers, s.src[v.Layers[i]])
	}
	if v.OptStub != "" {
		lowers = append(lowers, s.src[v.OptStub])
	}
	switch len(lowers) {
	case 0:
		if err := tmpfs(guestOpt, "mode=755,size=4k", syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV); err != nil {
			return err
		}
	case 1:
		if err := bind(lowers[0], guestOpt, viewRO); err != nil {
			return err
		}
	default:
		if err := syscall.Mount("overlay", guestOpt, "overlay", viewRO, "lowerdir="+strings.Join(lowers, ":")); err != nil {
			return fmt.Errorf("mount layers at /opt: %w", err)
		}
	}
	for _, k := range v.Keep {
		if under(k, guestOpt) {
			if err := bind(s.src[k], k, viewRO); err != nil {
				return err
			}
		}
	}

	return bind(s.src[v.Tmp], guestTmp, syscall.MS_NOSUID|syscall.MS_NODEV)
}

func tmpfs(dst, opts string, flags uintptr) error {
	if err := syscall.Mount("tmpfs", dst, "tmpfs", flags, opts); err != nil {
		return fmt.Errorf("mount tmpfs at %s: %w", dst, err)
	}
	return nil
}

// bind mounts src at dst with exactly flags: a bind inherits its source
// mount's flags (read-only, nodev here), so they are set again.
func bind(src, dst string, flags uintptr) error {
	if err := syscall.Mount(src, dst, "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s: %w", dst, err)
	}
	if err := syscall.Mount("", dst, "", syscall.MS_BIND|syscall.MS_REMOUNT|flags, ""); err != nil {
		return fmt.Errorf("set flags of %s: %w", dst, err)
	}
	return nil
}

func readOnly(dst string, flags uintptr) error {
	if err := syscall.Mount("", dst, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY|flags, ""); err != nil {
		return fmt.Errorf("make %s read-only: %w", dst, err)
	}
	return nil
}

// dropPrivileges leaves the helper (and the runtime it execs) root without
// any capability: it cannot mount, remount, load modules or regain
// privileges through setuid files. Root's uid alone gains nothing the view
// does not allow: everything outside /tmp is read-only.
func dropPrivileges() error {
	if err := prctl(prSetNoNewPrivs, 1); err != nil {
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	last := 63
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			last = n
		}
	}
	// Without a bounding set, exec cannot hand root its usual full set.
	for c := 0; c <= last; c++ {
		if err := prctl(syscall.PR_CAPBSET_DROP, uintptr(c)); err != nil && !errors.Is(err, syscall.EINVAL) {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	if err := prctl(prCapAmbient, prCapAmbientClearAll); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	hdr := struct {
		version uint32
		pid     int32
	}{version: linuxCapabilityV3}
	var data [2]struct{ effective, permitted, inheritable uint32 }
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return fmt.Errorf("clear capabilities: %w", e)
	}
	return nil
}

func prctl(option, arg uintptr) error {
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, option, arg, 0, 0, 0, 0); e != 0 {
		return e
	}
	return nil
}

// guestPath maps a host path inside the code, runtime or a layer directory
// to where an isolated environment sees it; other paths are unchanged.
func guestPath(host string, f Function, runtimeDir string) string {
	rel := func(root, guest string) (string, bool) {
		if root == "" {
			return "", false
		}
		if root = filepath.Clean(root); !under(host, root) {
			return "", false
		}
		return filepath.Join(guest, strings.TrimPrefix(host, root)), true
	}
	if g, ok := rel(f.CodeDir, guestTask); ok {
		return g
	}
	if g, ok := rel(runtimeDir, guestRuntime); ok {
		return g
	}
	for _, l := range f.LayerDirs {
		if g, ok := rel(l, guestOpt); ok {
			return g
		}
	}
	return host
}
