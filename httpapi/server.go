package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"coopledger/ledger"
)

// Options tunes the server; zero values take the defaults.
type Options struct {
	RequestTimeout time.Duration // per request, default 30 s
	BodyLimit      int64         // bytes, default 1 MiB
	// AuthFailuresPerMinute is how many failed authentications one client
	// address may make per minute before it gets 429; default 20.
	AuthFailuresPerMinute int
	// TrustProxy takes the client address from X-Forwarded-For set by a
	// reverse proxy on loopback or a private network; off by default, so a
	// client cannot pick its own address to dodge the limit.
	TrustProxy bool
	// PublicURL is the absolute base URL of every public link and QR code
	// (checked by ParsePublicURL); "" means the host each request came to.
	PublicURL string
}

const (
	defaultRequestTimeout = 30 * time.Second
	defaultBodyLimit      = 1 << 20
)

func (o Options) withDefaults() Options {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = defaultRequestTimeout
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = defaultBodyLimit
	}
	if o.AuthFailuresPerMinute <= 0 {
		o.AuthFailuresPerMinute = defaultAuthFailures
	}
	return o
}

// api holds what every handler needs.
type api struct {
	store   *ledger.Store
	logger  *slog.Logger
	limiter *authLimiter
	started time.Time // claims older than this process lost their response
	// publicURL is Options.PublicURL, without a trailing slash.
	publicURL string
}

// New returns the HTTP API of store. Graceful shutdown belongs to the caller's
// http.Server.
func New(store *ledger.Store, logger *slog.Logger, opts Options) http.Handler {
	return newEcho(store, logger, opts)
}

func newEcho(store *ledger.Store, logger *slog.Logger, opts Options) *echo.Echo {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	a := &api{store: store, logger: logger, limiter: newAuthLimiter(opts.AuthFailuresPerMinute, time.Now), started: time.Now(),
		publicURL: strings.TrimRight(opts.PublicURL, "/")}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(opts.TrustProxy)
	e.HTTPErrorHandler = a.handleError
	e.Use(requestID, securityHeaders, a.requestLogger(), a.recoverPanics(), cleanParams, bodyLimit(opts.BodyLimit),
		middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
			Timeout:      opts.RequestTimeout,
			ErrorHandler: func(err error, _ echo.Context) error { return err }, // errors.go maps deadlines
		}))
	a.routes(e)
	return e
}

// ipExtractor is the peer address, or with trustProxy the address a proxy on
// loopback or a private network put in X-Forwarded-For.
func ipExtractor(trustProxy bool) echo.IPExtractor {
	if trustProxy {
		return echo.ExtractIPFromXFFHeader(echo.TrustLoopback(true), echo.TrustPrivateNet(true), echo.TrustLinkLocal(false))
	}
	return echo.ExtractIPDirect()
}

// requestIDPattern admits a caller's X-Request-ID only if it is short and
// plain; anything else is replaced so logs stay clean.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// requestID takes the caller's X-Request-ID or makes one, and echoes it back.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !requestIDPattern.MatchString(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
			c.Request().Header.Set(echo.HeaderXRequestID, id)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func requestIDOf(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

// requestLogger writes one structured line per request. Errors are handed to
// the error handler first so the logged status is the one sent.
func (a *api) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError: true,
		LogLatency:  true, LogRemoteIP: true, LogMethod: true, LogURIPath: true, LogRoutePath: true,
		LogRequestID: true, LogStatus: true, LogError: true, LogResponseSize: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case v.Status >= 400:
				level = slog.LevelWarn
			}
			attrs := []slog.Attr{
				slog.String("request_id", v.RequestID), slog.String("method", v.Method),
				slog.String("path", redactNumbers(v.URIPath)), slog.String("route", v.RoutePath),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency),
				slog.Int64("bytes_out", v.ResponseSize), slog.String("remote_ip", v.RemoteIP),
			}
			if actor, ok := c.Get(actorKey).(ledger.Actor); ok {
				attrs = append(attrs, slog.Int64("user_id", actor.UserID))
			}
			if v.Error != nil {
				attrs = append(attrs, slog.String("code", errorCode(v.Error)))
			}
			a.logger.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// longNumber is a run of digits as long as an ID number (15 or 18, the last
// maybe X) or a bank card (16 to 19): never written to a log, even when a
// client puts one in a path by mistake. Query strings are not logged at all.
var longNumber = regexp.MustCompile(`[0-9]{15,}[0-9Xx]?`)

func redactNumbers(s string) string { return longNumber.ReplaceAllString(s, "[redacted]") }

// errPanic marks a recovered panic so the error handler answers 500.
var errPanic = errors.New("panic")

// recoverPanics turns a panic into a logged 500 with the error envelope.
func (a *api) recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true, // the request logger hands the error on, once
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			a.logger.Error("panic", slog.String("request_id", requestIDOf(c)),
				slog.String("error", err.Error()), slog.String("stack", string(stack)))
			return fmt.Errorf("%w: %v", errPanic, err)
		},
	})
}

// largeBodies are the routes whose uploads need more than the default body
// limit, with their own limit.
var largeBodies = map[string]int64{
	"/api/v1/books/:book/imports/:kind": importBodyLimit,
	batchRoute:                          batchBodyLimit,
}

// bodyLimit refuses request bodies over limit bytes with 413; a route of
// largeBodies gets its own limit instead.
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: strconv.FormatInt(limit, 10) + "B",
		Skipper: func(c echo.Context) bool {
			_, large := largeBodies[c.Path()]
			return large
		},
	})
}

// routeBodyLimit is the limit of a route listed in largeBodies.
func routeBodyLimit(path string) echo.MiddlewareFunc {
	return middleware.BodyLimit(strconv.FormatInt(largeBodies[path], 10) + "B")
}

// ctx returns the request's context (with its deadline).
func ctx(c echo.Context) context.Context { return c.Request().Context() }
