package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// TemplateSource reads the templates nested stacks name by TemplateURL.
type TemplateSource interface {
	// FetchTemplate returns a display name (for error messages) and the
	// body of the template at url.
	FetchTemplate(ctx context.Context, url string) (name string, body []byte, err error)
}

// Config configures an Engine.
type Config struct {
	DB                *store.DB
	Region, AccountID string
	// Registry holds the resource providers; required.
	Registry *Registry
	// Templates resolves nested stacks' TemplateURLs; nil refuses them.
	Templates TemplateSource
	// SSM resolves AWS::SSM::Parameter::Value<…> parameters; nil refuses
	// them.
	SSM func(ctx context.Context, name string) (string, error)
	// Logger is the platform log; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Parallelism bounds how many resources of one stack are worked on at
	// once; 0 means 16.
	Parallelism int
}

// Engine runs stack operations. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	db     *store.DB
	log    *slog.Logger
	now    func() time.Time
	par    int
	ctx    context.Context // base context of background operations
	cancel context.CancelFunc

	commits *committer

	mu      sync.Mutex
	running map[string]chan struct{} // stack ID → closed when its operation ends
	detail  map[string]error         // stack ID → first failure of its last operation
	wg      sync.WaitGroup

	// leftovers are the stacks a previous process left in progress, found
	// when the engine was made, and the end of the operation slot each
	// holds until Recover settles it: stacks this process starts are never
	// taken for leftovers, and nothing else runs on a leftover before
	// Recover has finished it.
	leftovers map[string]func()
}

// New returns an engine over cfg.DB.
func New(cfg Config) (*Engine, error) {
	if cfg.DB == nil || cfg.Registry == nil {
		return nil, errors.New("stack: Config needs DB and Registry")
	}
	e := &Engine{cfg: cfg, db: cfg.DB, log: cfg.Logger, now: cfg.Now, par: cfg.Parallelism,
		running: map[string]chan struct{}{}, detail: map[string]error{}}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.par <= 0 {
		e.par = 16
	}
	e.commits = newCommitter(e.db, e.now)
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.registerNested()
	if err := e.claimLeftovers(); err != nil {
		return nil, err
	}
	return e, nil
}

// Shutdown stops background operations and waits for them (bounded by
// ctx). An operation cut short stays *_IN_PROGRESS in the store and is
// finished by Recover on the next start.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.cancel()
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stack engine shutdown: %w", context.Cause(ctx))
	}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (e *Engine) partition() string { return partitionOf(e.cfg.Region) }

func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func urlSuffixOf(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

func (e *Engine) stackARN(name string) string {
	return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", e.partition(), e.cfg.Region, e.cfg.AccountID, name, newUUID())
}

// notFound is DescribeStacks' wording; the AWS CLI's deploy depends on it
// (spec cloudformation §5.2, §12.1).
func notFound(nameOrID string) error {
	return awserr.New(awserr.CodeValidationError, "Stack with id %s does not exist", nameOrID)
}

// Registry is the engine's provider registry.
func (e *Engine) Registry() *Registry { return e.cfg.Registry }

// Describe returns the stack named by a name or stack ID. By name, only a
// live stack is found; by ID, a deleted one too (spec §5.2).
func (e *Engine) Describe(ctx context.Context, nameOrID string) (*Stack, error) {
	var st *Stack
	err := e.db.View(func(tx *store.Tx) error {
		var err error
		st, err = lookup(tx, nameOrID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, notFound(nameOrID)
	}
	return st, nil
}

// ListStacks returns every stack, deleted ones included, newest first.
func (e *Engine) ListStacks(ctx context.Context) ([]*Stack, error) {
	var out []*Stack
	err := e.db.View(func(tx *store.Tx) error {
		all, err := store.List[Stack](tx, bucketStacks, "")
		for i := range all {
			out = append(out, &all[i])
		}
		return err
	})
	sortStacks(out)
	return out, err
}

// Events returns the stack's events, newest first. A missing stack gets
// the events API's wording, not DescribeStacks' (spec §5.2).
func (e *Engine) Events(ctx context.Context, nameOrID string) ([]Event, error) {
	var out []Event
	err := e.db.View(func(tx *store.Tx) error {
		st, err := lookup(tx, nameOrID)
		if err != nil {
			return err
		}
		if st == nil {
			return awserr.New(awserr.CodeValidationError, "Stack [%s] does not exist", nameOrID)
		}
		out, err = store.List[Event](tx, bucketEvents, st.ID+"/")
		return err
	})
	slices.Reverse(out)
	return out, err
}

// Resources returns the stack's current resources in template order.
func (e *Engine) Resources(ctx context.Context, nameOrID string) ([]Resource, error) {
	var out []Resource
	err := e.db.View(func(tx *store.Tx) error {
		st, err := lookup(tx, nameOrID)
		if err != nil {
			return err
		}
		if st == nil {
			return notFound(nameOrID)
		}
		out, err = loadResources(tx, st.ID)
		return err
	})
	return out, err
}

// Wait blocks until the stack's running operation ends and returns the
// stack. It returns an *OperationError when the operation failed.
func (e *Engine) Wait(ctx context.Context, id string) (*Stack, error) {
	e.mu.Lock()
	ch := e.running[id]
	e.mu.Unlock()
	if ch != nil {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	st, err := e.Describe(ctx, id)
	if err != nil {
		return nil, err
	}
	switch st.Status {
	case CreateComplete, UpdateComplete, DeleteComplete:
		return st, nil
	}
	e.mu.Lock()
	detail := e.detail[st.ID]
	e.mu.Unlock()
	return st, &OperationError{StackName: st.Name, Status: st.Status, Reason: st.StatusReason, Detail: detail}
}

// begin marks the stack's operation as running; end must be called when it
// finishes. It fails when an operation is already running.
func (e *Engine) begin(id string) (end func(), ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, busy := e.running[id]; busy {
		return nil, false
	}
	ch := make(chan struct{})
	e.running[id] = ch
	e.wg.Add(1)
	return func() {
		e.mu.Lock()
		delete(e.running, id)
		e.mu.Unlock()
		close(ch)
		e.wg.Done()
	}, true
}
