package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary is the cloudlet binary built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cloudlet-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "cloudlet")
	build := exec.Command("go", "build", "-o", binary, "../cmd/cloudlet")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build cloudlet:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// seedDir is the seed tutorial's templates, beside the repository.
func seedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../shared/seed/fa-005")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "fa-005.yaml")); err != nil {
		t.Fatalf("the seed templates must sit beside the repository (../shared/seed/fa-005): %v", err)
	}
	return dir
}

// server is a running `cloudlet serve`.
type server struct {
	URL     string
	Port    int
	DataDir string
	cmd     *exec.Cmd
	out     *strings.Builder
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// serve starts `cloudlet serve` and waits until it is healthy. The server
// is stopped with SIGTERM at the end of the test, which must exit 0.
func serve(t *testing.T, args ...string) *server {
	t.Helper()
	s := &server{Port: freePort(t), DataDir: t.TempDir(), out: &strings.Builder{}}
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", s.Port)
	s.cmd = exec.Command(binary, append([]string{"serve", "--port", fmt.Sprint(s.Port), "--data-dir", s.DataDir}, args...)...)
	pr, pw := io.Pipe()
	s.cmd.Stdout, s.cmd.Stderr = pw, pw
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.out.WriteString(sc.Text() + "\n")
		}
	}()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("cloudlet serve after SIGTERM: %v\n%s", err, s.out)
			}
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			t.Errorf("cloudlet serve did not stop within 20 s of SIGTERM\n%s", s.out)
		}
		pw.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/_cloudlet/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("cloudlet serve never became healthy\n%s", s.out)
	return nil
}

// httpGet returns the status and body of a GET.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
