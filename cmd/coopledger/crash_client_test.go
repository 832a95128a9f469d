package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// client runs operations until stop is set (after the last restart), the
// operation bound or the deadline. Every request carries an Idempotency-Key
// and is retried, with the same key, until it gets an answer.
func (w *crashWorld) client(c int, seed uint64, stop *atomic.Bool, deadline time.Time) {
	rng := rand.New(rand.NewPCG(seed, 11))
	hc := &http.Client{Timeout: 15 * time.Second}
	for op := 0; op < maxOpsPerClient && !stop.Load() && time.Now().Before(deadline); op++ {
		tag := fmt.Sprintf("crash-c%d-op%d", c, op)
		h := w.households[rng.IntN(len(w.households))]
		amount := fmt.Sprintf("%d.%02d", 1+rng.IntN(99), rng.IntN(100))
		var err error
		if rng.IntN(3) == 0 {
			err = w.payment(hc, tag, h, amount, deadline)
		} else {
			err = w.voucher(hc, tag, h, amount, 1+rng.IntN(28), deadline)
		}
		if err != nil {
			w.fail(fmt.Errorf("%s: %w", tag, err))
			return
		}
	}
}

func (w *crashWorld) fail(err error) {
	w.failed.Add(1)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errs = append(w.errs, err.Error())
}

// voucher creates a draft as the preparer and posts it as the reviewer.
func (w *crashWorld) voucher(hc *http.Client, tag, household, amount string, day int, deadline time.Time) error {
	body := fmt.Sprintf(`{"date":"2026-05-%02d","summary":%q,"lines":[{"account":"102","debit":%q},`+
		`{"account":"21101","household":%q,"credit":%q}]}`, day, tag, amount, household, amount)
	status, out, err := crashCall(hc, "POST", w.base+"/vouchers", w.preparer, tag+"-create", body, deadline)
	var id int64
	switch {
	case err != nil:
		return err
	case status == http.StatusCreated:
		id, err = idOf(out)
	case w.wasInterrupted(status, out):
		id, err = w.findDraft(hc, tag, deadline)
	default:
		return fmt.Errorf("create: %d %s", status, out)
	}
	if err != nil {
		return err
	}
	status, out, err = crashCall(hc, "POST", fmt.Sprintf("%s/vouchers/%d/post", w.base, id), w.reviewer, tag+"-post", "", deadline)
	switch {
	case err != nil:
		return err
	case status == http.StatusOK:
	case w.wasInterrupted(status, out):
		if err := w.checkPosted(hc, id, deadline); err != nil {
			return err
		}
	default:
		return fmt.Errorf("post %d: %d %s", id, status, out)
	}
	w.mu.Lock()
	w.vouchers[tag] = id
	w.mu.Unlock()
	return nil
}

// payment pays a household of the approved run by bank, tag as reference.
func (w *crashWorld) payment(hc *http.Client, tag, household, amount string, deadline time.Time) error {
	body := fmt.Sprintf(`{"payments":[{"household":%q,"amount":%q,"date":%q,"method":"bank","reference":%q}]}`,
		household, amount, crashPayDate, tag)
	url := fmt.Sprintf("%s/payout-runs/%d/payments", w.base, w.runID)
	status, out, err := crashCall(hc, "POST", url, w.preparer, tag+"-pay", body, deadline)
	var id int64
	switch {
	case err != nil:
		return err
	case status == http.StatusCreated:
		var r struct{ Items []ledger.Payment }
		if err := json.Unmarshal(out, &r); err != nil || len(r.Items) != 1 {
			return fmt.Errorf("payment answer %s: %v", out, err)
		}
		id = r.Items[0].ID
	case w.wasInterrupted(status, out):
		if id, err = w.findPayment(hc, url, tag, deadline); err != nil {
			return err
		}
	default:
		return fmt.Errorf("payment: %d %s", status, out)
	}
	w.mu.Lock()
	w.payments[tag] = id
	w.mu.Unlock()
	return nil
}

// wasInterrupted reports the answer to a retry whose first attempt committed
// just before a kill: the client looks the result up instead.
func (w *crashWorld) wasInterrupted(status int, body []byte) bool {
	if status == http.StatusConflict && bytes.Contains(body, []byte(`"idempotency_interrupted"`)) {
		w.interrupted.Add(1)
		return true
	}
	return false
}

func (w *crashWorld) findDraft(hc *http.Client, tag string, deadline time.Time) (int64, error) {
	status, out, err := crashCall(hc, "GET", w.base+"/vouchers?status=draft&period=2026-05&limit=1000", w.preparer, "", "", deadline)
	if err != nil || status != http.StatusOK {
		return 0, fmt.Errorf("list drafts: %d %s %v", status, out, err)
	}
	var r struct{ Items []ledger.Voucher }
	if err := json.Unmarshal(out, &r); err != nil {
		return 0, err
	}
	for _, v := range r.Items {
		if v.Summary == tag {
			return v.ID, nil
		}
	}
	return 0, fmt.Errorf("interrupted create left no draft %q", tag)
}

func (w *crashWorld) checkPosted(hc *http.Client, id int64, deadline time.Time) error {
	status, out, err := crashCall(hc, "GET", fmt.Sprintf("%s/vouchers/%d", w.base, id), w.reviewer, "", "", deadline)
	if err != nil || status != http.StatusOK || !bytes.Contains(out, []byte(`"status":"posted"`)) {
		return fmt.Errorf("interrupted post of %d is not posted: %d %s %v", id, status, out, err)
	}
	return nil
}

func (w *crashWorld) findPayment(hc *http.Client, url, tag string, deadline time.Time) (int64, error) {
	status, out, err := crashCall(hc, "GET", url, w.preparer, "", "", deadline)
	if err != nil || status != http.StatusOK {
		return 0, fmt.Errorf("list payments: %d %s %v", status, out, err)
	}
	var r struct{ Items []ledger.Payment }
	if err := json.Unmarshal(out, &r); err != nil {
		return 0, err
	}
	for _, p := range r.Items {
		if p.Reference == tag {
			return p.ID, nil
		}
	}
	return 0, fmt.Errorf("interrupted payment left no payment %q", tag)
}

// crashCall sends a request until it gets an answer that is not a connection
// failure, retrying every 20 ms with the same Idempotency-Key, up to the
// deadline. A 5xx is an answer, and a failure of the server.
func crashCall(hc *http.Client, method, url, token, key, body string, deadline time.Time) (int, []byte, error) {
	for time.Now().Before(deadline) {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := hc.Do(req)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if resp.StatusCode >= 500 {
			return resp.StatusCode, out, fmt.Errorf("%s %s: server error %d %s", method, url, resp.StatusCode, out)
		}
		return resp.StatusCode, out, nil
	}
	return 0, nil, fmt.Errorf("%s %s: no answer before the deadline", method, url)
}

func idOf(body []byte) (int64, error) {
	var r struct{ ID int64 }
	if err := json.Unmarshal(body, &r); err != nil || r.ID == 0 {
		return 0, fmt.Errorf("no id in %s: %v", body, err)
	}
	return r.ID, nil
}

// check counts, in the database, each acknowledged voucher and payment and
// anything written twice, then checks the book's invariants.
func (w *crashWorld) check(t *testing.T, dsn string, crashes int) crashFigures {
	t.Helper()
	for _, e := range w.errs {
		t.Error(e)
	}
	ctx := context.Background()
	s := openDSN(t, dsn)
	figs := crashFigures{crashes: crashes, vouchers: len(w.vouchers), payments: len(w.payments), interrupted: int(w.interrupted.Load())}
	copies := countBy(t, s, "SELECT summary, COUNT(*) FROM vouchers WHERE summary LIKE 'crash-%' AND status = 'posted' GROUP BY summary")
	for tag := range w.vouchers {
		if copies[tag] == 0 {
			figs.lost++
			t.Errorf("acknowledged voucher %s is not posted", tag)
		}
	}
	paid := countBy(t, s, "SELECT reference, COUNT(*) FROM payments WHERE reference LIKE 'crash-%' GROUP BY reference")
	for tag := range w.payments {
		if paid[tag] == 0 {
			figs.lost++
			t.Errorf("acknowledged payment %s is missing", tag)
		}
	}
	all := countBy(t, s, "SELECT summary, COUNT(*) FROM vouchers WHERE summary LIKE 'crash-%' GROUP BY summary")
	for tag, n := range merge(all, paid) {
		if n > 1 {
			figs.duplicated += n - 1
			t.Errorf("%s written %d times", tag, n)
		}
	}
	for _, p := range ledgertest.Invariants(ctx, s, crashBook) {
		t.Error(p)
	}
	return figs
}

func countBy(t *testing.T, s *ledger.Store, query string) map[string]int {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func merge(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range a {
		out["voucher "+k] = v
	}
	for k, v := range b {
		out["payment "+k] = v
	}
	return out
}
