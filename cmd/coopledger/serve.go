package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
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

// serveFlags are serve's settings beyond the database.
type serveFlags struct {
	addr, tlsCert, tlsKey    string
	publicURL                string
	insecureListen, trustXFF bool
	authFailures             int
	trustedProxies           string
	sessionIdle, sessionMax  time.Duration
}

// cmdServe migrates the database and serves the API until ctx is cancelled
// (SIGINT/SIGTERM), then lets in-flight requests finish for up to 10 s.
func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("serve", "serve [--db DSN] [--addr HOST:PORT] [--tls-cert FILE --tls-key FILE] [--insecure-listen] [--trust-proxy [--trusted-proxies LIST]]")
	db := e.dbFlag(fs)
	var sf serveFlags
	fs.StringVar(&sf.addr, "addr", e.envOr(envAddr, defaultAddr), "listen address HOST:PORT (env "+envAddr+")")
	fs.StringVar(&sf.tlsCert, "tls-cert", "", "TLS certificate (PEM); with --tls-key the server speaks HTTPS")
	fs.StringVar(&sf.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fs.BoolVar(&sf.insecureListen, "insecure-listen", false, "allow plain HTTP on an address beyond loopback (only behind a TLS-terminating proxy)")
	fs.IntVar(&sf.authFailures, "auth-failures", 20, "failed authentications per minute, per client address and per credential, before 429")
	fs.StringVar(&sf.publicURL, "public-url", e.getenv(envPublicURL), "absolute base URL of public pages and QR codes, e.g. https://cun.example.cn (env "+envPublicURL+"; default: the host each request came to)")
	fs.BoolVar(&sf.trustXFF, "trust-proxy", false, "take the client address from X-Forwarded-For and the scheme from X-Forwarded-Proto, set by a proxy of --trusted-proxies")
	fs.StringVar(&sf.trustedProxies, "trusted-proxies", "", "with --trust-proxy: the proxies' IP addresses or CIDR ranges, comma separated (default: loopback)")
	fs.DurationVar(&sf.sessionIdle, "session-idle", 30*time.Minute, "a web sign-in ends after this long without a request")
	fs.DurationVar(&sf.sessionMax, "session-max-age", 12*time.Hour, "a web sign-in ends this long after signing in, however busy")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkListen(sf); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := checkSessionFlags(sf); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	publicURL, err := checkPublicURL(sf, logger)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

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

	handler := httpapi.New(s, logger, httpapi.Options{RequestTimeout: requestTimeout, BodyLimit: bodyLimitBytes,
		TrustProxy: sf.trustXFF, TrustedProxies: sf.trustedProxies, AuthFailuresPerMinute: sf.authFailures, PublicURL: publicURL,
		SessionIdle: sf.sessionIdle, SessionMaxAge: sf.sessionMax})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", sf.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	served := make(chan error, 1)
	scheme := "http"
	if sf.tlsCert != "" {
		scheme = "https"
		go func() { served <- srv.ServeTLS(ln, sf.tlsCert, sf.tlsKey) }()
	} else {
		go func() { served <- srv.Serve(ln) }()
	}
	logger.Info("listening on "+scheme+"://"+ln.Addr().String(), "db", redactDSN(*db))

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

// checkListen refuses plain HTTP beyond loopback: tokens and households' ID
// numbers would cross the network in clear. TLS settings or an explicit
// --insecure-listen (for a TLS-terminating proxy) lift the refusal.
func checkListen(sf serveFlags) error {
	if (sf.tlsCert == "") != (sf.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if sf.tlsCert != "" || sf.insecureListen || isLoopback(sf.addr) {
		return nil
	}
	return fmt.Errorf("refusing to serve plain HTTP on %s, beyond loopback: give --tls-cert and --tls-key, "+
		"or --insecure-listen if a TLS-terminating proxy stands in front", sf.addr)
}

// checkSessionFlags checks the proxies and the session lifetimes.
func checkSessionFlags(sf serveFlags) error {
	if sf.trustedProxies != "" && !sf.trustXFF {
		return fmt.Errorf("--trusted-proxies 需与 --trust-proxy 一起使用")
	}
	if err := httpapi.ParseProxies(sf.trustedProxies); err != nil {
		return err
	}
	if sf.sessionIdle < time.Minute || sf.sessionMax < sf.sessionIdle {
		return fmt.Errorf("--session-idle 应至少 1 分钟，--session-max-age 不短于 --session-idle")
	}
	return nil
}

// checkPublicURL checks --public-url and warns when printed QR codes would
// lead to a loopback address, which no phone can open.
func checkPublicURL(sf serveFlags, logger *slog.Logger) (string, error) {
	const warning = "公开页面和二维码的地址是本机回环地址，手机扫码打不开；请用 --public-url 设置村民能访问的地址 / " +
		"public links and QR codes lead to a loopback address; set --public-url"
	if sf.publicURL == "" {
		if isLoopback(sf.addr) {
			logger.Warn(warning, "public_url", "(the host of each request)", "addr", sf.addr)
		}
		return "", nil
	}
	u, err := httpapi.ParsePublicURL(sf.publicURL)
	if err != nil {
		return "", err
	}
	if httpapi.IsLoopbackURL(u) {
		logger.Warn(warning, "public_url", u)
	}
	return u, nil
}

// isLoopback reports whether addr's host is localhost or a loopback IP; an
// empty host means every interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
