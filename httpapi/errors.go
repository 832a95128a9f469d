package httpapi

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
	codeUnsupportedMedia      = "unsupported_media_type"
	codeTooLarge              = "too_large"
	codeMethodNotAllowed      = "method_not_allowed"
	codeIdempotencyMismatch   = "idempotency_mismatch"
	codeIdempotencyInProgress = "idempotency_in_progress"
	codeIdempotencyLost       = "idempotency_interrupted"
	codeRateLimited           = "rate_limited"
	codeTimeout               = "timeout"
	codeUnavailable           = "unavailable"
)

// statusByCode is the one mapping from error codes to HTTP statuses. A code
// not listed here is a bug or an outage: 500, logged, with a generic message.
var statusByCode = map[string]int{
	ledger.ECodeInvalid:       http.StatusBadRequest,
	ledger.ECodeUnbalanced:    http.StatusUnprocessableEntity,
	ledger.ECodePeriodClosed:  http.StatusConflict,
	ledger.ECodeConflict:      http.StatusConflict,
	ledger.ECodeImmutable:     http.StatusConflict,
	ledger.ECodeSegregation:   http.StatusForbidden,
	ledger.ECodeForbidden:     http.StatusForbidden,
	ledger.ECodeUnauthorized:  http.StatusUnauthorized,
	ledger.ECodeNotFound:      http.StatusNotFound,
	codeUnsupportedMedia:      http.StatusUnsupportedMediaType,
	codeTooLarge:              http.StatusRequestEntityTooLarge,
	codeMethodNotAllowed:      http.StatusMethodNotAllowed,
	codeIdempotencyMismatch:   http.StatusUnprocessableEntity,
	codeIdempotencyInProgress: http.StatusConflict,
	codeTimeout:               http.StatusServiceUnavailable,
	codeUnavailable:           http.StatusServiceUnavailable,
	codeRateLimited:           http.StatusTooManyRequests,
	codeIdempotencyLost:       http.StatusConflict,
}

// envelope is the body of every error response.
type envelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
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
		_, ok := statusByCode[le.Code]
		return le, ok
	case errors.As(err, &he):
		return echoError(he)
	case errors.Is(err, context.DeadlineExceeded):
		return &ledger.Error{Code: codeTimeout, Message: "请求处理超时，请稍后重试"}, true
	case errors.Is(err, context.Canceled):
		return &ledger.Error{Code: codeUnavailable, Message: "请求已取消"}, true
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
		return &ledger.Error{Code: codeMethodNotAllowed, Message: "此路径不支持该请求方法"}, true
	case http.StatusRequestEntityTooLarge:
		return &ledger.Error{Code: codeTooLarge, Message: "body：请求体超过大小上限",
			Details: []ledger.Detail{{Field: "body", Message: "超过大小上限"}}}, true
	case http.StatusServiceUnavailable:
		return &ledger.Error{Code: codeUnavailable, Message: "服务暂时不可用，请稍后重试"}, true
	}
	return nil, false
}

// errorCode is the code an error is answered with, for logs.
func errorCode(err error) string {
	if e, ok := apiError(err); ok {
		return e.Code
	}
	return ledger.ECodeInternal
}

// handleError is Echo's HTTPErrorHandler: it writes the envelope and logs
// everything that is not the client's fault.
func (a *api) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e, ok := apiError(err)
	status := http.StatusInternalServerError
	if ok {
		status = statusByCode[e.Code]
	}
	if !ok || status >= 500 {
		a.logger.LogAttrs(ctx(c), slog.LevelError, "request failed", slog.String("request_id", requestIDOf(c)),
			slog.String("method", c.Request().Method), slog.String("path", redactNumbers(c.Request().URL.Path)), slog.String("error", redactNumbers(err.Error())))
	}
	if !ok {
		e = &ledger.Error{Code: ledger.ECodeInternal,
			Message: fmt.Sprintf("服务器内部错误，请稍后重试；如仍失败请联系管理员并提供请求编号 %s", requestIDOf(c))}
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
	body := envelope{Error: errorBody{Code: e.Code, Message: message, Details: details}}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		a.logger.Error("write error response", slog.String("request_id", requestIDOf(c)), slog.String("error", err.Error()))
	}
}

// invalid is a 400 about one field, in the ledger's style ("field：message").
func invalid(field, format string, args ...any) *ledger.Error {
	return ledger.FieldError(field, format, args...)
}
