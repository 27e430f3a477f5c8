package testkit

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

// SeedDir returns the folder of the seed tutorial's templates, which sits
// beside the repository (../shared/seed/fa-005 from its root). A missing
// seed fails the test: CI always has it.
func SeedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("testkit: no go.mod above the test's folder")
		}
		dir = parent
	}
	seed := filepath.Join(filepath.Dir(dir), "shared", "seed", "fa-005")
	if _, err := os.Stat(filepath.Join(seed, "fa-005.yaml")); err != nil {
		tb.Fatalf("the seed templates must sit beside the repository (../shared/seed/fa-005): %v", err)
	}
	return seed
}

// StartPlatform starts a real platform with cfg, on a free loopback port
// (unless cfg names one) and in a temporary data folder (unless cfg names
// one), and shuts it down when the test ends.
func StartPlatform(tb testing.TB, cfg platform.Config) *platform.Platform {
	tb.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = tb.TempDir()
	}
	p, err := platform.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		_ = p.Shutdown(context.Background())
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = p.Shutdown(ctx)
	})
	return p
}
