package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// config is what the command line chooses.
type config struct {
	Short bool
	// Out is the report's path.
	Out string
	// Binary is a prebuilt cloudlet; empty builds one.
	Binary string
	// Root is the repository; SeedDir the seed's templates.
	Root, SeedDir string
	// Only lists the sections to run; nil runs all.
	Only map[int]bool
	// Progress receives one line per step.
	Progress io.Writer
}

// sizes are how much each figure measures, by mode.
type sizes struct {
	reps           int
	latN           int           // requests per latency run
	window, warm   time.Duration // per throughput run
	primePerClient int           // requests each client sends before a client count's runs
	loopN          int           // handler calls per loop run
	coldPerRep     int           // fresh functions per runtime per repetition
	handlerN       int           // gateway handler calls per run
	matchN         int           // route matches per run
	internalN      int           // in-process invokes per run
	settle         time.Duration // wait before reading a server's memory
	gcWait         time.Duration // wait for the Go runtime's periodic GC
	invokeN        int           // Invoke API requests per latency run
}

func sizesFor(short bool) sizes {
	if short {
		return sizes{reps: 1, latN: 300, window: 250 * time.Millisecond, warm: 100 * time.Millisecond, primePerClient: 2,
			loopN: 20000, coldPerRep: 1, handlerN: 2000, matchN: 20000, internalN: 300, settle: 300 * time.Millisecond, gcWait: 300 * time.Millisecond, invokeN: 200}
	}
	return sizes{reps: 5, latN: 5000, window: 2 * time.Second, warm: 500 * time.Millisecond, primePerClient: 5,
		loopN: 1000000, coldPerRep: 3, handlerN: 50000, matchN: 2000000, internalN: 3000, settle: 2 * time.Second, gcWait: 130 * time.Second, invokeN: 2000}
}

// suite is one run: its figures, its tools and what went wrong.
type suite struct {
	cfg     config
	sz      sizes
	figs    []*Figure
	byID    map[string]*Figure
	tools   *tools
	dir     string // scratch, removed at the end
	machine machine
	notes   map[string]string // machine-table additions found while running (sandbox mode)
	started time.Time
	elapsed time.Duration
	loadAt  [2]string // load average at start and end

	mu     sync.Mutex
	errors []error
}

func newSuite(cfg config) *suite {
	s := &suite{cfg: cfg, sz: sizesFor(cfg.Short), figs: catalog(), byID: map[string]*Figure{}, notes: map[string]string{}}
	for _, f := range s.figs {
		if _, dup := s.byID[f.ID]; dup {
			panic("duplicate figure " + f.ID) // a programming error in catalog
		}
		s.byID[f.ID] = f
	}
	return s
}

// fig returns a declared figure; an unknown ID is a programming error.
func (s *suite) fig(id string) *Figure {
	f, ok := s.byID[id]
	if !ok {
		panic("unknown figure " + id)
	}
	return f
}

func (s *suite) logf(format string, args ...any) {
	if s.cfg.Progress != nil {
		fmt.Fprintf(s.cfg.Progress, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
}

// fail records a phase's error and marks its figures that have no value.
func (s *suite) fail(err error, ids ...string) {
	s.mu.Lock()
	s.errors = append(s.errors, err)
	s.mu.Unlock()
	s.logf("ERROR %v", err)
	for _, id := range ids {
		if f := s.fig(id); len(f.Values) == 0 && f.NA == "" {
			f.NA = "error: " + firstLineOf(err.Error())
		}
	}
}

// na marks figures not measurable here, with the reason.
func (s *suite) na(reason string, ids ...string) {
	for _, id := range ids {
		s.fig(id).NA = reason
	}
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// idsWithPrefix lists the figures whose ID starts with one of prefixes.
func (s *suite) idsWithPrefix(prefixes ...string) []string {
	var ids []string
	for _, f := range s.figs {
		for _, p := range prefixes {
			if strings.HasPrefix(f.ID, p) {
				ids = append(ids, f.ID)
				break
			}
		}
	}
	return ids
}

// Err joins every error the run met.
func (s *suite) Err() error { return errors.Join(s.errors...) }

// run measures every section asked for.
func (s *suite) run(ctx context.Context) error {
	s.started = time.Now()
	s.loadAt[0] = loadAverage()
	dir, err := os.MkdirTemp("", "cloudlet-bench-")
	if err != nil {
		return err
	}
	s.dir = dir
	defer os.RemoveAll(dir)
	if _, err := os.Stat(filepath.Join(s.cfg.SeedDir, "fa-005.yaml")); err != nil {
		return fmt.Errorf("the seed's templates: %w (set -seed)", err)
	}
	s.machine = describeMachine(ctx, s.cfg.Root)
	s.logf("building cloudlet and the Go function")
	if s.tools, err = findTools(ctx, s.cfg.Root, s.cfg.Binary, filepath.Join(dir, "bin")); err != nil {
		return err
	}
	if s.tools.node == "" {
		s.na("n/a (node not found)", s.idsWithPrefix("floor.node", "loop.node", "warm.node", "cold.node")...)
	}
	if !s.tools.standby {
		s.na("n/a (not built: this cloudlet has no standby processes, the pre-initialised pool)", s.idsWithPrefix("coldpool.")...)
	}
	phases := []struct {
		sections []int
		name     string
		run      func(context.Context) error
		ids      []string
	}{
		{[]int{1}, "floor", s.floors, s.idsWithPrefix("floor.", "loop.")},
		{[]int{3}, "gateway", s.gateway, s.idsWithPrefix("stub.", "gw.", "route.")},
		{[]int{2}, "in-process invoke", s.internal, s.idsWithPrefix("invoke.internal.")},
		{[]int{2, 4, 5, 7}, "cloudlet data plane", s.dataPlane, s.idsWithPrefix("warm.", "cold.", "scale.", "invoke.api.")},
		{[]int{6}, "control plane", s.controlPlane, s.idsWithPrefix("cp.")},
	}
	for _, ph := range phases {
		if !s.wanted(ph.sections) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		s.logf("phase: %s", ph.name)
		if err := ph.run(ctx); err != nil {
			s.fail(fmt.Errorf("%s: %w", ph.name, err), ph.ids...)
		}
	}
	s.loadAt[1] = loadAverage()
	s.elapsed = time.Since(s.started)
	return nil
}

func (s *suite) wanted(sections []int) bool {
	if s.cfg.Only == nil {
		return true
	}
	for _, n := range sections {
		if s.cfg.Only[n] {
			return true
		}
	}
	return false
}

// loadSet measures the latency percentiles with one client and the
// throughput with each client count of one HTTP target, into the figures
// prefix.p50 … prefix.rps64, and with 8 clients the CPU per request of the
// server process pid and the processes below it.
func (s *suite) loadSet(ctx context.Context, prefix, addr string, pid int, next requestFunc, latN int) error {
	for range s.sz.reps {
		ds, err := latencies(ctx, addr, next, max(20, latN/10), latN)
		if err != nil {
			return fmt.Errorf("%s latency: %w", prefix, err)
		}
		for _, p := range []struct {
			id string
			q  float64
		}{{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}} {
			s.fig(prefix + "." + p.id).add(micros(percentile(ds, p.q)))
		}
	}
	s.logf("  %s: p50 %s, p99 %s", prefix, format(s.fig(prefix+".p50").Median(), unitMicros), format(s.fig(prefix+".p99").Median(), unitMicros))
	for _, c := range clientCounts {
		if err := prime(ctx, addr, next, c, s.sz.primePerClient); err != nil {
			return fmt.Errorf("%s with %d clients: %w", prefix, c, err)
		}
		f := s.fig(fmt.Sprintf("%s.rps%d", prefix, c))
		for range s.sz.reps {
			var probe *cpuProbe
			if c == 8 {
				probe = newCPUProbe(pid)
			}
			rps, err := throughput(ctx, addr, next, c, s.sz.warm, s.sz.window, probe)
			if err != nil {
				return fmt.Errorf("%s with %d clients: %w", prefix, c, err)
			}
			f.add(rps)
			if probe != nil {
				server, kids := probe.perRequest()
				s.fig(prefix + ".cpu8").add(server)
				if k, ok := s.byID[prefix+".cpufn8"]; ok {
					k.add(kids)
				}
			}
		}
		s.logf("  %s: %s", f.Name, format(f.Median(), unitRPS))
	}
	return nil
}

// prime has clients connections send perClient requests each, all at
// once, so that a server that scales out (cloudlet starting environments)
// has done so before anything is measured.
func prime(ctx context.Context, addr string, next requestFunc, clients, perClient int) error {
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dial(addr)
			if err != nil {
				errs[i] = err
				return
			}
			defer c.close()
			for range perClient {
				if ctx.Err() != nil {
					errs[i] = ctx.Err()
					return
				}
				status, body, err := c.do(next())
				if err == nil {
					err = check(status, body)
				}
				if err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
