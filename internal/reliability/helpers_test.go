package reliability_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Root credentials cloudlet accepts by default.
const (
	rootKey    = "test"
	rootSecret = "test"
	region     = "us-east-1"
)

// sign adds SigV4 headers to req over host, the payload hash and the date,
// as an AWS SDK does.
func sign(req *http.Request, service string, body []byte, accessKey, secretKey, sessionToken string) {
	signHash(req, service, sigv4.HashHex(body), accessKey, secretKey, sessionToken)
}

// signHash signs with the given payload hash: UNSIGNED-PAYLOAD lets S3
// uploads stream a body the client has not read yet.
func signHash(req *http.Request, service, hash, accessKey, secretKey, sessionToken string) {
	if req.Host == "" {
		req.Host = req.URL.Host
	}
	t := time.Now().UTC()
	req.Header.Set("X-Amz-Date", t.Format(sigv4.TimeFormat))
	req.Header.Set("X-Amz-Content-Sha256", hash)
	signed := []string{"host", "x-amz-content-sha256", "x-amz-date"}
	if sessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", sessionToken)
		signed = append(signed, "x-amz-security-token")
	}
	scope := sigv4.Scope{Date: t.Format("20060102"), Region: region, Service: service}
	sig := sigv4.Sign(sigv4.SigningKey(secretKey, scope), sigv4.StringToSign(t, scope, sigv4.CanonicalRequest(req, signed, hash, service == "s3")))
	req.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		sigv4.Algorithm, accessKey, scope, strings.Join(signed, ";"), sig))
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends req with client and reads the whole answer; a transport error
// fails the test.
func do(t testing.TB, client *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

// awsCall sends one root-signed AWS API request to base.
func awsCall(t testing.TB, base, service, method, path string, header http.Header, body []byte) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	sign(req, service, body, rootKey, rootSecret, "")
	return do(t, http.DefaultClient, req)
}

// apiGet sends GET to an HTTP API through the /_aws/execute-api/ path, so
// no resolver is involved.
func apiGet(t testing.TB, client *http.Client, base, apiID, path string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_aws/execute-api/"+apiID+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, client, req)
}

// startPlatform runs a platform in this process on a free loopback port
// with its data in a fresh folder; it is shut down when the test ends.
func startPlatform(t testing.TB, cfg platform.Config) *platform.Platform {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	p, err := platform.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return p
}

// deploy creates stack name from a template body and waits for it.
func deploy(t testing.TB, p *platform.Platform, name, body string, params map[string]string) *stack.Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := p.Deploy(ctx, platform.DeployInput{TemplatePath: path, StackName: name, Parameters: params})
	if err != nil {
		t.Fatalf("Deploy(%s) = %v", name, err)
	}
	if res.Stack.Status != stack.CreateComplete && res.Stack.Status != stack.UpdateComplete {
		t.Fatalf("Deploy(%s) status = %s (%s)", name, res.Stack.Status, res.Stack.StatusReason)
	}
	return res.Stack
}

// output is a stack output's value.
func output(t testing.TB, st *stack.Stack, key string) string {
	t.Helper()
	for _, o := range st.Outputs {
		if o.Key == key {
			return o.Value
		}
	}
	t.Fatalf("stack %s has no output %s: %+v", st.Name, key, st.Outputs)
	return ""
}

// pythonRuntime is the newest python3.X runtime this machine has exactly,
// or skips the test.
func pythonRuntime(t testing.TB) string {
	t.Helper()
	rts := sandbox.NewRuntimes(nil)
	for m := 14; m >= 8; m-- {
		rt := "python3." + strconv.Itoa(m)
		if _, warning, err := rts.Python(rt); err == nil && warning == "" {
			return rt
		}
	}
	t.Skip("no python3.8..python3.14 interpreter found on PATH or under pyenv")
	return ""
}

// processesWith lists the processes whose environment holds the entry
// "name=value": a function's variable is in the environment of its
// runtime and of everything it starts that does not clear it.
func processesWith(entry string) []int {
	needle := []byte("\x00" + entry + "\x00")
	var pids []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		if err != nil || len(env) == 0 {
			continue
		}
		if bytes.Contains(append([]byte{0}, env...), needle) && !zombie(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// zombie reports whether pid has exited and only waits to be reaped.
func zombie(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X'
}

// eventually polls cond until it holds or the deadline passes: process
// exits and log flushes are asynchronous, and tests assert that they
// happen, not how fast.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// killAll kills leftover processes so one failed test does not leak into
// the next; the test has already failed when this finds any.
func killAll(pids []int) {
	for _, pid := range pids {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	}
}
