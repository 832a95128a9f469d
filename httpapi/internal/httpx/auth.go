package httpx

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// ActorKey is where the authenticated actor lives in the Echo context.
const ActorKey = "coopledger.actor"

// Authenticate resolves "Authorization: Bearer <token>" to an actor; a
// missing, malformed, forged, revoked or disabled token answers 401, or 429
// once its client address or its credential prefix is over the failure limit
// (a valid token always passes; see AuthLimiter). Tokens are looked up by
// their SHA-256 hash (the database holds nothing else), so no secret is ever
// compared byte by byte.
func (a *Core) Authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
		if !ok {
			return a.authFailed(c, "", unauthorized("缺少身份令牌，请在请求头中提供 Authorization: Bearer <令牌>"))
		}
		actor, err := a.Store.Authenticate(Ctx(c), token)
		if ledger.ErrorCode(err) == ledger.ECodeUnauthorized {
			return a.authFailed(c, token, unauthorized("令牌无效或已停用"))
		}
		if err != nil {
			return err
		}
		c.Set(ActorKey, actor)
		return next(c)
	}
}

// authFailed records a failed authentication with credential and answers
// refusal, or 429 when the client is over the limit.
func (a *Core) authFailed(c echo.Context, credential string, refusal error) error {
	if wait := a.Limiter.Failed(c.RealIP(), credential); wait > 0 {
		return TooManyFailures(c, wait)
	}
	return refusal
}

// AuthFailed records a failed sign-in or session cookie of the pages and
// reports how long the client must wait (0: answer the failure itself).
func (a *Core) AuthFailed(c echo.Context, credential string) time.Duration {
	return a.Limiter.Failed(c.RealIP(), credential)
}

// BookAccess refuses a request for a book's contents before its input is
// read: 404 outside the token's scope, 403 for a change by a read-only role.
func (a *Core) BookAccess(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		change := c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead
		if err := a.Store.CheckBookAccess(Ctx(c), Actor(c), c.Param("book"), change); err != nil {
			return err
		}
		return next(c)
	}
}

// bearerToken extracts the token; the scheme is case-insensitive (RFC 7235).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func unauthorized(msg string) *ledger.Error {
	return &ledger.Error{Code: ledger.ECodeUnauthorized, Message: "Authorization：" + msg,
		Details: []ledger.Detail{{Field: "Authorization", Message: msg}}}
}

// Actor returns the authenticated actor of the request.
func Actor(c echo.Context) ledger.Actor {
	a, _ := c.Get(ActorKey).(ledger.Actor)
	return a
}
