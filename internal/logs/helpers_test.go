package logs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Millis() int64 { return c.Now().UnixMilli() }

// newService builds a Service on a fresh store. The flusher's interval is
// an hour so that only Flush, Shutdown or a full buffer write events.
func newService(t testing.TB, clk *clock) (*logs.Service, *store.DB) {
	t.Helper()
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := logs.New(logs.Config{DB: db, Now: clk.Now, FlushInterval: time.Hour, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		db.Close()
	})
	return s, db
}

// wantCode fails unless err carries the AWS code (and, when msg is not
// empty, that message).
func wantCode(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Errorf("%s error = %v, want %s", what, err, code)
		return
	}
	if e.Code != code || (msg != "" && e.Message != msg) {
		t.Errorf("%s error = %s: %q, want %s: %q", what, e.Code, e.Message, code, msg)
	}
}

func mustCreate(t testing.TB, s *logs.Service, group string, streams ...string) {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateLogGroup(ctx, group, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, st := range streams {
		if err := s.CreateLogStream(ctx, group, st); err != nil {
			t.Fatal(err)
		}
	}
}

func messages[E any](evs []E, msg func(E) string) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = msg(e)
	}
	return out
}

func outMsg(e logs.OutputLogEvent) string   { return e.Message }
func filMsg(e logs.FilteredLogEvent) string { return e.Message }
