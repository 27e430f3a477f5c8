package logs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Store buckets. Keys inside them are described in keys.go.
const (
	bucketGroups  = "logs.groups"
	bucketStreams = "logs.streams"
	bucketEvents  = "logs.events"
)

// errStop ends a store walk early; it never leaves the package.
var errStop = errors.New("stop walking")

// Defaults for the zero values of Config.
const (
	DefaultFlushInterval   = 200 * time.Millisecond
	DefaultCleanupInterval = 10 * time.Minute
	DefaultRegion          = "us-east-1"
	DefaultAccountID       = "000000000000"

	// flushThreshold is the number of buffered bytes (message bytes plus
	// AWS's 26 bytes of per-event overhead) that wakes the flusher
	// before its interval.
	flushThreshold = 1 << 20
	// maxBuffered bounds the memory Append may hold while the store is
	// slow; beyond it events are dropped (and counted in the log) rather
	// than blocking the invoke path.
	maxBuffered = 64 << 20
)

// Config configures a Service.
type Config struct {
	// DB is the store; required.
	DB *store.DB
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the service's own diagnostics (not function logs);
	// nil discards them.
	Logger *slog.Logger
	// FlushInterval is how long Append may hold events in memory; zero
	// means DefaultFlushInterval.
	FlushInterval time.Duration
	// CleanupInterval is how often expired events are deleted; zero
	// means DefaultCleanupInterval, negative disables the background pass
	// (ExpireEvents can still be called).
	CleanupInterval time.Duration
	// Region and AccountID go into ARNs; empty means DefaultRegion and
	// DefaultAccountID.
	Region    string
	AccountID string
}

// Service is CloudWatch Logs. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	now       func() time.Time
	log       *slog.Logger
	region    string
	accountID string

	sink sink
	tail tail

	stop         chan struct{}
	done         chan struct{}
	shutdownOnce sync.Once
	shutdownErr  error
}

// New builds a Service and starts its background flusher. Call Shutdown
// to stop it.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil {
		return nil, errors.New("logs: Config.DB is required")
	}
	s := &Service{
		db:        cfg.DB,
		now:       cfg.Now,
		log:       cfg.Logger,
		region:    cfg.Region,
		accountID: cfg.AccountID,
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.accountID == "" {
		s.accountID = DefaultAccountID
	}
	flush := cfg.FlushInterval
	if flush <= 0 {
		flush = DefaultFlushInterval
	}
	cleanup := cfg.CleanupInterval
	if cleanup == 0 {
		cleanup = DefaultCleanupInterval
	}
	s.sink.init()
	go s.run(flush, cleanup)
	return s, nil
}

// run is the background loop: it flushes the Append buffer and deletes
// expired events until Shutdown.
func (s *Service) run(flushEvery, cleanupEvery time.Duration) {
	defer close(s.done)
	flushTick := time.NewTicker(flushEvery)
	defer flushTick.Stop()
	var cleanupC <-chan time.Time
	if cleanupEvery > 0 {
		t := time.NewTicker(cleanupEvery)
		defer t.Stop()
		cleanupC = t.C
	}
	for {
		select {
		case <-flushTick.C:
			s.flushLogged()
		case <-s.sink.kick:
			s.flushLogged()
		case <-cleanupC:
			if n, err := s.ExpireEvents(context.Background()); err != nil {
				s.log.Error("logs: expire events", "err", err)
			} else if n > 0 {
				s.log.Debug("logs: expired events removed", "count", n)
			}
		case <-s.stop:
			return
		}
	}
}

func (s *Service) flushLogged() {
	if err := s.flush(); err != nil {
		s.log.Error("logs: flush buffered events", "err", err)
	}
}

// Flush writes every event buffered by Append to the store before it
// returns. The flusher does this on its own; Flush is for callers that
// must read what they just appended.
func (s *Service) Flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.flush()
}

// Shutdown stops the flusher, writes everything Append buffered, and ends
// every subscription (their channels are closed). It is safe to call more
// than once; later calls return the first call's result.
func (s *Service) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.sink.close()
		close(s.stop)
		select {
		case <-s.done:
		case <-ctx.Done():
			s.shutdownErr = fmt.Errorf("logs: shutdown: %w", context.Cause(ctx))
			return
		}
		if err := s.flush(); err != nil {
			s.shutdownErr = fmt.Errorf("logs: shutdown: %w", err)
		}
		s.tail.closeAll()
	})
	return s.shutdownErr
}

// millis is AWS's timestamp unit: milliseconds since the Unix epoch.
func millis(t time.Time) int64 { return t.UnixMilli() }

func (s *Service) nowMillis() int64 { return millis(s.now()) }

func (s *Service) groupARN(group string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.region, s.accountID, group)
}

func (s *Service) streamARN(group, stream string) string {
	return s.groupARN(group) + ":log-stream:" + stream
}
