package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// Codes the HTTP layer adds to the ledger's own.
const (
	CodeUnsupportedMedia      = "unsupported_media_type"
	CodeTooLarge              = "too_large"
	CodeMethodNotAllowed      = "method_not_allowed"
	CodeIdempotencyMismatch   = "idempotency_mismatch"
	CodeIdempotencyInProgress = "idempotency_in_progress"
	CodeIdempotencyLost       = "idempotency_interrupted"
	CodeRateLimited           = "rate_limited"
	CodeTimeout               = "timeout"
	CodeUnavailable           = "unavailable"
)

// StatusByCode is the one mapping from error codes to HTTP statuses. A code
// not listed here is a bug or an outage: 500, logged, with a generic message.
var StatusByCode = map[string]int{
	ledger.ECodeInvalid:       http.StatusBadRequest,
	ledger.ECodeUnbalanced:    http.StatusUnprocessableEntity,
	ledger.ECodePeriodClosed:  http.StatusConflict,
	ledger.ECodeConflict:      http.StatusConflict,
	ledger.ECodeImmutable:     http.StatusConflict,
	ledger.ECodeSegregation:   http.StatusForbidden,
	ledger.ECodeForbidden:     http.StatusForbidden,
	ledger.ECodeUnauthorized:  http.StatusUnauthorized,
	ledger.ECodeNotFound:      http.StatusNotFound,
	CodeUnsupportedMedia:      http.StatusUnsupportedMediaType,
	CodeTooLarge:              http.StatusRequestEntityTooLarge,
	CodeMethodNotAllowed:      http.StatusMethodNotAllowed,
	CodeIdempotencyMismatch:   http.StatusUnprocessableEntity,
	CodeIdempotencyInProgress: http.StatusConflict,
	CodeTimeout:               http.StatusServiceUnavailable,
	CodeUnavailable:           http.StatusServiceUnavailable,
	CodeRateLimited:           http.StatusTooManyRequests,
	CodeIdempotencyLost:       http.StatusConflict,
}

// Envelope is the body of every error response.
type Envelope struct {
	Error ErrorBody `json:"error"`
}

type ErrorBody struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details []ledger.Detail `json:"details"`
}

// apiError turns any error into the code, message and details sent to the
// client; ok is false when the error is not one we expected.
func apiError(err error) (e *ledger.Error, ok bool) {
	var le *ledger.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &le):
		_, ok := StatusByCode[le.Code]
		return le, ok
	case errors.As(err, &he):
		return echoError(he)
	case errors.Is(err, context.DeadlineExceeded):
		return &ledger.Error{Code: CodeTimeout, Message: "请求处理超时，请稍后重试"}, true
	case errors.Is(err, context.Canceled):
		return &ledger.Error{Code: CodeUnavailable, Message: "请求已取消"}, true
	}
	return nil, false
}

// echoError translates the errors Echo itself raises (unknown route, wrong
// method, body too large).
func echoError(he *echo.HTTPError) (*ledger.Error, bool) {
	switch he.Code {
	case http.StatusNotFound:
		return &ledger.Error{Code: ledger.ECodeNotFound, Message: "接口不存在，请核对请求路径"}, true
	case http.StatusMethodNotAllowed:
		return &ledger.Error{Code: CodeMethodNotAllowed, Message: "此路径不支持该请求方法"}, true
	case http.StatusRequestEntityTooLarge:
		return &ledger.Error{Code: CodeTooLarge, Message: "body：请求体超过大小上限",
			Details: []ledger.Detail{{Field: "body", Message: "超过大小上限"}}}, true
	case http.StatusServiceUnavailable:
		return &ledger.Error{Code: CodeUnavailable, Message: "服务暂时不可用，请稍后重试"}, true
	}
	return nil, false
}

// ErrorCode is the code an error is answered with, for logs.
func ErrorCode(err error) string {
	if e, ok := apiError(err); ok {
		return e.Code
	}
	return ledger.ECodeInternal
}

// HandleError is Echo's HTTPErrorHandler: it writes the envelope and logs
// everything that is not the client's fault.
func (a *Core) HandleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e, ok := apiError(err)
	status := http.StatusInternalServerError
	if ok {
		status = StatusByCode[e.Code]
	}
	if !ok || status >= 500 {
		a.Logger.LogAttrs(Ctx(c), slog.LevelError, "request failed", slog.String("request_id", RequestIDOf(c)),
			slog.String("method", c.Request().Method), slog.String("route", LogRoute(c)), slog.String("error", RedactNumbers(err.Error())))
	}
	if !ok {
		e = &ledger.Error{Code: ledger.ECodeInternal,
			Message: fmt.Sprintf("服务器内部错误，请稍后重试；如仍失败请联系管理员并提供请求编号 %s", RequestIDOf(c))}
	}
	message, details := e.Message, e.Details
	if details == nil {
		details = []ledger.Detail{}
	}
	if len(details) > 0 && details[0].Field != "" && !strings.Contains(message, details[0].Field) {
		message = details[0].Field + "：" + message // every message names its field
	}
	if e.Code == ledger.ECodeUnauthorized {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="coopledger"`)
	}
	body := Envelope{Error: ErrorBody{Code: e.Code, Message: message, Details: details}}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		a.Logger.Error("write error response", slog.String("request_id", RequestIDOf(c)), slog.String("error", err.Error()))
	}
}

// Invalid is a 400 about one field, in the ledger's style ("field：message").
func Invalid(field, format string, args ...any) *ledger.Error {
	return ledger.FieldError(field, format, args...)
}
