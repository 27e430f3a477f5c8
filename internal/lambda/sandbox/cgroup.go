package sandbox

import (
	"bufio"
	"bytes"
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

// Filesystem magic numbers (linux/magic.h) that tell a cgroup v1
// hierarchy from the unified v2 one.
const (
	cgroupSuperMagic  = 0x27e0eb
	cgroup2SuperMagic = 0x63677270
)

// cgroupBase is the directory, under each hierarchy's root, that holds one
// cgroup per running environment process.
const cgroupBase = "cloudlet"

// maxTasks is AWS's cap on processes and threads in one environment
// (shared/specs/lambda.md §2.7: "1,024 processes/threads").
const maxTasks = 1024

// cgroupDriver creates the memory and pids cgroups environments run in:
// cgroup v1 (separate memory and pids hierarchies) or v2 (one tree).
type cgroupDriver struct {
	v2       bool
	memBase  string // v1: <memory root>/cloudlet; v2: <root>/cloudlet
	pidsBase string // v1: <pids root>/cloudlet; v2: same as memBase
}

// detectCgroups finds writable memory and pids controllers under root
// (normally /sys/fs/cgroup), preferring v1 where a hybrid host has both:
// there the controllers are bound to v1 and the v2 tree has none.
func detectCgroups(root string) (*cgroupDriver, error) {
	mem, pids := filepath.Join(root, "memory"), filepath.Join(root, "pids")
	if fsType(mem) == cgroupSuperMagic && fsType(pids) == cgroupSuperMagic {
		d := &cgroupDriver{memBase: filepath.Join(mem, cgroupBase), pidsBase: filepath.Join(pids, cgroupBase)}
		for _, dir := range []string{d.memBase, d.pidsBase} {
			if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				return nil, fmt.Errorf("create cgroup %s: %w", dir, err)
			}
		}
		return d, nil
	}
	if fsType(root) == cgroup2SuperMagic {
		b, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
		if err != nil {
			return nil, fmt.Errorf("read cgroup v2 controllers: %w", err)
		}
		ctl := strings.Fields(string(b))
		if !slices.Contains(ctl, "memory") || !slices.Contains(ctl, "pids") {
			return nil, fmt.Errorf("cgroup v2 at %s lacks the memory or pids controller (has %q)", root, ctl)
		}
		base := filepath.Join(root, cgroupBase)
		d := &cgroupDriver{v2: true, memBase: base, pidsBase: base}
		// Children of base get memory and pids only if every level enables them.
		if err := writeFile(filepath.Join(root, "cgroup.subtree_control"), "+memory +pids"); err != nil {
			return nil, fmt.Errorf("enable cgroup v2 controllers: %w", err)
		}
		if err := os.Mkdir(base, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("create cgroup %s: %w", base, err)
		}
		if err := writeFile(filepath.Join(base, "cgroup.subtree_control"), "+memory +pids"); err != nil {
			return nil, fmt.Errorf("enable cgroup v2 controllers: %w", err)
		}
		return d, nil
	}
	return nil, fmt.Errorf("no cgroup v1 memory and pids hierarchies nor cgroup v2 under %s", root)
}

func (d *cgroupDriver) version() string {
	if d.v2 {
		return "v2"
	}
	return "v1"
}

// cgroup is the memory and pids cgroup of one runtime process and
// everything it forks. It lives exactly as long as that process.
type cgroup struct {
	d    *cgroupDriver
	dirs []string // to remove, memory first
	mem  string   // directory with the memory controller's files
	// oomBase is the OOM-kill count when the cgroup was set up: a cgroup
	// left behind by an earlier process of the same name keeps its count.
	oomBase int64
}

// create makes (or reuses) the cgroup called name with memBytes of memory,
// no swap, and at most maxTasks tasks.
func (d *cgroupDriver) create(name string, memBytes int64) (*cgroup, error) {
	c := &cgroup{d: d}
	mk := func(dir string) error {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			if !errors.Is(err, os.ErrNotExist) {
				return err
			}
			// Another pool's Shutdown removed the empty base meanwhile.
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		c.dirs = append(c.dirs, dir)
		return nil
	}
	limit := strconv.FormatInt(memBytes, 10)
	var err error
	if d.v2 {
		dir := filepath.Join(d.memBase, name)
		c.mem = dir
		if err = mk(dir); err == nil {
			err = writeFile(filepath.Join(dir, "memory.max"), limit)
		}
		if err == nil {
			// Swap would let a function outgrow MemorySize; a kill takes
			// the whole group, as the OOM of AWS's VM does.
			_ = writeFile(filepath.Join(dir, "memory.swap.max"), "0")
			_ = writeFile(filepath.Join(dir, "memory.oom.group"), "1")
			err = writeFile(filepath.Join(dir, "pids.max"), strconv.Itoa(maxTasks))
		}
	} else {
		c.mem = filepath.Join(d.memBase, name)
		if err = mk(c.mem); err == nil {
			err = writeFile(filepath.Join(c.mem, "memory.limit_in_bytes"), limit)
		}
		if err == nil {
			// memsw exists only with swap accounting; it must not be below
			// the memory limit, so it comes second.
			if _, serr := os.Stat(filepath.Join(c.mem, "memory.memsw.limit_in_bytes")); serr == nil {
				err = writeFile(filepath.Join(c.mem, "memory.memsw.limit_in_bytes"), limit)
			}
			_ = writeFile(filepath.Join(c.mem, "memory.swappiness"), "0")
			_ = writeFile(filepath.Join(c.mem, "memory.max_usage_in_bytes"), "0")
		}
		if err == nil {
			pids := filepath.Join(d.pidsBase, name)
			if err = mk(pids); err == nil {
				err = writeFile(filepath.Join(pids, "pids.max"), strconv.Itoa(maxTasks))
			}
		}
	}
	if err != nil {
		c.remove()
		return nil, fmt.Errorf("set up cgroup %s: %w", name, err)
	}
	c.oomBase = c.oomKillCount()
	return c, nil
}

// adopt gives the cgroup of a standby the memory of the environment that
// takes it over, and a fresh peak (v1) and OOM count.
func (c *cgroup) adopt(memBytes int64) error {
	limit := strconv.FormatInt(memBytes, 10)
	if c.d.v2 {
		if err := writeFile(filepath.Join(c.mem, "memory.max"), limit); err != nil {
			return fmt.Errorf("set memory limit of cgroup: %w", err)
		}
	} else {
		mem, memsw := filepath.Join(c.mem, "memory.limit_in_bytes"), filepath.Join(c.mem, "memory.memsw.limit_in_bytes")
		// memsw must never be below the memory limit: it goes first when
		// the limit rises, last when it falls.
		_, serr := os.Stat(memsw)
		if serr != nil || writeFile(memsw, limit) != nil {
			if err := writeFile(mem, limit); err != nil {
				return fmt.Errorf("set memory limit of cgroup: %w", err)
			}
			if serr == nil {
				if err := writeFile(memsw, limit); err != nil {
					return fmt.Errorf("set memory limit of cgroup: %w", err)
				}
			}
		} else if err := writeFile(mem, limit); err != nil {
			return fmt.Errorf("set memory limit of cgroup: %w", err)
		}
		_ = writeFile(filepath.Join(c.mem, "memory.max_usage_in_bytes"), "0")
	}
	c.oomBase = c.oomKillCount()
	return nil
}

// rename names the cgroup after the environment that took its standby
// over, as if made for it. cgroup v2 cannot rename: there the standby's
// name stays.
func (c *cgroup) rename(name string) {
	if c.d.v2 {
		return
	}
	for i, dir := range c.dirs {
		to := filepath.Join(filepath.Dir(dir), name)
		if err := os.Rename(dir, to); err != nil {
			return
		}
		if c.mem == dir {
			c.mem = to
		}
		c.dirs[i] = to
	}
}

// procsFiles are the files a process writes "0" to in order to join.
func (c *cgroup) procsFiles() []string {
	out := make([]string, len(c.dirs))
	for i, d := range c.dirs {
		out[i] = filepath.Join(d, "cgroup.procs")
	}
	return out
}

// peakKB is the highest memory use of the cgroup since it was set up, in
// KiB; -1 when the kernel does not say (v2 before Linux 5.19).
func (c *cgroup) peakKB() int64 {
	file := "memory.max_usage_in_bytes"
	if c.d.v2 {
		file = "memory.peak"
	}
	b, err := os.ReadFile(filepath.Join(c.mem, file))
	if err != nil {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return -1
	}
	return n / 1024
}

// oomKilled reports whether the kernel's OOM killer has killed a process
// of this cgroup for exceeding its memory limit.
func (c *cgroup) oomKilled() bool { return c.oomKillCount() > c.oomBase }

func (c *cgroup) oomKillCount() int64 {
	file := "memory.oom_control" // v1 has oom_kill since Linux 4.13
	if c.d.v2 {
		file = "memory.events"
	}
	b, err := os.ReadFile(filepath.Join(c.mem, file))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "oom_kill "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return n
		}
	}
	return 0
}

// remove deletes the cgroup. Its processes must be dead; the kernel may
// take a moment to let go of the last ones, so EBUSY is retried briefly.
func (c *cgroup) remove() error {
	var errs []error
	for _, dir := range c.dirs {
		var err error
		for range 200 {
			err = syscall.Rmdir(dir)
			if err != syscall.EBUSY {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil && err != syscall.ENOENT {
			errs = append(errs, fmt.Errorf("remove cgroup %s: %w", dir, err))
		}
	}
	c.dirs = nil
	return errors.Join(errs...)
}

// removeBase deletes the cloudlet directories if no environment uses them
// any more; another pool's cgroups keep them (EBUSY), which is fine.
func (d *cgroupDriver) removeBase() {
	_ = syscall.Rmdir(d.memBase)
	if d.pidsBase != d.memBase {
		_ = syscall.Rmdir(d.pidsBase)
	}
}

func fsType(path string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0
	}
	return int64(st.Type)
}

// writeFile writes a control file in one write(2), as cgroupfs expects,
// without creating or truncating it.
func writeFile(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
