package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func withKey(r req, key string) req {
	r.headers = map[string]string{httpx.HeaderIdempotencyKey: key}
	return r
}

// countRows counts a table's rows with a condition.
func countRows(t *testing.T, s *ledger.Store, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIdempotentReplayAndMismatch(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		create := withKey(req{method: "POST", path: "/api/v1/books/V1/vouchers", role: rolePreparer, body: rent(1, "H001", "88.80")}, "voucher-1")
		first := e.expect(create, http.StatusCreated)
		if first.header.Get(httpx.HeaderIdempotencyHit) != "" {
			t.Errorf("first response marked as a replay")
		}
		before := ledgertest.Digest(t, s)
		again := e.expect(create, http.StatusCreated)
		if again.header.Get(httpx.HeaderIdempotencyHit) != "true" {
			t.Errorf("replay without %s: true", httpx.HeaderIdempotencyHit)
		}
		if !bytes.Equal(bytes.TrimSpace(first.body), bytes.TrimSpace(again.body)) {
			t.Errorf("replay body differs:\n%s\n%s", first.body, again.body)
		}
		if ledgertest.Digest(t, s) != before {
			t.Errorf("replay changed the database")
		}
		if n := countRows(t, s, "vouchers", "book_id = ?", e.f.Book.ID); n != 1 {
			t.Errorf("%d vouchers, want 1", n)
		}

		other := create
		other.body = rent(1, "H001", "88.81")
		checkEnvelope(t, "same key, other body", e.do(other), http.StatusUnprocessableEntity, httpx.CodeIdempotencyMismatch, httpx.HeaderIdempotencyKey)
		elsewhere := create
		elsewhere.path = "/api/v1/books/V1/parties"
		elsewhere.body = api.PartyRequest{Code: "K1", Name: "某公司"}
		checkEnvelope(t, "same key, other path", e.do(elsewhere), http.StatusUnprocessableEntity, httpx.CodeIdempotencyMismatch, httpx.HeaderIdempotencyKey)
		if ledgertest.Digest(t, s) != before {
			t.Errorf("refused mismatches changed the database")
		}

		// Keys belong to their user: the reviewer's "voucher-1" is a new request.
		byReviewer := create
		byReviewer.role = roleReviewer
		if res := e.expect(byReviewer, http.StatusCreated); res.header.Get(httpx.HeaderIdempotencyHit) != "" {
			t.Errorf("another user's key was replayed")
		}

		// A refused request leaves its key free for the corrected request.
		bad := withKey(req{method: "POST", path: "/api/v1/books/V1/vouchers", role: rolePreparer,
			body: voucherJSON("2026-06-02", `{"account": "102", "debit": "5.00"}`, `{"account": "21101", "household": "H001", "credit": "4.00"}`)}, "voucher-2")
		checkEnvelope(t, "unbalanced with a key", e.do(bad), http.StatusUnprocessableEntity, ledger.ECodeUnbalanced, "lines")
		fixed := bad
		fixed.body = voucherJSON("2026-06-02", `{"account": "102", "debit": "5.00"}`, `{"account": "21101", "household": "H001", "credit": "5.00"}`)
		e.expect(fixed, http.StatusCreated)

		// Posting is idempotent too: the retry gets the posted voucher again.
		var v ledger.Voucher
		e.decode(first, &v)
		postReq := withKey(req{method: "POST", path: fmt.Sprintf("/api/v1/books/V1/vouchers/%d/post", v.ID), role: roleReviewer}, "post-1")
		posted := e.expect(postReq, http.StatusOK)
		if replay := e.expect(postReq, http.StatusOK); !bytes.Equal(posted.body, replay.body) || replay.header.Get(httpx.HeaderIdempotencyHit) != "true" {
			t.Errorf("post replay differs: %s / %s", posted.body, replay.body)
		}
	})
}

// TestIdempotentConcurrent sends identical requests at once: exactly one
// creates, the others answer its response.
func TestIdempotentConcurrent(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		cases := []struct {
			name  string
			r     req
			table string
		}{
			{"voucher", req{method: "POST", path: "/api/v1/books/V1/vouchers", role: rolePreparer, body: rent(3, "H002", "1000.00")}, "vouchers"},
			// A book's code is unique: the losers fail on that check before
			// their claim, and must still get the winner's response.
			{"book", req{method: "POST", path: "/api/v1/books", role: roleAdmin, body: ledger.NewBook{Code: "NEW", Name: "新村",
				Kind: ledger.KindVillage, Township: ledger.Township{Code: "T01", Name: "测试镇"}, StartPeriod: "2026-01"}}, "books"},
			{"household", req{method: "POST", path: "/api/v1/books/V1/households", role: rolePreparer, body: api.HouseholdRequest{Code: "C8",
				HeadName: "并发户", IDNumber: ledgertest.IDNumber(4242), Members: 2, Status: ledger.StatusOrdinary}}, "households"},
		}
		const clients = 8
		for _, c := range cases {
			before := countRows(t, s, c.table, "1 = 1")
			results := make([]response, clients)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i] = e.do(withKey(c.r, "concurrent-"+c.name))
				}()
			}
			close(start)
			wg.Wait()
			hits := 0
			for i, res := range results {
				if res.status != http.StatusCreated {
					t.Errorf("%s: client %d: status %d: %s", c.name, i, res.status, res.body)
					continue
				}
				if !bytes.Equal(bytes.TrimSpace(res.body), bytes.TrimSpace(results[0].body)) {
					t.Errorf("%s: client %d got another body:\n%s\n%s", c.name, i, res.body, results[0].body)
				}
				if res.header.Get(httpx.HeaderIdempotencyHit) == "true" {
					hits++
				}
			}
			if hits != clients-1 {
				t.Errorf("%s: %d replays, want %d", c.name, hits, clients-1)
			}
			if n := countRows(t, s, c.table, "1 = 1"); n != before+1 {
				t.Errorf("%s: %d rows created, want 1", c.name, n-before)
			}
		}
	})
}

// TestIdempotentUserTokenNotStored: a new user's token is in the first
// response only; the stored response and its replay leave it out.
func TestIdempotentUserTokenNotStored(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		r := withKey(req{method: "POST", path: "/api/v1/users", role: roleAdmin,
			body: ledger.NewUser{Name: "新会计", Role: ledger.RoleAccountant, Books: []string{"V1"}}}, "user-1")
		var first api.CreatedUser
		e.decode(e.expect(r, http.StatusCreated), &first)
		if !strings.HasPrefix(first.Token, "cl_") {
			t.Fatalf("token %q", first.Token)
		}
		replay := e.expect(r, http.StatusCreated)
		var again api.CreatedUser
		e.decode(replay, &again)
		if again.Token != "" || again.User.ID != first.User.ID || replay.header.Get(httpx.HeaderIdempotencyHit) != "true" {
			t.Errorf("replay %s", replay.body)
		}
		if n := countRows(t, s, "idempotency_keys", "body LIKE ?", "%"+first.Token+"%"); n != 0 {
			t.Errorf("the token is stored with the idempotent response")
		}
		me := e.expect(req{method: "GET", path: "/api/v1/me", token: first.Token}, http.StatusOK)
		if !strings.Contains(string(me.body), "新会计") {
			t.Errorf("new token does not work: %s", me.body)
		}
	})
}

// TestIdempotentInProgress: a key claimed whose response never arrives is
// waited for, boundedly, then answered 409.
func TestIdempotentInProgress(t *testing.T) {
	saved := httpx.ReplayWait
	httpx.ReplayWait = 300 * time.Millisecond
	t.Cleanup(func() { httpx.ReplayWait = saved })
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		r := withKey(req{method: "POST", path: "/api/v1/books/V1/parties", role: rolePreparer, body: api.PartyRequest{Code: "W1", Name: "等待公司"}}, "stuck")
		raw := []byte(`{"code":"W1","name":"等待公司","uscc":""}`)
		hash := httpx.RequestHashOf("POST", r.path, raw)
		if _, err := s.DB().ExecContext(context.Background(),
			"INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)",
			e.f.Preparer.UserID, "stuck", hash, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			t.Fatal(err)
		}
		before := ledgertest.Digest(t, s)
		began := time.Now()
		checkEnvelope(t, "claimed, not answered", e.do(r), http.StatusConflict, httpx.CodeIdempotencyInProgress, httpx.HeaderIdempotencyKey)
		if waited := time.Since(began); waited < httpx.ReplayWait || waited > httpx.ReplayWait+5*time.Second {
			t.Errorf("waited %v", waited)
		}
		if ledgertest.Digest(t, s) != before {
			t.Errorf("database changed")
		}
	})
}

// TestIdempotentInterrupted: a key claimed before the server started, whose
// response was never saved (the server was killed between commit and save),
// answers at once that the request took effect but its answer is lost.
func TestIdempotentInterrupted(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		r := withKey(req{method: "POST", path: "/api/v1/books/V1/parties", role: rolePreparer, body: api.PartyRequest{Code: "W2", Name: "中断公司"}}, "killed")
		raw := []byte(`{"code":"W2","name":"中断公司","uscc":""}`)
		if _, err := s.DB().ExecContext(context.Background(),
			"INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)",
			e.f.Preparer.UserID, "killed", httpx.RequestHashOf("POST", r.path, raw), "2026-01-01T00:00:00Z"); err != nil {
			t.Fatal(err)
		}
		before := ledgertest.Digest(t, s)
		began := time.Now()
		checkEnvelope(t, "claimed before a crash", e.do(r), http.StatusConflict, httpx.CodeIdempotencyLost, httpx.HeaderIdempotencyKey)
		if waited := time.Since(began); waited > httpx.ReplayWait {
			t.Errorf("waited %v for an interrupted claim", waited)
		}
		if ledgertest.Digest(t, s) != before {
			t.Errorf("database changed")
		}
	})
}
