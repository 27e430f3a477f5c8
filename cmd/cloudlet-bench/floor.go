package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The floor's handler processes. Each reads one JSON event per line and
// writes the handler's answer as one JSON line; the loop scripts call the
// handler n times with no I/O and print the nanoseconds per call.
const (
	pythonPipe = seedPython + `
import sys
_in, _out = sys.stdin.buffer, sys.stdout.buffer
for _line in _in:
    _out.write(json.dumps(lambda_handler(json.loads(_line), None)).encode() + b"\n")
    _out.flush()
`
	pythonLoop = seedPython + `
import sys, time
_n = int(sys.argv[1])
_event = {"rawPath": "/"}
_t = time.perf_counter()
for _ in range(_n):
    lambda_handler(_event, None)
print((time.perf_counter() - _t) * 1e9 / _n)
`
	nodePipe = seedNode + `
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const answer = await exports.handler(JSON.parse(line), {});
  process.stdout.write(JSON.stringify(answer) + '\n');
});
`
	nodeLoop = seedNode + `
(async () => {
  const n = Number(process.argv[2]);
  const event = { rawPath: '/' };
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await exports.handler(event, {});
  console.log(Number(process.hrtime.bigint() - t) / n);
})();
`
)

// floorCommands are the pipe and loop command lines of a runtime key.
type floorCommands struct{ pipe, loop []string }

// floorCommandsFor writes the scripts into dir and returns the commands.
func floorCommandsFor(key string, t *tools, dir string) (floorCommands, error) {
	write := func(name, body string) (string, error) {
		p := filepath.Join(dir, name)
		return p, os.WriteFile(p, []byte(body), 0o644)
	}
	switch key {
	case "python":
		pipe, err := write("pipe.py", pythonPipe)
		if err != nil {
			return floorCommands{}, err
		}
		loop, err := write("loop.py", pythonLoop)
		return floorCommands{pipe: []string{t.python, "-u", pipe}, loop: []string{t.python, loop}}, err
	case "node":
		if t.node == "" {
			return floorCommands{}, errors.New("node not found")
		}
		pipe, err := write("pipe.js", nodePipe)
		if err != nil {
			return floorCommands{}, err
		}
		loop, err := write("loop.js", nodeLoop)
		return floorCommands{pipe: []string{t.node, pipe}, loop: []string{t.node, loop}}, err
	}
	return floorCommands{pipe: []string{t.gofn, "pipe"}, loop: []string{t.gofn, "loop"}}, nil
}

// loopNanos runs a loop command for n calls and returns its ns per call.
func loopNanos(ctx context.Context, argv []string, n int) (float64, error) {
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], strconv.Itoa(n))...)
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		return 0, fmt.Errorf("%s printed %q: %w", strings.Join(argv, " "), out, err)
	}
	return v, nil
}

// serveFloor is the floor role: the simplest possible harness. One
// persistent handler process; each HTTP request becomes one line to its
// standard input, under a lock, and its answer line becomes the response.
// It prints its address, then serves until ctx ends.
func serveFloor(ctx context.Context, argv []string, ready io.Writer) error {
	if len(argv) == 0 {
		return errors.New("no handler command")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", argv[0], err)
	}
	defer func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	}()
	h := &floorHandler{in: stdin, out: bufio.NewReader(stdout)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Fprintln(ready, ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type floorHandler struct {
	mu  sync.Mutex
	in  io.Writer
	out *bufio.Reader
}

func (h *floorHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	event, _ := json.Marshal(map[string]any{"rawPath": r.URL.Path, "requestContext": map[string]any{"http": map[string]string{"method": r.Method}}})
	h.mu.Lock()
	_, err := h.in.Write(append(event, '\n'))
	var line []byte
	if err == nil {
		line, err = h.out.ReadBytes('\n')
	}
	h.mu.Unlock()
	var answer struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err == nil {
		err = json.Unmarshal(line, &answer)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(answer.StatusCode)
	_, _ = io.WriteString(w, answer.Body)
}
