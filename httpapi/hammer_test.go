package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestHammer: 32 clients over HTTP on one book at once — posting, reversing,
// closing and reopening months, computing and approving payout runs, paying.
// No answer may be a 5xx or mention a busy database, nothing may hang (every
// client is bounded in operations and time), and the book keeps every
// invariant at the end. Refusals the state explains (409) are expected.
func TestHammer(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("COOPLEDGER_SEED"), 10, 64); err == nil {
		seed = v
	}
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		t.Logf("seed %d", seed)
		// Payments are dated 2026-12-28 and may not lie ahead of today.
		start, base := time.Now(), time.Date(2026, 12, 28, 2, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return base.Add(time.Since(start)) })
		e := newEnv(t, s)
		for _, code := range []string{"HM-A", "HM-B"} {
			e.agreement(landRent(code))
		}
		h := &hammer{e: e, base: e.srv.URL + "/api/v1/books/V1", client: &http.Client{Timeout: time.Minute}}
		deadline := time.Now().Add(3 * time.Minute)
		var wg sync.WaitGroup
		for c := range hammerClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(seed, uint64(c)))
				for op := 0; op < hammerOps && time.Now().Before(deadline); op++ {
					h.op(rng, fmt.Sprintf("c%d-%d", c, op))
				}
			}()
		}
		wg.Wait()
		for _, p := range h.problems {
			t.Error(p)
		}
		if time.Now().After(deadline) {
			t.Errorf("clients did not finish within the deadline (deadlock or starvation?)")
		}
		for _, p := range ledgertest.Invariants(context.Background(), s, "V1") {
			t.Error(p)
		}
		t.Logf("%d requests: %v", h.total(), h.counts)
	})
}

const (
	hammerClients = 32
	hammerOps     = 10
)

// hammer is the shared state of the clients.
type hammer struct {
	e        *env
	base     string
	client   *http.Client
	mu       sync.Mutex
	posted   []int64 // vouchers that may be reversed
	runs     []int64 // approved payout runs
	counts   map[int]int
	problems []string
}

// op runs one random operation.
func (h *hammer) op(rng *rand.Rand, tag string) {
	switch n := rng.IntN(10); {
	case n < 4:
		h.voucher(rng, tag)
	case n < 5:
		h.reverse(rng, tag)
	case n < 6:
		h.period(rng)
	case n < 8:
		h.payoutRun(rng, tag)
	default:
		h.pay(rng, tag)
	}
}

// preparerAndPoster picks two different people.
func preparerAndPoster(rng *rand.Rand) (string, string) {
	switch rng.IntN(3) {
	case 0:
		return rolePreparer, roleReviewer
	case 1:
		return roleReviewer, rolePreparer
	}
	return rolePreparer, roleTownship
}

func (h *hammer) voucher(rng *rand.Rand, tag string) {
	prep, poster := preparerAndPoster(rng)
	amount := fmt.Sprintf("%d.%02d", 1+rng.IntN(500), rng.IntN(100))
	v := rent(1+rng.IntN(28), h.e.f.Households[rng.IntN(3)], amount)
	v.Date = fmt.Sprintf("2026-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
	v.Summary = "并发 " + tag
	status, body := h.send(prep, "POST", "/vouchers", v, tag+"-c")
	if status != http.StatusCreated {
		return
	}
	id := idFrom(body)
	if status, _ := h.send(poster, "POST", fmt.Sprintf("/vouchers/%d/post", id), nil, tag+"-p"); status == http.StatusOK {
		h.mu.Lock()
		h.posted = append(h.posted, id)
		h.mu.Unlock()
	}
}

func (h *hammer) reverse(rng *rand.Rand, tag string) {
	id := h.pick(rng, &h.posted)
	if id == 0 {
		return
	}
	prep, poster := preparerAndPoster(rng)
	status, body := h.send(prep, "POST", fmt.Sprintf("/vouchers/%d/reverse", id), ledger.ReverseInput{Date: "2026-12-20"}, tag+"-r")
	if status == http.StatusCreated {
		h.send(poster, "POST", fmt.Sprintf("/vouchers/%d/post", idFrom(body)), nil, tag+"-rp")
	}
}

// period closes or reopens one of the first months.
func (h *hammer) period(rng *rand.Rand) {
	month := fmt.Sprintf("2026-%02d", 1+rng.IntN(4))
	if rng.IntN(3) == 0 {
		h.send(roleTownship, "POST", "/periods/"+month+"/reopen", map[string]string{"reason": "并发测试：补记凭证"}, "")
		return
	}
	h.send(roleReviewer, "POST", "/periods/"+month+"/close", nil, "")
}

func (h *hammer) payoutRun(rng *rand.Rand, tag string) {
	quarter := fmt.Sprintf("2026Q%d", 1+rng.IntN(4))
	status, body := h.send(rolePreparer, "POST", "/payout-runs", ledger.RunInput{Quarter: quarter}, tag+"-run")
	if status != http.StatusCreated {
		return
	}
	id := idFrom(body)
	approver := []string{roleReviewer, roleTownship}[rng.IntN(2)]
	if status, _ := h.send(approver, "POST", fmt.Sprintf("/payout-runs/%d/approve", id), nil, tag+"-ap"); status == http.StatusOK {
		h.mu.Lock()
		h.runs = append(h.runs, id)
		h.mu.Unlock()
	}
}

func (h *hammer) pay(rng *rand.Rand, tag string) {
	id := h.pick(rng, &h.runs)
	if id == 0 {
		return
	}
	p := ledger.PaymentInput{Household: "H001", Amount: ledger.Fen(int64(1 + rng.IntN(5000))), Date: "2026-12-28",
		Method: "bank", Reference: "HM-" + tag}
	h.send([]string{rolePreparer, roleReviewer}[rng.IntN(2)], "POST", fmt.Sprintf("/payout-runs/%d/payments", id),
		map[string]any{"payments": []ledger.PaymentInput{p}}, tag+"-pay")
}

func (h *hammer) pick(rng *rand.Rand, from *[]int64) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(*from) == 0 {
		return 0
	}
	return (*from)[rng.IntN(len(*from))]
}

// send makes one request and records anything that is not a success or a
// refusal the state of the book explains.
func (h *hammer) send(role, method, path string, body any, key string) (int, []byte) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, h.base+path, r)
	req.Header.Set("Authorization", "Bearer "+h.e.tokens[role])
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(httpx.HeaderIdempotencyKey, key)
	}
	status, out := 0, []byte(nil)
	resp, err := h.client.Do(req)
	if err == nil {
		out, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
	}
	h.record(method, path, role, status, out, err)
	return status, out
}

func (h *hammer) record(method, path, role string, status int, out []byte, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.counts == nil {
		h.counts = map[int]int{}
	}
	h.counts[status]++
	text := strings.ToLower(string(out))
	bad := err != nil || status >= 500 || (status >= 300 && status != http.StatusConflict) ||
		strings.Contains(text, "busy") || strings.Contains(text, "locked")
	if bad && len(h.problems) < 30 {
		h.problems = append(h.problems, fmt.Sprintf("%s %s as %s: %d %s %v", method, path, role, status, out, err))
	}
}

func (h *hammer) total() int {
	n := 0
	for _, c := range h.counts {
		n += c
	}
	return n
}

func idFrom(body []byte) int64 {
	var r struct{ ID int64 }
	_ = json.Unmarshal(body, &r)
	return r.ID
}
