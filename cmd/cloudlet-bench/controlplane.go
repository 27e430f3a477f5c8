package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// stackPoll is how often a timed stack operation is polled: small enough
// not to matter beside a target of 300 ms, large enough not to load the
// server that is doing the work.
const stackPoll = 2 * time.Millisecond

// controlPlane measures section 6.
func (s *suite) controlPlane(ctx context.Context) error {
	for rep := range s.sz.reps {
		srv, d, err := startServer(ctx, s.tools.cloudlet, filepath.Join(s.dir, fmt.Sprintf("start-%d", rep)))
		if err != nil {
			return err
		}
		srv.stop()
		s.fig("cp.healthy").add(millis(d))
	}
	s.logf("  start to healthy: %s", format(s.fig("cp.healthy").Median(), unitMillis))
	if err := s.stacks(ctx); err != nil {
		s.fail(err, "cp.seed", "cp.200")
	}
	return s.memory(ctx)
}

// stacks times the seed's creation and 200 independent resources, each
// repetition a new stack on one server.
func (s *suite) stacks(ctx context.Context) error {
	srv, _, err := startServer(ctx, s.tools.cloudlet, filepath.Join(s.dir, "stacks"))
	if err != nil {
		return err
	}
	defer srv.stop()
	c := newAWSClient(srv.URL)
	parent, err := os.ReadFile(filepath.Join(s.cfg.SeedDir, "fa-005.yaml"))
	if err != nil {
		return err
	}
	for rep := range s.sz.reps {
		// Each repetition is the tutorial's flow under its own Prefix, so
		// that function and API names do not collide.
		prefix := fmt.Sprintf("fa-005-r%d", rep)
		if err := uploadSeed(ctx, c, s.cfg.SeedDir, prefix); err != nil {
			return err
		}
		_, d, err := c.deploy(ctx, fmt.Sprintf("seed-%d", rep), parent, map[string]string{"Prefix": prefix}, stackPoll)
		if err != nil {
			return fmt.Errorf("seed stack: %w", err)
		}
		s.fig("cp.seed").add(millis(d))
	}
	s.logf("  seed stack: %s", format(s.fig("cp.seed").Median(), unitMillis))
	body := parametersTemplate(200)
	for rep := range s.sz.reps {
		_, d, err := c.deploy(ctx, fmt.Sprintf("params-%d", rep), body, nil, stackPoll)
		if err != nil {
			return fmt.Errorf("200 parameters: %w", err)
		}
		s.fig("cp.200").add(millis(d))
	}
	s.logf("  200 resources: %s", format(s.fig("cp.200").Median(), unitMillis))
	return nil
}

// memory reads fresh servers' resident memory idle, then deploys 200
// functions that are never invoked and reads it again: right after the
// deploy, and once the Go runtime has had its periodic collection (it
// forces one after two idle minutes) and returned what the deploy's
// garbage held; the second is the functions' own cost, the figure the
// target is about. It also counts the processes the functions have
// (none, if pools are lazy). The repetitions run side by side, each on
// its own server, so that the wait is paid once.
func (s *suite) memory(ctx context.Context) error {
	var fns []fnSpec
	for i := range 200 {
		fns = append(fns, fnSpec{Name: fmt.Sprintf("idle-%03d", i), Runtime: pythonRuntime, Handler: "index.handler",
			Inline: fmt.Sprintf("def handler(event, context):\n  return %d\n", i)})
	}
	body := functionsTemplate(fns)
	var servers []*server
	defer func() {
		for _, srv := range servers {
			srv.stop()
		}
	}()
	for rep := range s.sz.reps {
		srv, _, err := startServer(ctx, s.tools.cloudlet, filepath.Join(s.dir, fmt.Sprintf("memory-%d", rep)))
		if err != nil {
			return err
		}
		servers = append(servers, srv)
	}
	sleep(ctx, s.sz.settle)
	for _, srv := range servers {
		rss, err := rssMB(srv.PID())
		if err != nil {
			return err
		}
		s.fig("cp.rss0").add(rss)
	}
	for _, srv := range servers {
		_, d, err := newAWSClient(srv.URL).deploy(ctx, "idle", body, nil, 5*time.Millisecond)
		if err != nil {
			return fmt.Errorf("200 functions: %w", err)
		}
		s.fig("cp.200fn").add(millis(d))
		sleep(ctx, s.sz.settle)
		rss, err := rssMB(srv.PID())
		if err != nil {
			return err
		}
		s.fig("cp.rss200now").add(rss)
	}
	s.logf("  RSS: %s idle, %s right after deploying 200 functions; waiting for the runtime's periodic GC", format(s.fig("cp.rss0").Median(), unitMB), format(s.fig("cp.rss200now").Median(), unitMB))
	sleep(ctx, s.sz.gcWait)
	for i, srv := range servers {
		rss, err := rssMB(srv.PID())
		if err != nil {
			return err
		}
		s.fig("cp.rss200").add(rss)
		s.fig("cp.rssdelta").add(rss - s.fig("cp.rss0").Values[i])
		s.fig("cp.procs").add(float64(len(descendants(srv.PID()))))
	}
	s.logf("  RSS: %s with 200 functions, idle", format(s.fig("cp.rss200").Median(), unitMB))
	return ctx.Err()
}
