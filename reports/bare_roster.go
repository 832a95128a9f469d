package reports

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// WriteBareRoster writes the roster's cells with excelize's StreamWriter
// alone (compressed as WriteRoster compresses) — no styles, page setup, protection or checks. It is not a report:
// the benchmarks measure WriteRoster against it, as the ceiling of what
// excelize can do with the same cells.
func WriteBareRoster(w io.Writer, d RosterData) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(fastZip) // the same compression as WriteRoster, to compare like with like
	if err := f.SetSheetName("Sheet1", SheetRoster); err != nil {
		return err
	}
	for _, s := range []string{SheetLines, SheetTotals} {
		if _, err := f.NewSheet(s); err != nil {
			return err
		}
	}
	num := func(m ledger.Money) float64 { return m.Decimal().InexactFloat64() } // the edge of the baseline: no exactness check
	sw, err := f.NewStreamWriter(SheetRoster)
	if err != nil {
		return err
	}
	row := 3
	header := make([]any, len(RosterColumns))
	for i, c := range RosterColumns {
		header[i] = c
	}
	if err := sw.SetRow("A3", header); err != nil {
		return err
	}
	for i, h := range d.Households {
		row++
		words, _ := ChineseCapitals(h.Total.Decimal())
		if err := sw.SetRow(fmt.Sprint("A", row), []any{i + 1, h.Group, h.HeadName, h.IDNumber, h.BankAccount, h.Members,
			num(h.Rent), num(h.Dividend), num(h.Wage), num(h.Other), excelize.Cell{Formula: fmt.Sprintf("SUM(G%d:J%d)", row, row)},
			words, num(h.Paid), excelize.Cell{Formula: fmt.Sprintf("K%d-M%d", row, row)}, ""}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if sw, err = f.NewStreamWriter(SheetLines); err != nil {
		return err
	}
	row = 3
	for i, l := range d.Lines {
		row++
		if err := sw.SetRow(fmt.Sprint("A", row), []any{i + 1, l.Group, l.Household, l.HeadName, l.Agreement, l.AgreementTitle, l.Kind,
			l.Account, num(l.Amount), num(l.Fee), num(l.Paid), num(l.Outstanding), l.Basis}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
