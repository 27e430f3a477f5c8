package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if code, ok := roleFromEnv(); ok {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// run is the command: parse flags, measure, write the report. It returns
// the exit status: 1 when something could not be measured (the report is
// written all the same), 2 for bad flags.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("cloudlet-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	short := fs.Bool("short", false, "measure little (about 30 s): proves the suite works; the figures mean little")
	out := fs.String("out", "", "where to write the report (default: BENCHMARKS.md in the repository)")
	binary := fs.String("cloudlet", "", "a cloudlet binary to measure (default: build ./cmd/cloudlet)")
	seed := fs.String("seed", "", "the seed's templates (default: ../shared/seed/fa-005 beside the repository)")
	only := fs.String("only", "", "run only these sections, e.g. 2,4 (the others are reported as not run)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of this process to FILE: covers what runs in-process (Service.Invoke, the gateway handler, route matching), not the cloudlet server")
	var lf loadFlags
	fs.StringVar(&lf.addr, "load", "", "instead of the suite, drive load at ADDR (host:port) and print what it got, e.g. to profile a server")
	fs.StringVar(&lf.host, "host", "", "with -load: the Host header (default: ADDR), e.g. abc123.execute-api.localhost:4566")
	fs.StringVar(&lf.path, "path", "/", "with -load: the path to GET")
	fs.IntVar(&lf.clients, "clients", 1, "with -load: keep-alive clients")
	fs.DurationVar(&lf.duration, "duration", 10*time.Second, "with -load: how long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if lf.addr != "" {
		return lf.run(ctx, stderr)
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "cloudlet-bench:", err)
		return 1
	}
	cfg := config{Short: *short, Out: *out, Binary: *binary, SeedDir: *seed, Progress: stderr}
	if cfg.Root, err = repoRoot(wd); err != nil {
		fmt.Fprintln(stderr, "cloudlet-bench:", err)
		return 2
	}
	if cfg.Out == "" {
		cfg.Out = filepath.Join(cfg.Root, "BENCHMARKS.md")
	}
	if cfg.SeedDir == "" {
		cfg.SeedDir = filepath.Join(filepath.Dir(cfg.Root), "shared", "seed", "fa-005")
	}
	if cfg.Binary != "" {
		if cfg.Binary, err = filepath.Abs(cfg.Binary); err != nil {
			fmt.Fprintln(stderr, "cloudlet-bench:", err)
			return 2
		}
	}
	if *only != "" {
		cfg.Only = map[int]bool{}
		for _, f := range strings.Split(*only, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > len(sections) {
				fmt.Fprintf(stderr, "cloudlet-bench: -only %q: want section numbers 1–%d\n", *only, len(sections))
				return 2
			}
			cfg.Only[n] = true
		}
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "cloudlet-bench:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "cloudlet-bench:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	s := newSuite(cfg)
	if err := s.run(ctx); err != nil {
		fmt.Fprintln(stderr, "cloudlet-bench:", err)
		return 1
	}
	var buf bytes.Buffer
	if err := s.write(&buf); err != nil {
		fmt.Fprintln(stderr, "cloudlet-bench: write the report:", err)
		return 1
	}
	if err := os.WriteFile(cfg.Out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(stderr, "cloudlet-bench:", err)
		return 1
	}
	fmt.Fprintf(stderr, "cloudlet-bench: report written to %s\n", cfg.Out)
	if err := s.Err(); err != nil {
		fmt.Fprintf(stderr, "cloudlet-bench: some figures could not be measured:\n%v\n", err)
		return 1
	}
	return 0
}

// loadFlags is -load: the suite's load clients on their own, against any
// server, for profiling (perf record -p PID, or a server's pprof) while
// they run.
type loadFlags struct {
	addr, host, path string
	clients          int
	duration         time.Duration
}

func (lf loadFlags) run(ctx context.Context, w io.Writer) int {
	host := lf.host
	if host == "" {
		host = lf.addr
	}
	next := fixed(getRequest(host, lf.path))
	if lf.clients == 1 {
		var ds []time.Duration
		deadline := time.Now().Add(lf.duration)
		for time.Now().Before(deadline) && ctx.Err() == nil {
			run, err := latencies(ctx, lf.addr, next, 0, 1000)
			if err != nil {
				fmt.Fprintln(w, "cloudlet-bench -load:", err)
				return 1
			}
			ds = append(ds, run...)
		}
		slices.Sort(ds)
		fmt.Fprintf(w, "%d requests, 1 client: p50 %v, p90 %v, p99 %v, p99.9 %v\n", len(ds),
			percentile(ds, 50), percentile(ds, 90), percentile(ds, 99), percentile(ds, 99.9))
		return 0
	}
	rps, err := throughput(ctx, lf.addr, next, lf.clients, time.Second, lf.duration, nil)
	if err != nil {
		fmt.Fprintln(w, "cloudlet-bench -load:", err)
		return 1
	}
	fmt.Fprintf(w, "%d clients: %s\n", lf.clients, format(rps, unitRPS))
	return 0
}
