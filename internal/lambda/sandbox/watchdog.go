package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// watchInterval is how often fallback mode looks at running environments.
const watchInterval = 50 * time.Millisecond

// watchdog stands in for the cgroups of isolated mode where there are
// none: it samples the process groups of running environments and kills
// one that holds more resident memory than MemorySize (AWS's OOM: the
// caller sees "signal: killed", §7.2) or more than 1,024 tasks (a fork
// bomb; AWS's fork would fail instead, §2.7). Sampling can miss a short
// peak and counts shared pages once per process: a bound, not a meter.
// One goroutine serves every environment, and only while one is armed
// (initialising or invoked; AWS freezes idle ones), so the cost is one
// scan of /proc per interval whatever the number of environments.
type watchdog struct {
	interval time.Duration

	mu      sync.Mutex
	groups  map[int]*watched
	running bool
}

// watched is one process group under watch.
type watched struct {
	w        *watchdog
	pgid     int
	memBytes int64
	maxTasks int
	armed    atomic.Bool
	oom      atomic.Bool // killed for its memory
}

func newWatchdog(interval time.Duration) *watchdog {
	return &watchdog{interval: interval, groups: map[int]*watched{}}
}

// add watches process group pgid, armed.
func (w *watchdog) add(pgid int, memBytes int64, maxTasks int) *watched {
	g := &watched{w: w, pgid: pgid, memBytes: memBytes, maxTasks: maxTasks}
	g.armed.Store(true)
	w.mu.Lock()
	w.groups[pgid] = g
	if !w.running {
		w.running = true
		go w.loop()
	}
	w.mu.Unlock()
	return g
}

func (g *watched) remove() {
	g.w.mu.Lock()
	if g.w.groups[g.pgid] == g {
		delete(g.w.groups, g.pgid)
	}
	g.w.mu.Unlock()
}

func (w *watchdog) loop() {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.groups) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		armed := make(map[int]*watched, len(w.groups))
		for pgid, g := range w.groups {
			if g.armed.Load() {
				armed[pgid] = g
			}
		}
		w.mu.Unlock()
		if len(armed) > 0 {
			w.check(armed)
		}
	}
}

func (w *watchdog) check(groups map[int]*watched) {
	use := scanGroups(groups)
	for pgid, g := range groups {
		u := use[pgid]
		if u.rssBytes > g.memBytes {
			g.oom.Store(true)
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		} else if u.tasks > g.maxTasks {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
	}
}

type groupUse struct {
	rssBytes int64
	tasks    int
}

// scanGroups sums resident memory and tasks (threads) per process group
// over /proc, for the groups asked about.
func scanGroups(want map[int]*watched) map[int]groupUse {
	out := map[int]groupUse{}
	d, err := os.Open("/proc")
	if err != nil {
		return out
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	page := int64(os.Getpagesize())
	buf := make([]byte, 1024)
	for _, name := range names {
		if name[0] < '0' || name[0] > '9' {
			continue
		}
		f := readStat(name, buf)
		if f == nil {
			continue
		}
		pgrp, _ := strconv.Atoi(string(f[2]))
		if want[pgrp] == nil {
			continue
		}
		threads, _ := strconv.Atoi(string(f[17]))
		rss, _ := strconv.ParseInt(string(f[21]), 10, 64)
		u := out[pgrp]
		u.tasks += threads
		u.rssBytes += rss * page
		out[pgrp] = u
	}
	return out
}

// readStat returns the fields of /proc/<pid>/stat after the command name,
// so that f[0] is the state (field 3 in proc(5)); nil if unreadable.
func readStat(pid string, buf []byte) [][]byte {
	fd, err := syscall.Open("/proc/"+pid+"/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	n, err := syscall.Read(fd, buf)
	syscall.Close(fd)
	if err != nil || n <= 0 {
		return nil
	}
	b := buf[:n]
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 > len(b) {
		return nil
	}
	f := bytes.Fields(b[i+2:])
	if len(f) < 22 {
		return nil
	}
	return f
}

// sweep kills every process whose environment holds marker ("NAME=value"):
// in fallback mode, what a runtime left behind outside its process group
// (setsid daemons). A process that cleared its environment escapes; in
// isolated mode the PID namespace takes everything with it instead.
func sweep(marker string) {
	needle := []byte("\x00" + marker + "\x00")
	self := os.Getpid()
	for range 3 { // a victim may have forked while we looked
		found := false
		d, err := os.Open("/proc")
		if err != nil {
			return
		}
		names, _ := d.Readdirnames(-1)
		d.Close()
		for _, name := range names {
			pid, err := strconv.Atoi(name)
			if err != nil || pid == self {
				continue
			}
			b, err := os.ReadFile("/proc/" + name + "/environ")
			if err != nil || len(b) == 0 {
				continue
			}
			if bytes.Contains(append([]byte{0}, b...), needle) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				found = true
			}
		}
		if !found {
			return
		}
	}
}
