package iam_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// clock is a fake time source tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a service over a real store in a temp dir, reopenable.
type env struct {
	t     testing.TB
	dir   string
	db    *store.DB
	clock *clock
	svc   *iam.Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: newClock()}
	e.open()
	t.Cleanup(func() { e.db.Close() })
	return e
}

func (e *env) open() {
	e.t.Helper()
	db, err := store.Open(e.dir)
	if err != nil {
		e.t.Fatalf("store.Open: %v", err)
	}
	svc, err := iam.New(iam.Config{DB: db, Now: e.clock.Now})
	if err != nil {
		e.t.Fatalf("iam.New: %v", err)
	}
	e.db, e.svc = db, svc
}

// reopen closes the store and builds a fresh service on the same files,
// as a restarted server would.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.db.Close(); err != nil {
		e.t.Fatalf("close store: %v", err)
	}
	e.open()
}

func (e *env) createRole(name, path, trust string) *iam.Role {
	e.t.Helper()
	r, err := e.svc.CreateRole(context.Background(), iam.CreateRoleInput{RoleName: name, Path: path, AssumeRolePolicyDocument: trust})
	if err != nil {
		e.t.Fatalf("CreateRole(%s): %v", name, err)
	}
	return r
}

// checkErr asserts err is an AWS error with the given code, status and
// message.
func checkErr(t testing.TB, what string, err error, code string, status int, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Errorf("%s = %v, want %s %d %q", what, err, code, status, msg)
		return
	}
	if e.Code != code || e.HTTPStatus() != status || e.Message != msg {
		t.Errorf("%s = %s %d %q, want %s %d %q", what, e.Code, e.HTTPStatus(), e.Message, code, status, msg)
	}
}

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}`
