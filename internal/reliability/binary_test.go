package reliability_test

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var built struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// binary builds cmd/cloudlet once per test binary; tests that must kill
// or signal cloudlet run the real thing.
func binary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "cloudlet-reliability-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "cloudlet")
		cmd := exec.Command("go", "build", "-o", built.path, "../../cmd/cloudlet")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build ../../cmd/cloudlet: %v\n%s", built.err, built.out)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// server is a running `cloudlet serve` process.
type server struct {
	URL     string
	Port    int
	DataDir string
	cmd     *exec.Cmd
	mu      sync.Mutex
	out     strings.Builder
	done    chan struct{} // closed when the process has exited
	waitErr error
}

// freePort picks a port no one listens on.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// serve starts `cloudlet serve` on dataDir and waits until it is healthy.
// Whatever is still running when the test ends is killed.
func serve(t testing.TB, dataDir string, args ...string) *server {
	t.Helper()
	s := &server{Port: freePort(t), DataDir: dataDir, done: make(chan struct{})}
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", s.Port)
	s.cmd = exec.Command(binary(t), append([]string{"serve", "--port", fmt.Sprint(s.Port), "--data-dir", dataDir}, args...)...)
	s.cmd.Env = append(os.Environ(), "CLOUDLET_ACCESS_KEY_ID=", "CLOUDLET_SECRET_ACCESS_KEY=")
	pr, pw := io.Pipe()
	s.cmd.Stdout, s.cmd.Stderr = pw, pw
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
		}
	}()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		pw.Close()
		close(s.done)
	}()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-s.done
	})
	ok := eventually(60*time.Second, func() bool {
		select {
		case <-s.done:
			return true
		default:
		}
		resp, err := http.Get(s.URL + "/_cloudlet/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	select {
	case <-s.done:
		t.Fatalf("cloudlet serve exited: %v\n%s", s.waitErr, s.output())
	default:
	}
	if !ok {
		t.Fatalf("cloudlet serve never became healthy\n%s", s.output())
	}
	return s
}

// output is what the process printed so far.
func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// kill9 kills the process with SIGKILL and waits for it: no cleanup of
// any kind runs.
func (s *server) kill9(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// cfn calls a CloudFormation Query action on s and decodes the result
// into v (nil: only the status matters). An error answer fails the test.
func (s *server) cfn(t testing.TB, form url.Values, v any) {
	t.Helper()
	form.Set("Version", "2010-05-15")
	r := awsCall(t, s.URL, "cloudformation", http.MethodPost, "/",
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Cloudlet-No-Wait": {"1"}}, []byte(form.Encode()))
	if r.status != 200 {
		t.Fatalf("CloudFormation %s = %d %s", form.Get("Action"), r.status, r.body)
	}
	if v != nil {
		if err := xml.Unmarshal([]byte(r.body), v); err != nil {
			t.Fatalf("CloudFormation %s: %v\n%s", form.Get("Action"), err, r.body)
		}
	}
}

// stackState is a stack's status as DescribeStacks reports it; "" when
// the stack does not exist (any more).
type stackState struct {
	Status, Reason string
	Outputs        map[string]string
}

func (s *server) describeStack(t testing.TB, name string) stackState {
	t.Helper()
	form := url.Values{"Action": {"DescribeStacks"}, "StackName": {name}, "Version": {"2010-05-15"}}
	r := awsCall(t, s.URL, "cloudformation", http.MethodPost, "/",
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form.Encode()))
	if r.status == 400 && strings.Contains(r.body, "does not exist") {
		return stackState{}
	}
	var out struct {
		Stacks []struct {
			StackStatus       string `xml:"StackStatus"`
			StackStatusReason string `xml:"StackStatusReason"`
			Outputs           []struct {
				Key   string `xml:"OutputKey"`
				Value string `xml:"OutputValue"`
			} `xml:"Outputs>member"`
		} `xml:"DescribeStacksResult>Stacks>member"`
	}
	if r.status != 200 || xml.Unmarshal([]byte(r.body), &out) != nil || len(out.Stacks) != 1 {
		t.Fatalf("DescribeStacks(%s) = %d %s", name, r.status, r.body)
	}
	st := stackState{Status: out.Stacks[0].StackStatus, Reason: out.Stacks[0].StackStatusReason, Outputs: map[string]string{}}
	for _, o := range out.Stacks[0].Outputs {
		st.Outputs[o.Key] = o.Value
	}
	return st
}

// settled waits until the stack's status no longer ends in _IN_PROGRESS.
func (s *server) settled(t testing.TB, name string) stackState {
	t.Helper()
	var st stackState
	if !eventually(3*time.Minute, func() bool {
		st = s.describeStack(t, name)
		return !strings.HasSuffix(st.Status, "_IN_PROGRESS")
	}) {
		t.Fatalf("stack %s still %s after 3 minutes\n%s", name, st.Status, s.output())
	}
	return st
}
