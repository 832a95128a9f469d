package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// cpuTime is the process's user + system CPU time: on a shared, loaded
// machine it compares runs better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPostingHTTP is `coopledger bench` figure 1 inside one process: a
// 4-line voucher created by one accountant and posted by another, over
// loopback keep-alive connections, by 1 and 8 clients. The server logs every
// request as `coopledger serve` does (text, here discarded), so a CPU
// profile shows where a voucher's time goes on both sides (cpu-µs/op counts
// the client too).
func BenchmarkPostingHTTP(b *testing.B) {
	for _, d := range ledgertest.Dialects() {
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", d, clients), func(b *testing.B) {
				s := ledgertest.Open(b, d)
				f := ledgertest.NewFixture(b, s, "B1", ledger.KindVillage, 20)
				srv := httptest.NewServer(New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{}))
				defer srv.Close()
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients + 4, DisableCompression: true}}
				defer client.CloseIdleConnections()
				call := func(url, token string, body []byte, out any) error {
					req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
					if err != nil {
						return err
					}
					req.Header.Set("Authorization", "Bearer "+token)
					if body != nil {
						req.Header.Set("Content-Type", "application/json")
					}
					res, err := client.Do(req)
					if err != nil {
						return err
					}
					defer res.Body.Close()
					raw, err := io.ReadAll(res.Body)
					if err != nil {
						return err
					}
					if res.StatusCode/100 != 2 {
						return fmt.Errorf("%s: %d %s", url, res.StatusCode, raw)
					}
					if out != nil {
						return json.Unmarshal(raw, out)
					}
					return nil
				}
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, clients)
				b.ResetTimer()
				cpu0 := cpuTime()
				for w := 0; w < clients; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := next.Add(1)
							if i > int64(b.N) {
								return
							}
							in, out := ledger.Fen(30_000+i%1000), ledger.Fen(10_000)
							h := f.Households[int(i)%len(f.Households)]
							body, _ := json.Marshal(ledger.VoucherInput{Date: "2026-02-10", Summary: "收到土地流转费并支付农户",
								Lines: []ledger.LineInput{{Account: "102", Debit: &in}, {Account: "21101", Household: h, Credit: &in},
									{Account: "21101", Household: h, Debit: &out}, {Account: "102", Credit: &out}}})
							var v struct{ ID int64 }
							if err := call(srv.URL+"/api/v1/books/B1/vouchers", f.Tokens["preparer"], body, &v); err != nil {
								errs <- err
								return
							}
							if err := call(fmt.Sprintf("%s/api/v1/books/B1/vouchers/%d/post", srv.URL, v.ID), f.Tokens["reviewer"], nil, nil); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
			})
		}
	}
}
