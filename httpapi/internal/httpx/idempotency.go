package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// Idempotency-Key: a POST carrying a key runs once per user and key. The key is
// claimed by the ledger inside the transaction that creates the thing, so two
// concurrent requests with one key create one thing; the response is saved
// after commit and replayed, with Idempotency-Hit: true, to every retry.

const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderIdempotencyHit = "Idempotency-Hit"
	MaxIdempotencyKey    = 200 // characters
	// replayPoll is how often a waiting retry looks for the saved response.
	replayPoll = 50 * time.Millisecond
	// maxSavedResponse bounds the response body kept for replays.
	maxSavedResponse = 1 << 20
)

// ReplayWait bounds how long a retry that finds its key claimed, but no
// response saved yet, waits for the first request (a variable for tests).
var ReplayWait = 5 * time.Second

// Idempotent is the middleware for POST routes.
func (a *Core) Idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return a.IdempotentRedacting()(next)
}

// IdempotentRedacting saves responses for replay with the named top-level
// fields removed: a secret shown once (a new user's token) is never stored.
func (a *Core) IdempotentRedacting(secrets ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := c.Request().Header.Get(HeaderIdempotencyKey)
			if key == "" {
				return next(c)
			}
			if err := checkIdempotencyKey(key); err != nil {
				return err
			}
			body, err := idempotencyBody(c)
			if err != nil {
				return err
			}
			claim := ledger.IdempotencyClaim{UserID: Actor(c).UserID, Key: key, RequestHash: requestHash(c, body)}
			if found, err := a.replay(c, claim); found || err != nil {
				return err
			}
			// The handler passes Actor(c) to the ledger write, which claims the key.
			c.Set(ActorKey, Actor(c).With(ledger.WriteOptions{Idempotency: claim}))
			rec := &responseRecorder{ResponseWriter: c.Response().Writer}
			c.Response().Writer = rec
			err = next(c)
			if err != nil {
				// The handler's transaction rolled back. If a concurrent request
				// with the key won meanwhile (the ledger says so, or a check of
				// the state it created failed first), answer with its response.
				if found, rerr := a.replay(c, claim); found || rerr != nil {
					return rerr
				}
				return err
			}
			if status := c.Response().Status; status >= 200 && status < 300 && !rec.overflow {
				a.saveResponse(c, claim, status, redact(rec.body.Bytes(), secrets))
			}
			return nil
		}
	}
}

// idempotencyBody is what identifies a request's content: the body itself,
// or for an upload its fields and its files' SHA-256 (multipart boundaries
// differ on every retry of the same upload).
func idempotencyBody(c echo.Context) ([]byte, error) {
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt != echo.MIMEMultipartForm {
		return RequestBody(c)
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, Invalid("file", "无法读取上传的表单：请以 multipart/form-data 上传")
	}
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(form.Value)) {
		fmt.Fprintf(&b, "field %q %q\n", name, form.Value[name])
	}
	for _, name := range slices.Sorted(maps.Keys(form.File)) {
		for _, fh := range form.File[name] {
			f, err := fh.Open()
			if err != nil {
				return nil, Invalid(name, "无法读取上传的文件")
			}
			h := sha256.New()
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return nil, Invalid(name, "无法读取上传的文件")
			}
			fmt.Fprintf(&b, "file %q %x\n", name, h.Sum(nil))
		}
	}
	return []byte(b.String()), nil
}

// checkIdempotencyKey allows 1 to 200 printable ASCII characters.
func checkIdempotencyKey(key string) error {
	if len(key) > MaxIdempotencyKey {
		return Invalid(HeaderIdempotencyKey, "幂等键不超过 %d 个字符", MaxIdempotencyKey)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return Invalid(HeaderIdempotencyKey, "幂等键只能包含可见的 ASCII 字符")
		}
	}
	return nil
}

func requestHash(c echo.Context, body []byte) string {
	return RequestHashOf(c.Request().Method, c.Request().URL.Path, body)
}

// RequestHashOf is SHA-256 over method, path and body.
func RequestHashOf(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method + "\n" + path + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// replay answers from a saved response if the key is known. A key known with
// another request's hash is refused; a key claimed but not answered yet is
// waited for (bounded).
func (a *Core) replay(c echo.Context, claim ledger.IdempotencyClaim) (bool, error) {
	deadline := time.Now().Add(ReplayWait)
	for {
		saved, found, err := a.Store.LookupIdempotency(Ctx(c), claim.UserID, claim.Key)
		switch {
		case err != nil:
			return false, err
		case !found:
			return false, nil
		case saved.RequestHash != claim.RequestHash:
			msg := "此幂等键已用于另一个不同的请求，请为新请求使用新的幂等键"
			return true, &ledger.Error{Code: CodeIdempotencyMismatch, Message: HeaderIdempotencyKey + "：" + msg,
				Details: []ledger.Detail{{Field: HeaderIdempotencyKey, Message: msg}}}
		case saved.StatusCode != 0:
			c.Response().Header().Set(HeaderIdempotencyHit, "true")
			return true, c.JSONBlob(saved.StatusCode, []byte(saved.Body))
		case a.interrupted(saved):
			return true, interruptedError()
		case time.Now().After(deadline):
			msg := "相同幂等键的请求正在处理，请稍后重试"
			return true, &ledger.Error{Code: CodeIdempotencyInProgress, Message: HeaderIdempotencyKey + "：" + msg,
				Details: []ledger.Detail{{Field: HeaderIdempotencyKey, Message: msg}}}
		}
		select {
		case <-Ctx(c).Done():
			return true, Ctx(c).Err()
		case <-time.After(replayPoll):
		}
	}
}

// staleClaim is how old an unanswered claim must be to count as interrupted
// even without a restart (the response could not be saved).
const staleClaim = 10 * time.Minute

// interrupted reports a claim whose request committed but whose response
// was never saved: the server stopped (crash, kill -9, power) between the
// commit and the save, or the save failed. Waiting cannot help.
func (a *Core) interrupted(saved ledger.IdempotentResponse) bool {
	return saved.ClaimedAt.Before(a.Started) || time.Since(saved.ClaimedAt) > staleClaim
}

// interruptedError tells the client its request took effect exactly once but
// its answer is lost, so it should look the result up rather than resend
// with a new key.
func interruptedError() error {
	msg := "此幂等键的请求已经执行并保存，但服务器在返回结果前中断，原结果无法重放；请查询确认结果，不要换新的幂等键重发"
	return &ledger.Error{Code: CodeIdempotencyLost, Message: HeaderIdempotencyKey + "：" + msg,
		Details: []ledger.Detail{{Field: HeaderIdempotencyKey, Message: msg}}}
}

func (a *Core) saveResponse(c echo.Context, claim ledger.IdempotencyClaim, status int, body []byte) {
	if err := a.Store.SaveIdempotentResponse(Ctx(c), claim.UserID, claim.Key, status, string(body)); err != nil {
		// The thing was created and the client has its response; a retry will
		// wait for the saved response and then be told to try later.
		a.Logger.Error("save idempotent response", slog.String("request_id", RequestIDOf(c)),
			slog.String("error", err.Error()))
	}
}

// redact removes top-level fields of a JSON object body.
func redact(body []byte, fields []string) []byte {
	if len(fields) == 0 {
		return body
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return body
	}
	for _, f := range fields {
		delete(obj, f)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return append(out, '\n')
}

// responseRecorder copies what a handler writes, up to maxSavedResponse.
type responseRecorder struct {
	http.ResponseWriter
	body     bytes.Buffer
	overflow bool
}

func (r *responseRecorder) Write(b []byte) (int, error) {
	if r.body.Len()+len(b) > maxSavedResponse {
		r.overflow = true
	} else {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

func (r *responseRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
