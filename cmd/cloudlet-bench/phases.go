package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/apigw/route"
)

// floors measures section 1: each runtime's handler in a loop, then behind
// the pipe harness over HTTP.
func (s *suite) floors(ctx context.Context) error {
	for _, rt := range runtimes {
		if rt.Key == "node" && s.tools.node == "" {
			continue
		}
		dir := filepath.Join(s.dir, "floor-"+rt.Key)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		cmds, err := floorCommandsFor(rt.Key, s.tools, dir)
		if err != nil {
			return err
		}
		loop := s.fig("loop." + rt.Key)
		for range s.sz.reps {
			ns, err := loopNanos(ctx, cmds.loop, s.sz.loopN)
			if err != nil {
				return err
			}
			loop.add(ns)
		}
		s.logf("  loop.%s: %s per call", rt.Key, format(loop.Median(), unitNanos))
		if err := s.floorHTTP(ctx, rt.Key, cmds.pipe); err != nil {
			return err
		}
	}
	return nil
}

func (s *suite) floorHTTP(ctx context.Context, key string, pipe []string) error {
	p, err := startRole(ctx, roleFloor, pipe)
	if err != nil {
		return fmt.Errorf("floor harness for %s: %w", key, err)
	}
	defer p.stop()
	addr := p.Fields[0]
	req := fixed(getRequest(addr, "/"))
	if err := checkAnswer(addr, req()); err != nil {
		return fmt.Errorf("floor harness for %s: %w", key, err)
	}
	return s.loadSet(ctx, "floor."+key, addr, p.cmd.Process.Pid, req, s.sz.latN)
}

// checkAnswer sends one request and checks it gets the seed's answer.
func checkAnswer(addr string, req []byte) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.close()
	status, body, err := c.do(req)
	if err != nil {
		return err
	}
	if status != 200 || string(body) != seedAnswer {
		return fmt.Errorf("GET / = %d %s, want 200 %s", status, body, seedAnswer)
	}
	return nil
}

// gateway measures section 3: the stub gateway over HTTP in a process of
// its own, then the handler and the route table in this one.
func (s *suite) gateway(ctx context.Context) error {
	p, err := startRole(ctx, roleStub, nil)
	if err != nil {
		return err
	}
	addr, apiID := p.Fields[0], p.Fields[1]
	req := fixed(getRequest(apiID+".execute-api.localhost", "/"))
	err = checkAnswer(addr, req())
	if err == nil {
		err = s.loadSet(ctx, "stub", addr, p.cmd.Process.Pid, req, s.sz.latN)
	}
	p.stop()
	if err != nil {
		return fmt.Errorf("stub gateway: %w", err)
	}
	// Repetitions are interleaved across the sizes, so that a noisy
	// moment on the shared machine does not land on one size only.
	type gw struct {
		routes int
		svc    *apigw.Service
		apiID  string
	}
	var gws []gw
	for _, routes := range []int{1, 10, 300} {
		dir, err := os.MkdirTemp(s.dir, "gw-")
		if err != nil {
			return err
		}
		svc, api, closeDB, err := stubGateway(ctx, dir, routes-1)
		if err != nil {
			return err
		}
		defer closeDB()
		// The first calls fill the gateway's pools and caches.
		if _, err := handlerMicros(svc, api.APIID, s.sz.handlerN/10); err != nil {
			return fmt.Errorf("gateway handler with %d routes: %w", routes, err)
		}
		gws = append(gws, gw{routes, svc, api.APIID})
	}
	type table struct {
		n    int
		tab  *route.Table
		path string
	}
	var tables []table
	for _, n := range []int{10, 1000, 10000} {
		tab, path, err := routeTable(n)
		if err != nil {
			return err
		}
		tables = append(tables, table{n, tab, path})
	}
	for range s.sz.reps {
		for _, g := range gws {
			us, err := handlerMicros(g.svc, g.apiID, s.sz.handlerN)
			if err != nil {
				return fmt.Errorf("gateway handler with %d routes: %w", g.routes, err)
			}
			s.fig(fmt.Sprintf("gw.handler.%d", g.routes)).add(us)
		}
		for _, t := range tables {
			ns, err := matchNanos(t.tab, t.path, s.sz.matchN)
			if err != nil {
				return err
			}
			s.fig(fmt.Sprintf("route.%d", t.n)).add(ns)
		}
	}
	s.logf("  gateway handler: %s per request (1 route), %s (300 routes)", format(s.fig("gw.handler.1").Median(), unitMicros), format(s.fig("gw.handler.300").Median(), unitMicros))
	// The ratio of each repetition's pair, so that its min–max shows the
	// spread of the ratio itself.
	r10, r10k := s.fig("route.10").Values, s.fig("route.10000").Values
	for i := range r10 {
		s.fig("route.ratio").add(r10k[i] / r10[i])
	}
	s.logf("  route match: 10 routes %s, 10,000 routes %s", format(s.fig("route.10").Median(), unitNanos), format(s.fig("route.10000").Median(), unitNanos))
	return nil
}

// internal measures the in-process Lambda Invoke figures of section 2.
func (s *suite) internal(ctx context.Context) error {
	runs, err := internalInvoke(ctx, s.cfg.SeedDir, filepath.Join(s.dir, "inproc"), max(50, s.sz.internalN/10), s.sz.internalN, s.sz.reps)
	if err != nil {
		return err
	}
	for _, ds := range runs {
		s.fig("invoke.internal.p50").add(micros(percentile(ds, 50)))
		s.fig("invoke.internal.p99").add(micros(percentile(ds, 99)))
	}
	s.logf("  invoke.internal: p50 %s", format(s.fig("invoke.internal.p50").Median(), unitMicros))
	return nil
}
