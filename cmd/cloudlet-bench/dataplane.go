package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// seedBucket is the seed's TemplateBucketName default.
const seedBucket = "awstut-bucket"

// uploadSeed puts the seed's nested templates where the parent's
// TemplateURLs point for Prefix prefix, as the tutorial's `aws s3 cp` does.
func uploadSeed(ctx context.Context, c *awsClient, seedDir, prefix string) error {
	if err := c.putBucket(ctx, seedBucket); err != nil {
		return err
	}
	for _, name := range []string{"lambda", "apigateway"} {
		body, err := os.ReadFile(filepath.Join(seedDir, "fa-005-"+name+".yaml"))
		if err != nil {
			return err
		}
		if err := c.putObject(ctx, seedBucket, prefix+"/"+prefix+"-"+name+".yaml", body); err != nil {
			return err
		}
	}
	return nil
}

// apiID finds an HTTP API's ID by name through the API Gateway v2 API.
func apiID(ctx context.Context, c *awsClient, name string) (string, error) {
	raw, err := c.call(ctx, "apigateway", http.MethodGet, "/v2/apis", nil, nil)
	if err != nil {
		return "", err
	}
	var out struct {
		Items []struct {
			APIID string `json:"apiId"`
			Name  string `json:"name"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("GetApis: %w", err)
	}
	for _, it := range out.Items {
		if it.Name == name {
			return it.APIID, nil
		}
	}
	return "", fmt.Errorf("no HTTP API named %s", name)
}

// putGoCode puts the Go function's package where the templates' Code
// points.
func (s *suite) putGoCode(ctx context.Context, c *awsClient) error {
	if err := c.putBucket(ctx, benchBucket); err != nil {
		return err
	}
	return c.putObject(ctx, benchBucket, goCodeKey, s.tools.gofnZip)
}

// dataPlane measures, on one cloudlet server, sections 2 (through HTTP),
// 4, 5 and 7.
func (s *suite) dataPlane(ctx context.Context) error {
	srv, _, err := startServer(ctx, s.tools.cloudlet, filepath.Join(s.dir, "dataplane"))
	if err != nil {
		return err
	}
	defer srv.stop()
	c := newAWSClient(srv.URL)
	if err := uploadSeed(ctx, c, s.cfg.SeedDir, "fa-005"); err != nil {
		return err
	}
	if err := s.putGoCode(ctx, c); err != nil {
		return err
	}
	parent, err := os.ReadFile(filepath.Join(s.cfg.SeedDir, "fa-005.yaml"))
	if err != nil {
		return err
	}
	if _, _, err := c.deploy(ctx, "fa-005", parent, nil, 20*time.Millisecond); err != nil {
		return fmt.Errorf("deploy the seed: %w", err)
	}
	if s.wanted([]int{2}) {
		if err := s.warm(ctx, c, srv); err != nil {
			return err
		}
	}
	if s.wanted([]int{7}) {
		if err := s.invokeAPI(ctx, c, srv); err != nil {
			s.fail(fmt.Errorf("invoke API: %w", err), s.idsWithPrefix("invoke.api.")...)
		}
	}
	if s.wanted([]int{4}) {
		if err := s.coldStarts(ctx, c, srv); err != nil {
			s.fail(fmt.Errorf("cold starts: %w", err), s.idsWithPrefix("cold.")...)
		}
	}
	if s.wanted([]int{5}) {
		if err := s.scaleOut(ctx, c, srv); err != nil {
			s.fail(fmt.Errorf("scale-out: %w", err), s.idsWithPrefix("scale.")...)
		}
	}
	return nil
}

// warm measures section 2 through HTTP: the seed's API, then the same
// app with a Node.js and a Go function.
func (s *suite) warm(ctx context.Context, c *awsClient, srv *server) error {
	apis := map[string]string{}
	var err error
	if apis["python"], err = apiID(ctx, c, "fa-005-HttpApi"); err != nil {
		return err
	}
	var appStacks []string
	for _, rt := range runtimes[1:] {
		if rt.Key == "node" && s.tools.node == "" {
			continue
		}
		prefix := "bench-" + rt.Key
		id, _, err := c.deploy(ctx, prefix, appTemplate(prefix, spec(rt.Key, s.tools.nodeRuntime)), nil, 20*time.Millisecond)
		if err != nil {
			s.fail(fmt.Errorf("deploy the %s app: %w", rt.Label, err), s.idsWithPrefix("warm."+rt.Key)...)
			continue
		}
		appStacks = append(appStacks, id)
		out, err := c.stackOutputs(ctx, id)
		if err != nil {
			return err
		}
		apis[rt.Key] = out["ApiId"]
	}
	for _, rt := range runtimes {
		id, ok := apis[rt.Key]
		if !ok {
			continue
		}
		req := fixed(getRequest(fmt.Sprintf("%s.execute-api.localhost:%d", id, srv.Port), "/"))
		err := checkAnswer(srv.Addr, req())
		if err == nil {
			err = s.loadSet(ctx, "warm."+rt.Key, srv.Addr, srv.PID(), req, s.sz.latN)
		}
		if err != nil {
			s.fail(fmt.Errorf("%s through the HTTP API: %w", rt.Label, err), s.idsWithPrefix("warm."+rt.Key)...)
		}
		if rt.Key == "python" {
			s.notes["Function sandbox"] = isolated(srv.PID())
		}
	}
	// The other runtimes' environments (up to 64 each) are not needed any
	// more: deleting their stacks stops them, so they do not compete with
	// what follows.
	for _, id := range appStacks {
		if err := c.deleteStack(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// invokeRequests returns a requestFunc of signed Invoke requests.
func invokeRequests(c *awsClient, function string, payload []byte) (requestFunc, error) {
	if _, err := c.rawInvoke(function, payload); err != nil {
		return nil, err
	}
	return func() []byte {
		b, _ := c.rawInvoke(function, payload) // the same inputs just succeeded
		return b
	}, nil
}

// invokeAPI measures section 7 on the seed's (warm) function.
func (s *suite) invokeAPI(ctx context.Context, c *awsClient, srv *server) error {
	next, err := invokeRequests(c, "fa-005-function", []byte(`{}`))
	if err != nil {
		return err
	}
	for range s.sz.reps {
		ds, err := latencies(ctx, srv.Addr, next, max(20, s.sz.invokeN/10), s.sz.invokeN)
		if err != nil {
			return err
		}
		s.fig("invoke.api.p50").add(micros(percentile(ds, 50)))
	}
	for _, n := range []int{1, 8} {
		if err := prime(ctx, srv.Addr, next, n, s.sz.primePerClient); err != nil {
			return err
		}
		f := s.fig(fmt.Sprintf("invoke.api.rps%d", n))
		for range s.sz.reps {
			rps, err := throughput(ctx, srv.Addr, next, n, s.sz.warm, s.sz.window, nil)
			if err != nil {
				return err
			}
			f.add(rps)
		}
	}
	s.logf("  invoke API: p50 %s, 8 clients %s", format(s.fig("invoke.api.p50").Median(), unitMicros), format(s.fig("invoke.api.rps8").Median(), unitRPS))
	return nil
}

// coldStarts measures section 4: fresh functions, each invoked once on an
// open connection; each repetition's figure is the median of its fresh
// functions. The rows with the pre-initialised pool are measured on srv,
// which runs cloudlet's standby processes (the default); the others on a
// second server started with --standby off.
func (s *suite) coldStarts(ctx context.Context, c *awsClient, srv *server) error {
	if !s.tools.standby {
		return s.coldStartsOn(ctx, c, srv, "cold.")
	}
	if err := s.coldStartsOn(ctx, c, srv, "coldpool."); err != nil {
		s.fail(fmt.Errorf("cold starts with standby processes: %w", err), s.idsWithPrefix("coldpool.")...)
	}
	plain, _, err := startServer(ctx, s.tools.cloudlet, filepath.Join(s.dir, "nostandby"), "--standby", "off")
	if err != nil {
		return err
	}
	defer plain.stop()
	pc := newAWSClient(plain.URL)
	if err := s.putGoCode(ctx, pc); err != nil {
		return err
	}
	return s.coldStartsOn(ctx, pc, plain, "cold.")
}

// coldPause separates cold starts, so that each finds the machine as the
// previous one left it and the standby of its runtime (when there is one)
// started again: the figure is a cold start, not a burst of them (that is
// section 5).
const coldPause = 300 * time.Millisecond

func (s *suite) coldStartsOn(ctx context.Context, c *awsClient, srv *server, prefix string) error {
	var fns []fnSpec
	name := func(key string, rep, i int) string { return fmt.Sprintf("cold-%s-%d-%d", key, rep, i) }
	keys := []string{"python", "go"}
	if s.tools.node != "" {
		keys = []string{"python", "node", "go"}
	}
	for _, k := range keys {
		// A runtime's first pool starts its standby: the primers, invoked
		// unmeasured, make sure every measured cold start is not the first.
		f := spec(k, s.tools.nodeRuntime)
		f.Name = "cold-" + k + "-primer"
		fns = append(fns, f)
	}
	for rep := range s.sz.reps {
		for i := range s.sz.coldPerRep {
			for _, k := range keys {
				f := spec(k, s.tools.nodeRuntime)
				f.Name = name(k, rep, i)
				fns = append(fns, f)
			}
		}
	}
	id, _, err := c.deploy(ctx, "cold", functionsTemplate(fns), nil, 20*time.Millisecond)
	if err != nil {
		return err
	}
	conn, err := dial(srv.Addr)
	if err != nil {
		return err
	}
	defer conn.close()
	invoke := func(fn string) (time.Duration, error) {
		sleep(ctx, coldPause)
		req, err := c.rawInvoke(fn, []byte(`{}`))
		if err != nil {
			return 0, err
		}
		start := time.Now()
		status, body, err := conn.do(req)
		d := time.Since(start)
		if err == nil && (status != http.StatusOK || !bytes.Contains(body, []byte("statusCode"))) {
			err = &answerError{status, body}
		}
		if err != nil {
			return 0, fmt.Errorf("invoke %s: %w", fn, err)
		}
		return d, nil
	}
	for _, k := range keys {
		if _, err := invoke("cold-" + k + "-primer"); err != nil {
			return err
		}
	}
	for rep := range s.sz.reps {
		per := map[string][]float64{}
		for i := range s.sz.coldPerRep {
			for _, k := range keys {
				d, err := invoke(name(k, rep, i))
				if err != nil {
					return err
				}
				per[k] = append(per[k], millis(d))
			}
		}
		for k, v := range per {
			s.fig(prefix + k).add(median(v))
		}
	}
	for _, k := range keys {
		s.logf("  %s%s: %s", prefix, k, format(s.fig(prefix+k).Median(), unitMillis))
	}
	return c.deleteStack(ctx, id)
}

// scaleOut measures section 5: per repetition, a never-invoked function
// sleeping 1 s gets 50 invocations at once, each on its own connection.
// Each repetition's function is a stack of its own, deleted afterwards so
// that its 50 environments do not linger into the next.
func (s *suite) scaleOut(ctx context.Context, c *awsClient, srv *server) error {
	for rep := range s.sz.reps {
		fn := fnSpec{Name: fmt.Sprintf("sleep-%d", rep), Runtime: pythonRuntime, Handler: "index.handler", Inline: sleepPy, Timeout: 30}
		id, _, err := c.deploy(ctx, fmt.Sprintf("sleepers-%d", rep), functionsTemplate([]fnSpec{fn}), nil, 20*time.Millisecond)
		if err != nil {
			return err
		}
		probe := newCPUProbe(srv.PID())
		probe.sample(0)
		wall, cold, err := concurrentInvokes(c, srv.Addr, fn.Name, 50, `"slept"`)
		if err != nil {
			return err
		}
		probe.sample(1)
		s.fig("scale.wall").add(wall.Seconds())
		s.fig("scale.envs").add(float64(cold))
		server, kids := probe.totals()
		s.fig("scale.cpu.server").add(server.Seconds())
		s.fig("scale.cpu.fn").add(kids.Seconds())
		if err := c.deleteStack(ctx, id); err != nil {
			return err
		}
	}
	s.logf("  scale-out: %s, %s environments", format(s.fig("scale.wall").Median(), unitSecs), format(s.fig("scale.envs").Median(), unitCount))
	return nil
}

// concurrentInvokes sends n invocations of function at once, each on a
// connection opened beforehand, and returns the time until the last
// answer and how many were cold starts (their log tail's REPORT line has
// an Init Duration, as AWS's has: spec lambda §6.1); every answer must be
// want.
func concurrentInvokes(c *awsClient, addr, function string, n int, want string) (time.Duration, int, error) {
	conns := make([]*client, n)
	reqs := make([][]byte, n)
	defer func() {
		for _, cl := range conns {
			if cl != nil {
				cl.close()
			}
		}
	}()
	for i := range conns {
		var err error
		if conns[i], err = dial(addr); err != nil {
			return 0, 0, err
		}
		if reqs[i], err = c.rawInvokeTail(function, []byte(`{}`)); err != nil {
			return 0, 0, err
		}
	}
	var wg sync.WaitGroup
	ends := make([]time.Time, n)
	errs := make([]error, n)
	cold := make([]bool, n)
	startGun := make(chan struct{})
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGun
			a, err := conns[i].roundTrip(reqs[i])
			ends[i] = time.Now()
			if err == nil && (a.status != http.StatusOK || string(a.body) != want) {
				err = &answerError{a.status, a.body}
			}
			errs[i] = err
			tail, _ := base64.StdEncoding.DecodeString(a.header.Get("X-Amz-Log-Result"))
			cold[i] = bytes.Contains(tail, []byte("\tInit Duration: "))
		}()
	}
	start := time.Now()
	close(startGun)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, 0, fmt.Errorf("%s: %w", function, err)
	}
	colds := 0
	for _, c := range cold {
		if c {
			colds++
		}
	}
	return slices.MaxFunc(ends, func(a, b time.Time) int { return a.Compare(b) }).Sub(start), colds, nil
}
