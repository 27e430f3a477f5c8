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
	"strconv"
	"strings"
	"syscall"
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
	if err := fs.Parse(args); err != nil {
		return 2
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
