package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"coopledger/ledger"
)

// Core holds what every handler of every room needs: the store, the logger,
// the failed-authentication limiter and the public base URL.
type Core struct {
	Store   *ledger.Store
	Logger  *slog.Logger
	Limiter *AuthLimiter
	Started time.Time // claims older than this process lost their response
	// PublicURL is the configured public base URL, without a trailing slash.
	PublicURL string
	// Proxies are the peers whose X-Forwarded-For and X-Forwarded-Proto are
	// believed; nil without --trust-proxy.
	Proxies []*net.IPNet
	// Sessions is how long a web sign-in lives.
	Sessions ledger.SessionPolicy
}

// NewCore returns the shared state of the rooms. publicURL is the base of
// public links ("" means the host each request came to).
func NewCore(store *ledger.Store, logger *slog.Logger, authFailuresPerMinute int, publicURL string) *Core {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Core{Store: store, Logger: logger, Limiter: NewAuthLimiter(authFailuresPerMinute, time.Now), Started: time.Now(),
		PublicURL: strings.TrimRight(publicURL, "/")}
}

// requestIDPattern admits a caller's X-Request-ID only if it is short and
// plain; anything else is replaced so logs stay clean.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// RequestID takes the caller's X-Request-ID or makes one, and echoes it back.
func RequestID(next echo.HandlerFunc) echo.HandlerFunc {
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

func RequestIDOf(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

// RequestLogger writes one structured line per request. Errors are handed to
// the error handler first so the logged status is the one sent.
func (a *Core) RequestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError: true,
		LogLatency:  true, LogRemoteIP: true, LogMethod: true,
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
				slog.String("route", LogRoute(c)),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency),
				slog.Int64("bytes_out", v.ResponseSize), slog.String("remote_ip", v.RemoteIP),
			}
			if actor, ok := c.Get(ActorKey).(ledger.Actor); ok {
				attrs = append(attrs, slog.Int64("user_id", actor.UserID))
			}
			if v.Error != nil {
				attrs = append(attrs, slog.String("code", ErrorCode(v.Error)))
			}
			a.Logger.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// LogRoute is what logs say of a request's path: the route pattern
// (/h/:book/:token), never the path itself, which may hold a household's
// link token, a disclosure slug or an ID number; "-" when no route matched.
func LogRoute(c echo.Context) string {
	if p := c.Path(); p != "" {
		return p
	}
	return "-"
}

// longNumber is a run of digits as long as an ID number (15 or 18, the last
// maybe X) or a bank card (16 to 19): never written to a log, even when a
// client puts one in a path by mistake. Query strings are not logged at all.
var longNumber = regexp.MustCompile(`[0-9]{15,}[0-9Xx]?`)

func RedactNumbers(s string) string { return longNumber.ReplaceAllString(s, "[redacted]") }

// errPanic marks a recovered panic so the error handler answers 500.
var errPanic = errors.New("panic")

// RecoverPanics turns a panic into a logged 500 with the error envelope.
func (a *Core) RecoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true, // the request logger hands the error on, once
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			a.Logger.Error("panic", slog.String("request_id", RequestIDOf(c)),
				slog.String("error", err.Error()), slog.String("stack", string(stack)))
			return fmt.Errorf("%w: %v", errPanic, err)
		},
	})
}

// BodyLimit refuses request bodies over limit bytes with 413; a route of
// large (route path → its own limit) gets its own limit instead, attached to
// the route with RouteBodyLimit.
func BodyLimit(limit int64, large map[string]int64) echo.MiddlewareFunc {
	return middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: strconv.FormatInt(limit, 10) + "B",
		Skipper: func(c echo.Context) bool {
			_, ok := large[c.Path()]
			return ok
		},
	})
}

// RouteBodyLimit refuses request bodies over limit bytes with 413.
func RouteBodyLimit(limit int64) echo.MiddlewareFunc {
	return middleware.BodyLimit(strconv.FormatInt(limit, 10) + "B")
}

// Ctx returns the request's context (with its deadline).
func Ctx(c echo.Context) context.Context { return c.Request().Context() }
