package sandbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/bootstrap"
)

// Clock tells the time where behaviour depends on it: idle reaping and log
// timestamps. Invocation timeouts run on real timers: the processes they
// bound run in real time.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Defaults for PoolConfig's zero values.
const (
	DefaultMaxEnvironments = 1000
	DefaultIdleTimeout     = 10 * time.Minute
	// DefaultInitTimeout is Lambda's Init limit for on-demand environments (§2.1).
	DefaultInitTimeout = 10 * time.Second
	// shutdownGrace is how long a runtime gets between SIGTERM and SIGKILL;
	// AWS caps its Shutdown phase at 2 s (§2.1).
	shutdownGrace = 2 * time.Second
)

// PoolConfig configures a Pool.
type PoolConfig struct {
	Function Function
	// Runtimes resolves interpreters; nil means NewRuntimes(nil). Share one
	// between pools: it caches its answers.
	Runtimes *Runtimes
	// Logs receives function log lines; nil discards them.
	Logs LogSink
	// MaxEnvironments caps concurrent environments; zero means 1000.
	MaxEnvironments int
	// IdleTimeout is how long an environment may sit idle before it is shut
	// down; zero means 10 minutes.
	IdleTimeout time.Duration
	// InitTimeout bounds the Init phase before the suppressed-init retry;
	// zero means 10 s. Tests shorten it.
	InitTimeout time.Duration
	// ScratchDir is the parent of each environment's TMPDIR (and of the
	// runtime clients' directory, unless RuntimeDir is set); empty means a
	// new directory under os.TempDir(), removed by Shutdown.
	ScratchDir string
	// RuntimeDir is the parent of the runtime clients' directory; empty
	// means ScratchDir. Pools sharing it, a runtime and an Isolation share
	// standby processes (without isolation, the clients' path is part of
	// what a runtime process is started with).
	RuntimeDir string
	// Logger is the platform's log; nil means slog.Default().
	Logger *slog.Logger
	// Clock drives idle reaping and log timestamps; nil means real time.
	Clock Clock
	// Isolation confines environments; nil means fallback mode without
	// a probe, and without standby processes (a pool's own would serve
	// only it). Build one with NewIsolation at startup and share it.
	Isolation *Isolation
	// HideDirs are host directories isolated environments must not see,
	// such as cloudlet's data directory (other functions' code, the
	// store): each appears empty. ScratchDir always is hidden (other
	// environments' /tmp). The code and layers may lie inside, the
	// interpreter not.
	HideDirs []string
	// MaxOutputBytes caps the function output (stdout and stderr) one
	// invocation, or one Init, sends to Logs: the rest is read and dropped
	// and one platform line says how much, so that a function flooding its
	// output neither blocks nor fills the platform. Zero means 10 MiB;
	// negative means no cap.
	MaxOutputBytes int64
}

// DefaultMaxOutputBytes is PoolConfig.MaxOutputBytes's default.
const DefaultMaxOutputBytes = 10 << 20

// ErrNoCapacity is wrapped by Invoke's error when MaxEnvironments are all
// busy. The error also carries an *awserr.Error (429
// TooManyRequestsException) for callers that pass it straight on.
var ErrNoCapacity = errors.New("all execution environments are busy")

// ErrClosed is returned by Invoke after Shutdown.
var ErrClosed = errors.New("sandbox pool is shut down")

// Pool runs invocations of one function version on a set of execution
// environments: it reuses an idle one when it can and starts a new one at
// once when none is idle, never queueing behind a busy one. It is safe for
// concurrent use.
type Pool struct {
	cfg        PoolConfig
	clock      Clock
	log        *slog.Logger
	initLimit  time.Duration
	runtimeDir string
	ownScratch bool
	argv       []string // runtime command for managed runtimes; nil for provided
	interpDir  string
	runtimeVer string
	iso        *Isolation
	view       *poolView // isolated mode
	// standbyKey names the standbys the pool's environments take over;
	// "" when they cannot (standby.go).
	standbyKey string

	mu       sync.Mutex
	idle     []*environment // most recently used last
	all      map[*environment]bool
	busy     int
	closed   bool
	created  int64
	inits    int64
	adopted  int64 // inits that took over a standby
	reaped   int64
	inflight sync.WaitGroup

	stopReaper chan struct{}
	reaperDone chan struct{}
	shutdown   sync.Once
}

// NewPool validates cfg, resolves the runtime's interpreter (logging the
// resolver's warning, if any) and installs the runtime clients. It starts
// no environment: the first Invoke does.
func NewPool(cfg PoolConfig) (*Pool, error) {
	f := cfg.Function
	if f.CodeDir == "" {
		return nil, fmt.Errorf("new sandbox pool for %s: no code directory", f.Name)
	}
	p := &Pool{
		cfg:        cfg,
		clock:      cfg.Clock,
		log:        cfg.Logger,
		initLimit:  cfg.InitTimeout,
		all:        map[*environment]bool{},
		stopReaper: make(chan struct{}),
		reaperDone: make(chan struct{}),
	}
	if p.clock == nil {
		p.clock = realClock{}
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.initLimit <= 0 {
		p.initLimit = DefaultInitTimeout
	}
	if p.cfg.MaxEnvironments <= 0 {
		p.cfg.MaxEnvironments = DefaultMaxEnvironments
	}
	if p.cfg.IdleTimeout <= 0 {
		p.cfg.IdleTimeout = DefaultIdleTimeout
	}
	if p.cfg.Runtimes == nil {
		p.cfg.Runtimes = NewRuntimes(nil)
	}
	if p.cfg.MaxOutputBytes == 0 {
		p.cfg.MaxOutputBytes = DefaultMaxOutputBytes
	}
	p.iso = cfg.Isolation
	if p.iso == nil {
		p.iso = fallbackIsolation("no isolation configured")
	}
	if p.cfg.ScratchDir == "" {
		dir, err := os.MkdirTemp("", "cloudlet-sandbox-")
		if err != nil {
			return nil, fmt.Errorf("new sandbox pool for %s: %w", f.Name, err)
		}
		p.cfg.ScratchDir, p.ownScratch = dir, true
	}
	dir, err := bootstrap.Install(cmp.Or(p.cfg.RuntimeDir, p.cfg.ScratchDir))
	if err != nil {
		return nil, fmt.Errorf("new sandbox pool for %s: %w", f.Name, err)
	}
	p.runtimeDir = dir

	rt := f.Runtime
	switch {
	case strings.HasPrefix(rt, "python3."):
		interp, warning, err := p.cfg.Runtimes.Python(rt)
		if err != nil {
			return nil, fmt.Errorf("new sandbox pool for %s: %w", f.Name, err)
		}
		if warning != "" {
			p.log.Warn(warning, "function", f.Name)
		}
		// -B: never write __pycache__ into the function's code directory.
		p.argv = []string{interp, "-B", filepath.Join(dir, bootstrap.PythonFile)}
		p.interpDir = filepath.Dir(interp)
		p.runtimeVer = "python:" + strings.TrimPrefix(rt, "python")
	case strings.HasPrefix(rt, "nodejs"):
		interp, warning, err := p.cfg.Runtimes.Node(rt)
		if err != nil {
			return nil, fmt.Errorf("new sandbox pool for %s: %w", f.Name, err)
		}
		if warning != "" {
			p.log.Warn(warning, "function", f.Name)
		}
		p.argv = []string{interp, filepath.Join(dir, bootstrap.NodeFile)}
		p.interpDir = filepath.Dir(interp)
		p.runtimeVer = "nodejs:" + strings.TrimSuffix(strings.TrimPrefix(rt, "nodejs"), ".x")
	case rt == "provided.al2" || rt == "provided.al2023" || rt == "provided":
		p.runtimeVer = "provided:" + strings.TrimPrefix(strings.TrimPrefix(rt, "provided"), ".")
	default:
		return nil, fmt.Errorf("new sandbox pool for %s: unsupported runtime %q", f.Name, rt)
	}
	if p.iso.Mode() == ModeIsolated {
		var interp string
		if p.argv != nil {
			interp = p.argv[0]
		}
		if p.view, err = newPoolView(interp, p.cfg.ScratchDir, p.cfg.HideDirs); err != nil {
			return nil, fmt.Errorf("new sandbox pool for %s: %w", f.Name, err)
		}
	}
	if p.argv != nil && p.iso.standbys != nil {
		if r, why := p.standbyRecipe(); why == "" {
			p.standbyKey = r.key()
			p.iso.standbys.use(p.standbyKey, r, p.log)
		} else {
			p.log.Debug("lambda sandbox: cold starts of this function start their runtime afresh", "function", f.Name, "reason", why)
		}
	}
	go p.reaper()
	return p, nil
}

// standbyRecipe is the recipe of the standbys the pool's environments can
// take over, or why there is none.
func (p *Pool) standbyRecipe() (standbyRecipe, string) {
	argv, interpDir, err := p.command()
	if err != nil {
		return standbyRecipe{}, err.Error()
	}
	r := standbyRecipe{Argv: argv, Dir: p.runtimeDir, Runtime: p.runtimeDir}
	if p.view != nil {
		r.Dir, r.Keep = guestRuntime, p.view.keep
	}
	r.Env = standbyEnv(p.cfg.Function.Runtime, r.Dir, interpDir)
	return r, standbyMismatch(p.cfg.Function, r.Env, p.view != nil)
}

// takeStandby returns a standby for a new runtime process, or nil.
func (p *Pool) takeStandby() *standby {
	if p.standbyKey == "" {
		return nil
	}
	return p.iso.standbys.take(p.standbyKey)
}

// refillStandby starts the next standby once an Init is over.
func (p *Pool) refillStandby() {
	if p.standbyKey != "" {
		p.iso.standbys.refill(p.standbyKey)
	}
}

// command returns the argv of a runtime process, as the environment sees
// it, and the interpreter's directory (first on PATH). For provided
// runtimes the function's own bootstrap is looked up at each start: the
// code may carry it or not. AWS looks for /var/task/bootstrap, then
// /opt/bootstrap, where a later layer's file replaces an earlier one's
// (shared/specs/lambda.md §5.2).
func (p *Pool) command() ([]string, string, error) {
	f := p.cfg.Function
	if p.argv != nil {
		if p.view == nil {
			return p.argv, p.interpDir, nil
		}
		argv := make([]string, len(p.argv))
		for i, a := range p.argv {
			argv[i] = guestPath(a, f, p.runtimeDir)
		}
		return argv, p.interpDir, nil
	}
	candidates := []string{filepath.Join(f.CodeDir, "bootstrap")}
	for i := len(f.LayerDirs) - 1; i >= 0; i-- {
		candidates = append(candidates, filepath.Join(f.LayerDirs[i], "bootstrap"))
	}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			if p.view != nil {
				c = guestPath(c, f, p.runtimeDir)
			}
			return []string{c}, "", nil
		}
	}
	if p.view != nil {
		candidates = []string{guestTask + "/bootstrap", guestOpt + "/bootstrap"}
	}
	return nil, "", &launchError{reason: fmt.Sprintf("Couldn't find valid bootstrap(s): [%s]", strings.Join(candidates, " "))}
}

func (p *Pool) now() time.Time { return p.clock.Now() }

func (p *Pool) noteInit(adopted bool) {
	p.mu.Lock()
	p.inits++
	if adopted {
		p.adopted++
	}
	p.mu.Unlock()
}

// initStartLine is the INIT_START line of a cold start (§6.1). The version
// names cloudlet's runtime client build instead of an AWS runtime release.
func (p *Pool) initStartLine() string {
	return fmt.Sprintf("INIT_START Runtime Version: %s.cloudlet\tRuntime Version ARN: arn:aws:lambda:%s::runtime:%s",
		p.runtimeVer, p.cfg.Function.Region, bootstrap.Version())
}

// Invoke runs req on an idle environment, or on a new one if none is idle.
// A function error (handler exception, timeout, crash, oversized response)
// is a Response with FunctionError set. The error is for the platform's
// failures: ErrNoCapacity, ErrClosed, a cancelled ctx (ctx.Err(); the
// environment is then reset as after a timeout), or an environment that
// could not be set up.
func (p *Pool) Invoke(ctx context.Context, req Request) (*Response, error) {
	e, err := p.acquire()
	if err != nil {
		return nil, err
	}
	resp, err := e.invoke(ctx, req)
	p.release(e)
	return resp, err
}

func (p *Pool) acquire() (*environment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	var e *environment
	if n := len(p.idle); n > 0 {
		e = p.idle[n-1]
		p.idle = p.idle[:n-1]
	} else {
		if len(p.all) >= p.cfg.MaxEnvironments {
			return nil, fmt.Errorf("invoke %s: %w: %w", p.cfg.Function.Name, ErrNoCapacity,
				&awserr.Error{Code: awserr.CodeTooManyRequests, Message: "Rate Exceeded.", Status: http.StatusTooManyRequests,
					Fields: map[string]string{"Reason": "ConcurrentInvocationLimitExceeded"}})
		}
		var err error
		if e, err = p.newEnvironment(); err != nil {
			return nil, err
		}
		p.all[e] = true
		p.created++
	}
	p.busy++
	p.inflight.Add(1)
	return e, nil
}

func (p *Pool) release(e *environment) {
	p.mu.Lock()
	p.busy--
	e.lastUsed = p.now()
	if !p.closed {
		p.idle = append(p.idle, e)
	}
	p.mu.Unlock()
	p.inflight.Done()
}

// newEnvironment makes an environment's identity and scratch directory; its
// process starts with its first invocation. Called with p.mu held.
func (p *Pool) newEnvironment() (*environment, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("new environment id: %w", err)
	}
	id := hex.EncodeToString(b[:])
	f := p.cfg.Function
	tmp := filepath.Join(p.cfg.ScratchDir, "env-"+id)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("new environment scratch dir: %w", err)
	}
	// Stream name: creation date (UTC), version, environment id; in a
	// custom log group the function's name comes first (§6.3).
	stream := p.now().UTC().Format("2006/01/02") + "/[" + f.version() + "]" + id
	if f.logGroup() != "/aws/lambda/"+f.Name {
		stream = p.now().UTC().Format("2006/01/02") + "/" + f.Name + "[" + f.version() + "][" + id + "]"
	}
	e := &environment{pool: p, id: id, stream: stream, tmpDir: tmp}
	e.logs = &logStream{sink: p.cfg.Logs, group: f.logGroup(), stream: stream, now: p.now, limit: p.cfg.MaxOutputBytes}
	return e, nil
}

// Stats reports the pool's environments now.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{
		Environments: len(p.all),
		Idle:         len(p.idle),
		Busy:         p.busy,
		Created:      p.created,
		Inits:        p.inits,
		Reaped:       p.reaped,
	}
}
