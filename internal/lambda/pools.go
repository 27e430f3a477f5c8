package lambda

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
)

// poolEntry is the pool of one function version. change identifies the
// code and configuration it was built for: $LATEST's pool is replaced
// when they change. inflight counts the invocations handed to it, so
// that a replaced pool is shut down once they are over, not during them
// (AWS, too, lets invocations of old code finish).
type poolEntry struct {
	change   string
	pool     *sandbox.Pool
	inflight sync.WaitGroup
}

// poolFor returns the pool of a function version, making it on first
// use: a function that is never invoked costs no process (AWS, too, keeps
// environments per version, spec lambda §2.6). The entry counts one more
// invocation in flight; the caller calls inflight.Done when it is over.
func (s *Service) poolFor(ctx context.Context, fn *function, t target) (*poolEntry, error) {
	name := fn.Config.FunctionName
	key := name + ":" + t.version
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.pools[key]; e != nil {
		if e.change == t.change {
			e.inflight.Add(1)
			return e, nil
		}
		s.shutdownLater(ctx, name, e)
		delete(s.pools, key)
	}
	cfg := t.cfg
	f := sandbox.Function{
		Name: name, ARN: fn.Config.FunctionArn, Version: t.version, Runtime: cfg.Runtime,
		Handler: cfg.Handler, CodeDir: t.code.Dir, MemoryMB: cfg.MemorySize,
		Timeout: time.Duration(cfg.Timeout) * time.Second, Region: s.cfg.Region,
		LogGroup: cfg.LoggingConfig.LogGroup, ExtraEnv: map[string]string{},
	}
	if cfg.EphemeralStorage != nil {
		f.EphemeralStorageMB = cfg.EphemeralStorage.Size
	}
	for _, l := range t.layers {
		f.LayerDirs = append(f.LayerDirs, l.Dir)
	}
	if cfg.Environment != nil {
		f.Env = cfg.Environment.Variables
	}
	if s.cfg.EndpointURL != "" {
		f.ExtraEnv["AWS_ENDPOINT_URL"] = s.cfg.EndpointURL
	}
	if p := pythonLayerPath(cfg.Runtime, f.LayerDirs); p != "" {
		f.ExtraEnv["PYTHONPATH"] = p
	}
	var sink = s.cfg.Logs
	if s.cfg.IAM != nil {
		creds, err := s.cfg.IAM.RoleCredentials(ctx, cfg.Role)
		if err != nil {
			s.log.Warn("no credentials for the execution role", "function", name, "role", cfg.Role, "err", err)
		}
		f.Credentials = creds
		if !s.mayLog(ctx, cfg) {
			sink = nil
		}
	}
	if err := ensureDir(s.scratchDir(name)); err != nil {
		return nil, fmt.Errorf("start environments of %s: %w", name, err)
	}
	pool, err := sandbox.NewPool(sandbox.PoolConfig{Function: f, Runtimes: s.cfg.Runtimes, Logs: sink,
		MaxEnvironments: s.cfg.MaxEnvironments, IdleTimeout: s.cfg.IdleTimeout,
		ScratchDir: s.scratchDir(name), Logger: s.log.With("function", name, "version", t.version),
		// One copy of the runtime clients for every function, so that
		// their cold starts share standby processes (one per runtime).
		RuntimeDir: s.scratchRoot(),
		// A function must not read cloudlet's own state (other functions'
		// code, the store) except through the APIs, as IAM allows.
		Isolation: s.cfg.Isolation, HideDirs: []string{s.cfg.DataDir}})
	if err != nil {
		return nil, fmt.Errorf("start environments of %s: %w", name, err)
	}
	e := &poolEntry{change: t.change, pool: pool}
	e.inflight.Add(1)
	s.pools[key] = e
	return e, nil
}

// pythonLayerPath puts layers' python folders on a Python function's
// search path, as AWS's /opt/python and /opt/python/lib/pythonX.Y/
// site-packages are (spec lambda §4.1). The sandbox puts layers' bin, lib
// and nodejs folders on their paths itself.
func pythonLayerPath(runtime string, layers []string) string {
	if !strings.HasPrefix(runtime, "python") || len(layers) == 0 {
		return ""
	}
	var parts []string
	for _, l := range layers {
		parts = append(parts, filepath.Join(l, "python", "lib", runtime, "site-packages"), filepath.Join(l, "python"))
	}
	return strings.Join(parts, ":")
}

// mayLog reports whether the execution role may write to the function's
// log group, as AWS requires before Lambda writes logs (spec lambda §6).
func (s *Service) mayLog(ctx context.Context, cfg *FunctionConfiguration) bool {
	group := cfg.LoggingConfig.LogGroup
	res := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:log-stream:*", partition(s.cfg.Region), s.cfg.Region, s.cfg.AccountID, group)
	role := Principal{Kind: "Role", ARN: cfg.Role}
	for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
		ok, _, err := s.cfg.IAM.Allowed(ctx, role, action, res, nil, nil)
		if err != nil || !ok {
			s.log.Info("execution role may not write logs; function output is dropped", "function", cfg.FunctionName, "role", cfg.Role, "action", action)
			return false
		}
	}
	return true
}

// retire shuts down the pools of a function's version ("" for all its
// versions) in the background: its environments are not needed any more
// but may still be finishing an invocation.
func (s *Service) retire(ctx context.Context, name, version string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, e := range s.pools {
		if version != "" && key == name+":"+version || version == "" && strings.HasPrefix(key, name+":") {
			delete(s.pools, key)
			s.shutdownLater(ctx, name, e)
		}
	}
}

// shutdownLater stops a pool that left the table once its invocations
// are over (or at once when the service shuts down), without making the
// caller wait. Called with s.mu held, so that no invocation can join the
// entry after it.
func (s *Service) shutdownLater(ctx context.Context, name string, e *poolEntry) {
	s.retiring.Add(1)
	go func() {
		defer s.retiring.Done()
		idle := make(chan struct{})
		go func() { e.inflight.Wait(); close(idle) }()
		select {
		case <-idle:
		case <-s.stopping.Done():
		}
		if err := e.pool.Shutdown(context.WithoutCancel(ctx)); err != nil {
			s.log.Warn("retire environments", "function", name, "err", err)
		}
	}()
}

// Environments sums the execution environments of every version of a
// function; ok is false when none was ever started.
func (s *Service) Environments(functionName string) (st sandbox.Stats, ok bool) {
	prefix := nameOf(functionName) + ":"
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, e := range s.pools {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		ps := e.pool.Stats()
		st.Environments += ps.Environments
		st.Idle += ps.Idle
		st.Busy += ps.Busy
		st.Created += ps.Created
		st.Inits += ps.Inits
		st.Reaped += ps.Reaped
		ok = true
	}
	return st, ok
}
