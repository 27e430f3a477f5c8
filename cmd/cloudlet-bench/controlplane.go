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

// memory reads a fresh server's resident memory idle, then again after
// deploying 200 functions that are never invoked, and counts the
// processes those functions have (none, if pools are lazy).
func (s *suite) memory(ctx context.Context) error {
	var fns []fnSpec
	for i := range 200 {
		fns = append(fns, fnSpec{Name: fmt.Sprintf("idle-%03d", i), Runtime: pythonRuntime, Handler: "index.handler",
			Inline: fmt.Sprintf("def handler(event, context):\n  return %d\n", i)})
	}
	body := functionsTemplate(fns)
	for rep := range s.sz.reps {
		srv, _, err := startServer(ctx, s.tools.cloudlet, filepath.Join(s.dir, fmt.Sprintf("memory-%d", rep)))
		if err != nil {
			return err
		}
		err = s.memoryOnce(ctx, srv, body)
		srv.stop()
		if err != nil {
			return err
		}
	}
	s.logf("  RSS: %s idle, %s with 200 functions", format(s.fig("cp.rss0").Median(), unitMB), format(s.fig("cp.rss200").Median(), unitMB))
	return nil
}

func (s *suite) memoryOnce(ctx context.Context, srv *server, body []byte) error {
	sleep(ctx, s.sz.settle)
	rss0, err := rssMB(srv.PID())
	if err != nil {
		return err
	}
	_, d, err := newAWSClient(srv.URL).deploy(ctx, "idle", body, nil, 5*time.Millisecond)
	if err != nil {
		return fmt.Errorf("200 functions: %w", err)
	}
	sleep(ctx, s.sz.settle)
	rss200, err := rssMB(srv.PID())
	if err != nil {
		return err
	}
	s.fig("cp.200fn").add(millis(d))
	s.fig("cp.rss0").add(rss0)
	s.fig("cp.rss200").add(rss200)
	s.fig("cp.rssdelta").add(rss200 - rss0)
	s.fig("cp.procs").add(float64(len(descendants(srv.PID()))))
	return nil
}
