package lambda_test

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// startSleeper runs `sleep 600` with LAMBDA_RUNTIME_DIR=runtimeDir, as a
// function's child that outlived a killed cloudlet would. exited is
// closed once it has gone.
func startSleeper(t *testing.T, runtimeDir string) (pid int, exited <-chan struct{}) {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	cmd.Env = []string{"LAMBDA_RUNTIME_DIR=" + runtimeDir}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	return cmd.Process.Pid, done
}

// Issue 8 §3: processes a killed cloudlet's functions left behind on its
// data directory are killed when a cloudlet starts on it again; others
// are left alone.
func TestOrphansKilledOnStart(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	orphan, orphanExited := startSleeper(t, filepath.Join(dir, "lambda", "tmp", "fn", "runtime-0123"))
	bystander, bystanderExited := startSleeper(t, filepath.Join(other, "lambda", "tmp", "fn", "runtime-0123"))
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := lambda.New(lambda.Config{DB: db, DataDir: dir, Region: testRegion, AccountID: testAcct, Runtimes: runtimes}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-orphanExited:
	case <-time.After(10 * time.Second):
		t.Errorf("lambda.New left the orphan %d of its data directory running", orphan)
	}
	select {
	case <-bystanderExited:
		t.Errorf("lambda.New killed %d, which belongs to another data directory", bystander)
	default:
		if err := syscall.Kill(bystander, 0); err != nil {
			t.Errorf("bystander %d: %v", bystander, err)
		}
	}
}
