package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// storedChunk is a row of pending_import_chunks, decoded.
type storedChunk struct {
	Seq      int
	Indices  []int                  `json:"indices"`
	Vouchers []ledger.ImportVoucher `json:"vouchers"`
}

func importChunks(t *testing.T, s *ledger.Store, id int64) []storedChunk {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), "SELECT seq, payload FROM pending_import_chunks WHERE import_id = ? ORDER BY seq", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedChunk
	for rows.Next() {
		var c storedChunk
		var payload string
		if err := rows.Scan(&c.Seq, &payload); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(payload), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// twoMonths is 1,300 historical vouchers in each of January and February
// 2026, newest first, as a careless file would hold them.
func twoMonths() []ledger.ImportVoucher {
	var vs []ledger.ImportVoucher
	for n := 1300; n >= 1; n-- {
		jan, feb := historical(n, "2026-01-15", "H002"), historical(n, "2026-02-15", "H001")
		jan.Summary, feb.Summary = fmt.Sprintf("一月第 %d 张", n), fmt.Sprintf("二月第 %d 张", n)
		vs = append(vs, jan, feb)
	}
	return vs
}

// A submitted workbook is stored in chunks of 1,000 vouchers in posting order
// (month, then number), each voucher exactly as submitted beside its index in
// the file.
func TestPendingImportChunksRoundTrip(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-04")
		vs := twoMonths()
		vs[7].Lines[1].Summary = "本行另有摘要"
		p, err := s.ImportFileVouchers(context.Background(), f.Preparer, ledger.FileImport{Book: "V1", SHA256: "ab"}, vs)
		if err != nil {
			t.Fatal(err)
		}
		chunks := importChunks(t, s, p.ID)
		var sizes []int
		seen := map[int]bool{}
		var posted []ledger.ImportVoucher
		for i, c := range chunks {
			if c.Seq != i+1 || len(c.Indices) != len(c.Vouchers) {
				t.Fatalf("chunk %d: seq %d, %d indices for %d vouchers", i, c.Seq, len(c.Indices), len(c.Vouchers))
			}
			sizes = append(sizes, len(c.Vouchers))
			for k, v := range c.Vouchers {
				i := c.Indices[k]
				if seen[i] || !reflect.DeepEqual(v, vs[i]) {
					t.Fatalf("chunk %d voucher %d: index %d (seen %v) holds %+v, submitted %+v", c.Seq, k, i, seen[i], v, vs[i])
				}
				seen[i] = true
				posted = append(posted, v)
			}
		}
		if fmt.Sprint(sizes) != "[1000 1000 600]" || len(seen) != len(vs) {
			t.Fatalf("chunk sizes %v, %d of %d vouchers", sizes, len(seen), len(vs))
		}
		if !sort.SliceIsSorted(posted, func(i, j int) bool {
			a, b := posted[i], posted[j]
			return a.Date[:7] < b.Date[:7] || a.Date[:7] == b.Date[:7] && a.Number < b.Number
		}) {
			t.Fatal("chunks are not in posting order")
		}
	})
}

// An approval is one transaction over every chunk: when the third step finds
// cash turning credit, the two steps already written are undone, the import
// is still pending with its chunks, and the database is as it was.
func TestApprovalAllOrNothingAcrossChunks(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-04")
		vs := twoMonths()
		// February's last voucher, in the third chunk, pays cash the book never had.
		vs[1] = ledger.ImportVoucher{Number: 1300, Date: "2026-02-28", Summary: "现金存入银行", ReviewedBy: "李审核",
			Lines: []ledger.LineInput{{Account: "102", Debit: ledgertest.Amount("50.00")}, {Account: "101", Credit: ledgertest.Amount("50.00")}}}
		p, err := s.ImportFileVouchers(ctx, f.Preparer, ledger.FileImport{Book: "V1", SHA256: "ab"}, vs)
		if err != nil {
			t.Fatal(err)
		}
		before := ledgertest.Digest(t, s)
		var steps []int
		_, err = s.ApproveImport(ctx, f.Township, "V1", p.ID, func(done, _ int) { steps = append(steps, done) })
		if ledger.ErrorCode(err) != ledger.ECodeConflict || !strings.Contains(err.Error(), "库存现金（101）在 2026-02-28") {
			t.Fatalf("approval: %v", err)
		}
		if fmt.Sprint(steps) != "[0 1000 2000]" {
			t.Fatalf("steps before the refusal: %v", steps)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused approval changed the database")
		}
		got, err := s.PendingImportByID(ctx, f.Township, "V1", p.ID)
		if err != nil || got.Status != ledger.ImportPending || len(importChunks(t, s, p.ID)) != 3 {
			t.Fatalf("after the refusal: %+v, %v", got, err)
		}
		if r := mustVerify(t, s, "V1"); r.Vouchers != 0 {
			t.Fatalf("verify after the refusal: %+v", r)
		}
	})
}

// A pending import stored as one payload, before migration 018, migrates to
// one chunk and is approved as it would have been: a workbook's vouchers in
// month and number order, each named by its place in the file.
func TestPendingImportFromBeforeChunks(t *testing.T) {
	for _, d := range ledgertest.Dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			dsn := ledgertest.DSN(t, d)
			s, err := ledger.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
			f.GoLive(t, "2026-04")
			vs := []ledger.ImportVoucher{historical(2, "2026-02-15", "H001"), historical(1, "2026-02-03", "H002"), historical(1, "2026-01-20", "H003")}
			p, err := s.ImportFileVouchers(ctx, f.Preparer, ledger.FileImport{Book: "V1", SHA256: "ab"}, vs)
			if err != nil {
				t.Fatal(err)
			}
			// Put the import back as the release before 018 stored it.
			old, err := json.Marshal(vs)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				"DROP TABLE pending_import_chunks",
				"ALTER TABLE pending_imports ADD COLUMN payload TEXT NOT NULL DEFAULT ''",
				"UPDATE pending_imports SET payload = '" + string(old) + "'",
				"DELETE FROM schema_migrations WHERE name = '20260101000018'",
			} {
				if _, err := s.DB().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			s.Close()
			if s, err = ledger.Open(ctx, dsn); err != nil {
				t.Fatalf("migrating an old pending import: %v", err)
			}
			defer s.Close()
			if c := importChunks(t, s, p.ID); len(c) != 1 || !reflect.DeepEqual(c[0].Vouchers, vs) || c[0].Indices != nil {
				t.Fatalf("migrated chunks %+v", c)
			}
			approved, err := s.ApproveImport(ctx, f.Township, "V1", p.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range approved.Result.Vouchers {
				got = append(got, fmt.Sprintf("%d:%s %s", v.Index, v.Period, v.Number))
			}
			if want := "[2:2026-01 记-0001 1:2026-02 记-0001 0:2026-02 记-0002]"; fmt.Sprint(got) != want {
				t.Fatalf("posted %v, want %s", got, want)
			}
			if r := mustVerify(t, s, "V1"); r.Vouchers != 3 {
				t.Fatalf("verify %+v", r)
			}
		})
	}
}
