package edge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// APIHandler serves one HTTP API request; path has any
// /_aws/execute-api/{apiId} prefix removed.
type APIHandler func(w http.ResponseWriter, r *http.Request, apiID, path string)

// Config configures the listener.
type Config struct {
	// Host and Port to bind; Port 0 picks a free port (tests).
	Host string
	Port int
	// API serves HTTP API data-plane requests; required.
	API APIHandler
	// Internal serves /_cloudlet/…; nil answers 404.
	Internal http.Handler
	// AWS serves AWS API calls; nil answers 501 NotImplemented.
	AWS    http.Handler
	Logger *slog.Logger
	// ReadHeaderTimeout cuts off clients that send headers too slowly
	// (slowloris); 0 means 10 s. IdleTimeout closes idle keep-alive
	// connections; 0 means 120 s. BodyIdleTimeout cuts off a request whose
	// body stops arriving for that long (see idleBody); 0 means 30 s,
	// negative never.
	ReadHeaderTimeout, IdleTimeout, BodyIdleTimeout time.Duration
}

// Server is the listener.
type Server struct {
	cfg      Config
	log      *slog.Logger
	ln       net.Listener
	srv      *http.Server
	draining atomic.Bool
	inflight atomic.Int64 // requests being served, 503s excluded
	served   chan error

	shutOnce sync.Once
	shutErr  error
}

// New returns an unstarted server.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cfg.ReadHeaderTimeout == 0 {
		s.cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if s.cfg.IdleTimeout == 0 {
		s.cfg.IdleTimeout = 120 * time.Second
	}
	if s.cfg.BodyIdleTimeout == 0 {
		s.cfg.BodyIdleTimeout = 30 * time.Second
	}
	return s
}

// Listen binds the port. It is separate from Serve so that bind errors
// are reported synchronously and port 0 is known before serving.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen on %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	s.ln = ln
	return nil
}

// Addr is the bound address, e.g. 127.0.0.1:4566.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port is the bound port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Serve serves in the background until Shutdown.
func (s *Server) Serve() {
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.served = make(chan error, 1)
	go func() { s.served <- s.srv.Serve(s.ln) }()
}

// Shutdown drains: requests in flight finish (until ctx ends) while every
// new request, on a new connection or an open one, is answered 503 with
// Connection: close — a client learns that cloudlet is going away rather
// than finding its port closed. Then the listener closes and what is left
// is cut off. Only the first call does anything.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutOnce.Do(func() { s.shutErr = s.shutdown(ctx) })
	return s.shutErr
}

func (s *Server) shutdown(ctx context.Context) error {
	if s.srv == nil {
		if s.ln != nil {
			return s.ln.Close()
		}
		return nil
	}
	s.draining.Store(true)
	tick := time.NewTicker(10 * time.Millisecond)
	for s.inflight.Load() > 0 && ctx.Err() == nil {
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	tick.Stop()
	// A request that got past the draining check as it was set is still
	// counted by net/http, which waits for it here.
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		_ = s.srv.Close()
		return fmt.Errorf("drain: requests still running when the grace period ended: %w", err)
	}
	if serr := <-s.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// ServeHTTP dispatches a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		w.Header().Set("Connection", "close")
		http.Error(w, "cloudlet is shutting down", http.StatusServiceUnavailable)
		return
	}
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	s.guardBody(w, r)
	if apiID, ok := executeAPIHost(r.Host); ok {
		s.cfg.API(w, r, apiID, r.URL.Path)
		return
	}
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/_aws/execute-api/"); ok {
		apiID, sub, _ := strings.Cut(rest, "/")
		s.cfg.API(w, r, apiID, "/"+sub)
		return
	}
	if strings.HasPrefix(path, "/_cloudlet/") || path == "/_cloudlet" {
		if s.cfg.Internal == nil {
			http.NotFound(w, r)
			return
		}
		s.cfg.Internal.ServeHTTP(w, r)
		return
	}
	if s.cfg.AWS != nil {
		s.cfg.AWS.ServeHTTP(w, r)
		return
	}
	NotImplemented(w, r)
}

// executeAPIHost recognises {apiId}.execute-api.<anything> and returns the
// API ID.
func executeAPIHost(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	id, rest, ok := strings.Cut(host, ".")
	if !ok || id == "" || !strings.HasPrefix(rest, "execute-api.") {
		return "", false
	}
	return strings.ToLower(id), true
}

// NotImplemented answers an AWS call cloudlet does not implement: 501 with
// a message naming what was asked, never a misleading 400 or 404
// (DESIGN.md, AWS's words).
func NotImplemented(w http.ResponseWriter, r *http.Request) {
	what := r.Header.Get("X-Amz-Target")
	if what == "" {
		what = r.URL.Query().Get("Action")
	}
	if what == "" {
		what = r.Method + " " + r.URL.Path
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", "NotImplemented")
	w.WriteHeader(http.StatusNotImplemented)
	fmt.Fprintf(w, `{"__type":"NotImplemented","message":%q}`, "cloudlet does not implement this AWS operation yet: "+what)
}
