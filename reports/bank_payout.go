package reports

import (
	"encoding/csv"
	"io"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// The bank 代发 list of a payout run in the layout banks' batch-payment
// templates share: 户名, 卡号, 金额, 备注, one household a row. The CSV is
// UTF-8 with a byte-order mark (so Excel opens the Chinese right) and the
// amount as text with two decimals; the workbook keeps the card as text so
// no digit is lost.

// BankPayoutColumns are the columns of the 代发 list.
var BankPayoutColumns = []string{"户名", "卡号", "金额", "备注"}

// WriteBankPayoutCSV writes the 代发 list as CSV.
func WriteBankPayoutCSV(w io.Writer, rows []ledger.BankPayoutRow) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Windows tools and bank uploaders expect
	if err := cw.Write(BankPayoutColumns); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.Name, r.Card, r.Amount.String(), r.Remark}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteBankPayoutXLSX writes the 代发 list as a workbook of one sheet; no
// total row, which a bank's uploader would take for one more payment.
func WriteBankPayoutXLSX(w io.Writer, rows []ledger.BankPayoutRow) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "代发清单"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	amount, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range []float64{12, 24, 14, 30} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", []any{"户名", "卡号", "金额", "备注"}); err != nil {
		return err
	}
	for i, r := range rows {
		m, err := money(r.Amount, amount)
		if err != nil {
			return err
		}
		cellName, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cellName, []any{cell(r.Name, text), cell(r.Card, text), m, cell(r.Remark, text)}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
