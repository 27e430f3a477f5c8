package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// requestFunc returns the bytes of the next HTTP/1.1 request a client
// sends. Most targets send the same bytes every time; the Invoke API signs
// each request anew, as the AWS CLI does.
type requestFunc func() []byte

// fixed is a requestFunc for one unchanging request.
func fixed(raw []byte) requestFunc { return func() []byte { return raw } }

// getRequest is a GET of path with the Host header host, as curl sends it.
func getRequest(host, path string) []byte {
	return fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: cloudlet-bench\r\nAccept: */*\r\n\r\n", path, host)
}

// client is one keep-alive HTTP/1.1 connection. It writes prepared request
// bytes and reads answers with net/http's parser, so that the client's
// own cost per request stays a few microseconds and the figures are the
// server's.
type client struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
}

func dial(addr string) (*client, error) {
	c := &client{addr: addr}
	return c, c.connect()
}

func (c *client) connect() error {
	conn, err := net.Dial("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", c.addr, err)
	}
	c.conn, c.br = conn, bufio.NewReaderSize(conn, 16<<10)
	return nil
}

func (c *client) close() {
	if c.conn != nil {
		_ = c.conn.Close()
	}
}

// do sends one request and reads the whole answer. It reconnects once if
// the server had closed the idle connection.
func (c *client) do(req []byte) (status int, body []byte, err error) {
	a, err := c.roundTrip(req)
	return a.status, a.body, err
}

// answer is a response, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// roundTrip is do with the answer's headers.
func (c *client) roundTrip(req []byte) (answer, error) {
	for attempt := 0; ; attempt++ {
		a, closeAfter, err := c.exchange(req)
		if err == nil {
			if closeAfter {
				c.close()
				err = c.connect()
			}
			return a, err
		}
		if attempt > 0 || !(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err)) {
			return answer{}, err
		}
		c.close()
		if err := c.connect(); err != nil {
			return answer{}, err
		}
	}
}

func (c *client) exchange(req []byte) (answer, bool, error) {
	if _, err := c.conn.Write(req); err != nil {
		return answer{}, false, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return answer{}, false, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return answer{resp.StatusCode, resp.Header, body}, resp.Close, err
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

// answerError is a request that did not get the status it should.
type answerError struct {
	status int
	body   []byte
}

func (e *answerError) Error() string {
	b := e.body
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Sprintf("answer %d %s", e.status, b)
}

// check fails unless the answer is a 200.
func check(status int, body []byte) error {
	if status != http.StatusOK {
		return &answerError{status, body}
	}
	return nil
}

// latencies sends n requests one after another on one connection, after
// warm unmeasured ones, and returns each round trip's duration, sorted.
func latencies(ctx context.Context, addr string, next requestFunc, warm, n int) ([]time.Duration, error) {
	c, err := dial(addr)
	if err != nil {
		return nil, err
	}
	defer c.close()
	ds := make([]time.Duration, 0, n)
	for i := range warm + n {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		req := next()
		start := time.Now()
		status, body, err := c.do(req)
		d := time.Since(start)
		if err == nil {
			err = check(status, body)
		}
		if err != nil {
			return nil, fmt.Errorf("request %d: %w", i+1, err)
		}
		if i >= warm {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	return ds, nil
}

// throughput runs clients keep-alive connections, each sending its next
// request as soon as the previous answer arrived, for warm (unmeasured)
// and then window, and returns the answers per second in the window.
// Every answer must be a 200.
// When probe is not nil, it samples the server's CPU time at the start
// and the end of the window.
func throughput(ctx context.Context, addr string, next requestFunc, clients int, warm, window time.Duration, probe *cpuProbe) (float64, error) {
	conns := make([]*client, clients)
	for i := range conns {
		c, err := dial(addr)
		if err != nil {
			return 0, err
		}
		defer c.close()
		conns[i] = c
	}
	var (
		measuring atomic.Bool
		stop      atomic.Bool
		count     atomic.Int64
		firstErr  error
		errOnce   sync.Once
		wg        sync.WaitGroup
	)
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				status, body, err := c.do(next())
				if err == nil {
					err = check(status, body)
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					stop.Store(true)
					return
				}
				if measuring.Load() {
					count.Add(1)
				}
			}
		}()
	}
	sleep(ctx, warm)
	count.Store(0)
	measuring.Store(true)
	probe.sample(0)
	start := time.Now()
	sleep(ctx, window)
	n := count.Load()
	elapsed := time.Since(start)
	probe.sample(1)
	probe.count(n)
	stop.Store(true)
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return float64(n) / elapsed.Seconds(), nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
