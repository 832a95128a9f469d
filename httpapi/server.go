package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Options tunes the server; zero values take the defaults.
type Options struct {
	RequestTimeout time.Duration // per request, default 30 s
	BodyLimit      int64         // bytes, default 1 MiB
	// AuthFailuresPerMinute is how many failed authentications one client
	// address may make per minute before it gets 429; default 20.
	AuthFailuresPerMinute int
	// TrustProxy takes the client address from X-Forwarded-For and the
	// scheme from X-Forwarded-Proto, set by one of TrustedProxies; off by
	// default, so a client cannot pick its own address to dodge the limit.
	TrustProxy bool
	// TrustedProxies lists the proxies' addresses or CIDR ranges, separated
	// by commas (checked by ParseProxies); "" means loopback.
	TrustedProxies string
	// SessionIdle ends a web sign-in after this long without a request
	// (default 30 min); SessionMaxAge ends it this long after sign-in
	// (default 12 h).
	SessionIdle, SessionMaxAge time.Duration
	// PublicURL is the absolute base URL of every public link and QR code
	// (checked by ParsePublicURL); "" means the host each request came to.
	PublicURL string
}

const (
	defaultRequestTimeout = 30 * time.Second
	defaultBodyLimit      = 1 << 20
	defaultSessionIdle    = 30 * time.Minute
	defaultSessionMaxAge  = 12 * time.Hour
)

func (o Options) withDefaults() Options {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = defaultRequestTimeout
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = defaultBodyLimit
	}
	if o.SessionIdle <= 0 {
		o.SessionIdle = defaultSessionIdle
	}
	if o.SessionMaxAge <= 0 {
		o.SessionMaxAge = defaultSessionMaxAge
	}
	if o.AuthFailuresPerMinute <= 0 {
		o.AuthFailuresPerMinute = httpx.DefaultAuthFailures
	}
	return o
}

// New returns the HTTP API of store. Graceful shutdown belongs to the caller's
// http.Server. Bad TrustedProxies panic: callers check them first with
// ParseProxies.
func New(store *ledger.Store, logger *slog.Logger, opts Options) http.Handler {
	return newEcho(store, logger, opts)
}

func newEcho(store *ledger.Store, logger *slog.Logger, opts Options) *echo.Echo {
	opts = opts.withDefaults()
	core := httpx.NewCore(store, logger, opts.AuthFailuresPerMinute, opts.PublicURL)
	core.Sessions = ledger.SessionPolicy{Idle: opts.SessionIdle, Absolute: opts.SessionMaxAge}
	if opts.TrustProxy {
		proxies, err := httpx.ParseProxies(opts.TrustedProxies)
		if err != nil {
			panic(err)
		}
		core.Proxies = proxies
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = httpx.IPExtractor(core.Proxies)
	e.HTTPErrorHandler = core.HandleError
	e.Use(httpx.RequestID, httpx.SecurityHeaders, core.TransportSecurity, core.RequestLogger(), core.RecoverPanics(), httpx.CleanParams,
		httpx.BodyLimit(opts.BodyLimit, largeBodies),
		middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
			Timeout:      opts.RequestTimeout,
			ErrorHandler: func(err error, _ echo.Context) error { return err }, // internal/httpx/errors.go maps deadlines
		}))
	routes(e, core)
	return e
}

// ParsePublicURL checks a public base URL (--public-url); see httpx.
func ParsePublicURL(s string) (string, error) { return httpx.ParsePublicURL(s) }

// IsLoopbackURL reports whether a base URL's host is localhost or a
// loopback address: a QR code leading there opens on no phone.
func IsLoopbackURL(base string) bool { return httpx.IsLoopbackURL(base) }

// HouseholdLinkURLs returns the current public link of every household of a
// book that has an active one, under base (a checked public URL).
func HouseholdLinkURLs(ctx context.Context, s *ledger.Store, a ledger.Actor, book, base string) (map[string]string, error) {
	return httpx.HouseholdLinkURLs(ctx, s, a, book, base)
}

// ParseProxies checks a list of trusted proxies (--trusted-proxies).
func ParseProxies(list string) error {
	_, err := httpx.ParseProxies(list)
	return err
}

// largeBodies are the routes whose uploads need more than the default body
// limit, with their own limit.
var largeBodies = map[string]int64{
	"/api/v1" + importRoute:          api.ImportBodyLimit,
	"/api/v1" + batchRoute:           api.BatchBodyLimit,
	"/api/v1" + documentRoute:        httpx.DocumentBodyLimit,
	"/api/v1" + receiptDocumentRoute: httpx.DocumentBodyLimit,
	documentRoute:                    httpx.DocumentBodyLimit,
	receiptFormRoute:                 httpx.ReceiptBodyLimit,
}
