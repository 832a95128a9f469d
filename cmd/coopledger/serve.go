package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"coopledger/httpapi"
	"coopledger/ledger"
)

// Limits of the HTTP server. Every request is bounded in time and size; the
// per-request timeout and body limit are enforced by httpapi, the rest here.
const (
	requestTimeout    = 30 * time.Second
	bodyLimitBytes    = 1 << 20 // 1 MiB; uploads that need more get their own limit in httpapi
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 2 * time.Minute // above requestTimeout, so a handler's own timeout answers first
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownGrace     = 10 * time.Second
)

// cmdServe migrates the database and serves the API until ctx is cancelled
// (SIGINT/SIGTERM), then lets in-flight requests finish for up to 10 s.
func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("serve", "serve [--db DSN] [--addr HOST:PORT]")
	db := e.dbFlag(fs)
	addr := e.addrFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))

	s, err := ledger.Connect(ctx, *db)
	if err != nil {
		return fmt.Errorf("serve: %s: %w", redactDSN(*db), err)
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	for _, name := range applied {
		logger.Info("migration applied", "name", name)
	}

	handler := httpapi.New(s, logger, httpapi.Options{RequestTimeout: requestTimeout, BodyLimit: bodyLimitBytes})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("listening on http://"+ln.Addr().String(), "db", redactDSN(*db))

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("serve: graceful shutdown did not finish within %s: %w", shutdownGrace, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}
