package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func TestVerifyFindsTampering(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openDSN(t, dsn)
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		var ids []int64
		for i, amount := range []string{"2800.00", "1400.50", "960.25"} {
			v := f.Post(t, ledger.VoucherInput{Date: fmt.Sprintf("2026-03-%02d", 5+i), Summary: "收到公司支付土地流转费", Attachments: 1,
				Lines: []ledger.LineInput{
					{Account: "102", Debit: ledgertest.Amount(amount)},
					{Account: "21101", Household: f.Households[i], Credit: ledgertest.Amount(amount)},
				}})
			ids = append(ids, v.ID)
		}

		out := mustInvoke(t, "verify", "--db", dsn)
		if !strings.Contains(out, "OK   V1: 3 posted voucher(s) checked, chain head 2026-03 记-0003 sha256:") {
			t.Fatalf("clean verify:\n%s", out)
		}

		// Change a posted amount behind the ledger's back.
		trigger := "DROP TRIGGER voucher_lines_immutable_update"
		if s.Dialect() == ledger.Postgres {
			trigger = "DROP TRIGGER voucher_lines_immutable ON voucher_lines"
		}
		if _, err := s.DB().ExecContext(ctx, trigger); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, "UPDATE voucher_lines SET credit_fen = credit_fen + 100 WHERE book_id = ? AND voucher_id = ? AND credit_fen > 0",
			f.Book.ID, ids[1]); err != nil {
			t.Fatal(err)
		}

		for _, args := range [][]string{{"verify", "--db", dsn}, {"verify", "--db", dsn, "--book", "V1"}} {
			out, _, err := invoke(ctx, nil, args...)
			if err == nil || !strings.Contains(err.Error(), "first bad voucher 2026-03 记-0002") {
				t.Fatalf("%v: error %v, want one naming 2026-03 记-0002\n%s", args, err, out)
			}
			if !strings.Contains(out, "FAIL V1") || !strings.Contains(out, "first bad voucher: 2026-03 记-0002") {
				t.Fatalf("%v: report:\n%s", args, out)
			}
		}
	})
}
