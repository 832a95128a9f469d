package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// env is a running server over a fixture: book V1 with households H001..H003
// and parties C01, C02; book V2 of the same township with its own accountant
// (the "outsider" of V1).
type env struct {
	t      *testing.T
	store  *ledger.Store
	f      ledgertest.Fixture
	other  ledgertest.Fixture
	srv    *httptest.Server
	tokens map[string]string // role label → token
	client *http.Client
}

// The role labels used by the tests.
const (
	roleAdmin    = "admin"
	rolePreparer = "preparer" // accountant of V1
	roleReviewer = "reviewer" // second accountant of V1
	roleTownship = "township"
	roleAuditor  = "auditor"
	roleOutsider = "outsider" // accountant of V2 only
)

var allRoles = []string{roleAdmin, rolePreparer, roleReviewer, roleTownship, roleAuditor, roleOutsider}

func newEnv(t *testing.T, s *ledger.Store) *env {
	t.Helper()
	return newEnvWith(t, s, Options{}, slog.New(slog.DiscardHandler))
}

func newEnvWith(t *testing.T, s *ledger.Store, opts Options, logger *slog.Logger) *env {
	t.Helper()
	if opts.AuthFailuresPerMinute == 0 {
		opts.AuthFailuresPerMinute = 1 << 20 // the tests send many forged tokens on purpose
	}
	f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
	other := ledgertest.NewFixture(t, s, "V2", ledger.KindVillage, 1)
	f.GoLive(t, "2026-12") // V1 keeps its history up to 2026-11: the import routes have months to import into
	srv := httptest.NewServer(New(s, logger, opts))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}
	return &env{t: t, store: s, f: f, other: other, srv: srv, client: &http.Client{Timeout: 30 * time.Second},
		tokens: map[string]string{
			roleAdmin: f.Tokens["admin-V1"], rolePreparer: f.Tokens["preparer"], roleReviewer: f.Tokens["reviewer"],
			roleTownship: f.Tokens["township"], roleAuditor: f.Tokens["auditor"], roleOutsider: other.Tokens["preparer"],
		}}
}

// rawBody is a request body sent verbatim with its own content type, such as
// a multipart upload.
type rawBody struct {
	contentType string
	data        []byte
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// req describes a request; body is sent verbatim when it is a string or
// []byte, JSON-encoded otherwise, with Content-Type application/json unless
// contentType says otherwise.
type req struct {
	method, path string
	role         string // "" for no token
	token        string // overrides role
	body         any
	contentType  string
	headers      map[string]string
	undocumented bool // a path or method the document rightly lacks
}

func (e *env) do(r req) response {
	e.t.Helper()
	var body io.Reader
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case rawBody:
		raw = b.data
		if r.contentType == "" {
			r.contentType = b.contentType
		}
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatalf("marshal body: %v", err)
		}
	}
	if r.body != nil {
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequest(r.method, e.srv.URL+r.path, body)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	token := r.token
	if token == "" && r.role != "" {
		token = e.tokens[r.role]
		if token == "" {
			e.t.Fatalf("no token for role %q", r.role)
		}
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	resp, err := e.client.Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", r.method, r.path, err)
	}
	res := response{status: resp.StatusCode, header: resp.Header, body: out}
	if !r.undocumented {
		checkAgainstOpenAPI(e.t, r, raw, res)
	}
	return res
}

// decode unmarshals a successful response body.
func (e *env) decode(res response, v any) {
	e.t.Helper()
	if err := json.Unmarshal(res.body, v); err != nil {
		e.t.Fatalf("decode %s: %v", res.body, err)
	}
}

// expect fails unless the response has the status; it returns the response.
func (e *env) expect(r req, status int) response {
	e.t.Helper()
	res := e.do(r)
	if res.status != status {
		e.t.Fatalf("%s %s as %q: status %d, want %d: %s", r.method, r.path, r.role, res.status, status, res.body)
	}
	return res
}

// checkEnvelope verifies an error response: the status, the code, the
// envelope's exact shape, a Chinese message that names field, and a detail
// for field. field "" skips the field checks.
func checkEnvelope(t *testing.T, what string, res response, status int, code, field string) {
	t.Helper()
	if res.status != status {
		t.Errorf("%s: status %d, want %d: %s", what, res.status, status, res.body)
		return
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	var env httpx.Envelope
	dec := json.NewDecoder(bytes.NewReader(res.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		t.Errorf("%s: not an error envelope: %v: %s", what, err, res.body)
		return
	}
	if !bytes.Contains(res.body, []byte(`"details":[`)) {
		t.Errorf("%s: details is not an array: %s", what, res.body)
	}
	if code != "" && env.Error.Code != code {
		t.Errorf("%s: code %q, want %q: %s", what, env.Error.Code, code, res.body)
	}
	if !hasHan(env.Error.Message) {
		t.Errorf("%s: message %q is not Chinese", what, env.Error.Message)
	}
	if field == "" {
		return
	}
	if !strings.Contains(env.Error.Message, field) {
		t.Errorf("%s: message %q does not name %q", what, env.Error.Message, field)
	}
	found := false
	for _, d := range env.Error.Details {
		found = found || d.Field == field
	}
	if !found {
		t.Errorf("%s: no detail for %q: %s", what, field, res.body)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// The OpenAPI document, validated once and used to check every response the
// tests receive against its documented schema.
var (
	specOnce      sync.Once
	specValidator validator.Validator
	specErr       error
)

func openAPIValidator() (validator.Validator, error) {
	specOnce.Do(func() {
		doc, err := libopenapi.NewDocument(api.OpenAPIDocument())
		if err != nil {
			specErr = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			specErr = errs[0]
			return
		}
		specValidator = v
	})
	return specValidator, specErr
}

// checkAgainstOpenAPI validates a response (status, headers, body) against
// the document.
func checkAgainstOpenAPI(t *testing.T, r req, reqBody []byte, res response) {
	t.Helper()
	v, err := openAPIValidator()
	if err != nil {
		t.Fatalf("openapi validator: %v", err)
	}
	hr := httptest.NewRequestWithContext(context.Background(), r.method, "http://127.0.0.1"+r.path, bytes.NewReader(reqBody))
	hr.Header.Set("Content-Type", "application/json")
	resp := &http.Response{StatusCode: res.status, Header: res.header, Body: io.NopCloser(bytes.NewReader(res.body)), Request: hr}
	if ok, errs := v.ValidateHttpResponse(hr, resp); !ok {
		for _, e := range errs {
			msg := e.Message + ": " + e.Reason
			for _, s := range e.SchemaValidationErrors {
				msg += "; " + s.FieldPath + " " + s.Reason
			}
			t.Errorf("%s %s → %d does not match the OpenAPI document: %s\nbody: %.500s", r.method, r.path, res.status, msg, res.body)
		}
	}
}

// fund gives V1 opening balances of cash and bank large enough for every
// payment the tests make: cash and bank may never show a credit balance.
func (e *env) fund() {
	e.t.Helper()
	amount := func(s string) *ledger.Money { m := ledger.MustMoney(s); return &m }
	_, err := e.store.SetOpeningBalances(context.Background(), e.f.Preparer, "V1", ledger.OpeningInput{Lines: []ledger.LineInput{
		{Account: "101", Debit: amount("100000.00")}, {Account: "102", Debit: amount("100000000.00")},
		{Account: "311", Credit: amount("100100000.00")}}})
	if err != nil {
		e.t.Fatalf("fund: %v", err)
	}
}
