package ledger

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Group imports (import_*.go): data from earlier systems and uploaded files.
//
// Recorded file imports and the workbook-shaped entry points
// (import_files.go: ImportFileHouseholds, ImportFileWorkRecords,
// ImportFilePayments, ImportFileRegister), household rosters
// (import_households.go), historical vouchers and opening balances
// (import_vouchers.go: ImportVouchers, SetOpeningBalances) and the voucher
// sheet (import_voucher_file.go); who may upload a file, checked before it
// is read (import_access.go: CheckImportAccess). The claim that records a file in the
// transaction that applies it is core (core_idempotency.go).
//
// Imports use core and payouts; nothing in ledger uses them.

// File imports: a village accountant uploads the same roster twice more often
// than not. Each accepted file is recorded in the transaction that applies it,
// keyed by book, kind, target and the file's SHA-256, so a second upload of
// the same file is recognised and applies nothing.

// Import kinds.
const (
	ImportHouseholds  ImportKind = "households"
	ImportParcels     ImportKind = "parcels"
	ImportShares      ImportKind = "shares"
	ImportWorkRecords ImportKind = "work-records"
	ImportPayments    ImportKind = "payments"
	// ImportVoucherSheet is the voucher template of historical books: one
	// row per voucher line, the lines of a voucher grouped by date and number.
	ImportVoucherSheet ImportKind = "vouchers"
)

// ImportKinds lists the kinds in the order the templates are offered.
var ImportKinds = []ImportKind{ImportHouseholds, ImportParcels, ImportShares, ImportWorkRecords, ImportPayments, ImportVoucherSheet, ImportBankStatement}

// ImportKindNames lists the kinds for messages: "households、… 或 vouchers".
func ImportKindNames() string {
	names := make([]string, len(ImportKinds))
	for i, k := range ImportKinds {
		names[i] = string(k)
	}
	return strings.Join(names[:len(names)-1], "、") + " 或 " + names[len(names)-1]
}

// Label is the kind's name on templates and pages.
func (k ImportKind) Label() string {
	switch k {
	case ImportHouseholds:
		return "农户花名册"
	case ImportParcels:
		return "土地流转地块"
	case ImportShares:
		return "股权登记"
	case ImportWorkRecords:
		return "务工记录"
	case ImportPayments:
		return "银行代发结果"
	case ImportVoucherSheet:
		return "历史凭证"
	case ImportBankStatement:
		return "银行对账单"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k ImportKind) Valid() bool {
	for _, x := range ImportKinds {
		if k == x {
			return true
		}
	}
	return false
}

// FileImported returns the earlier import of the same file for the same
// target, if there was one.
func (s *Store) FileImported(ctx context.Context, a Actor, f FileImport) (FileImport, bool, error) {
	b, err := s.authorize(ctx, s.db, a, f.Book, permRead)
	if err != nil {
		return FileImport{}, false, err
	}
	out := FileImport{Book: f.Book, Kind: f.Kind, Target: f.Target, SHA256: f.SHA256}
	err = s.db.QueryRowContext(ctx, `SELECT file_name, rows, user_id, created_at FROM file_imports
		WHERE book_id = ? AND kind = ? AND target = ? AND sha256 = ?`, b.ID, string(f.Kind), f.Target, f.SHA256).
		Scan(&out.FileName, &out.Rows, &out.UserID, &out.CreatedAt)
	if isNoRows(err) {
		return FileImport{}, false, nil
	}
	return out, err == nil, err
}

// refuseReimport answers ErrFileAlreadyImported for a file seen before, so
// the caller learns that before any validation of the rows; the claim in the
// applying transaction settles a race between two uploads.
func (s *Store) refuseReimport(ctx context.Context, a Actor, f FileImport) error {
	_, found, err := s.FileImported(ctx, a, f)
	if err == nil && found {
		err = ErrFileAlreadyImported
	}
	return err
}

// ImportFileHouseholds adds the households of an uploaded roster, all or none.
func (s *Store) ImportFileHouseholds(ctx context.Context, a Actor, f FileImport, hs []Household) (int, error) {
	f.Kind, f.Target, f.Rows = ImportHouseholds, "", len(hs)
	if err := s.refuseReimport(ctx, a, f); err != nil {
		return 0, err
	}
	return s.ImportHouseholds(ctx, withFileImport(a, f), f.Book, hs)
}

// ImportFileWorkRecords adds the work records of an uploaded sheet to a wage agreement.
func (s *Store) ImportFileWorkRecords(ctx context.Context, a Actor, f FileImport, agreement string, rs []WorkRecord) (int, error) {
	f.Kind, f.Target, f.Rows = ImportWorkRecords, agreement, len(rs)
	if len(rs) == 0 || len(rs) > maxWorkRecords {
		return 0, FieldError("records", "每次导入应有 1 到 %d 条务工记录", maxWorkRecords)
	}
	if err := s.refuseReimport(ctx, a, f); err != nil {
		return 0, err
	}
	out, err := s.AddWorkRecords(ctx, withFileImport(a, f), f.Book, agreement, rs)
	return len(out), err
}

// ImportFilePayments records the successful rows of a bank's payment result
// file against a payout run.
func (s *Store) ImportFilePayments(ctx context.Context, a Actor, f FileImport, runID int64, ps []PaymentInput) (int, error) {
	f.Kind, f.Target, f.Rows = ImportPayments, strconv.FormatInt(runID, 10), len(ps)
	if err := s.refuseReimport(ctx, a, f); err != nil {
		return 0, err
	}
	out, err := s.RecordPayments(ctx, withFileImport(a, f), f.Book, runID, ps)
	return len(out), err
}

// RegisterRow is one row of a parcel register (Parcel set) or a share
// register (Shares set).
type RegisterRow struct {
	Household string
	Parcel    *Parcel
	Shares    *decimal.Decimal
}

// RegisterTarget is the import target of a register: the agreement and the
// day the register takes effect.
func RegisterTarget(agreement, effectiveFrom string) string { return agreement + "@" + effectiveFrom }

// ImportFileRegister replaces an agreement's register from a date: a new
// version whose participants are exactly the households of rows (with their
// parcels or shares), every other term carried over from the latest version.
// Errors name rows[i] — the index of the row — rather than the participant.
func (s *Store) ImportFileRegister(ctx context.Context, a Actor, f FileImport, agreement, effectiveFrom string, rows []RegisterRow) (Agreement, error) {
	f.Target, f.Rows = RegisterTarget(agreement, effectiveFrom), len(rows)
	if f.Kind != ImportParcels && f.Kind != ImportShares {
		return Agreement{}, FieldError("kind", "登记表只能是地块或股权")
	}
	if len(rows) == 0 || len(rows) > maxParticipants {
		return Agreement{}, FieldError("rows", "每次导入应有 1 到 %d 行", maxParticipants)
	}
	if err := s.refuseReimport(ctx, a, f); err != nil {
		return Agreement{}, err
	}
	ag, err := s.Agreement(ctx, a, f.Book, agreement)
	if err != nil {
		return Agreement{}, err
	}
	if err := registerFits(ag.Kind, f.Kind); err != nil {
		return Agreement{}, err
	}
	terms, index := registerTerms(ag.Versions[len(ag.Versions)-1].Terms, rows)
	out, err := s.AddAgreementVersion(ctx, withFileImport(a, f), f.Book, agreement,
		VersionInput{EffectiveFrom: effectiveFrom, Terms: terms})
	return out, rowErrors(err, index)
}

func registerFits(kind AgreementKind, ik ImportKind) error {
	switch {
	case ik == ImportParcels && kind != LandRent:
		return FieldError("agreement", "地块登记只适用于土地租金协议")
	case ik == ImportShares && kind != ShareDividend && kind != FixedSum && kind != CoopSurplus:
		return FieldError("agreement", "股权登记只适用于股金分红、包干（按股）或盈余返还协议")
	}
	return nil
}

// registerTerms builds the new terms and, for each participant (and parcel),
// the row it came from.
func registerTerms(last Terms, rows []RegisterRow) (Terms, map[string]int) {
	previous := make(map[string]Participant, len(last.Participants))
	for _, p := range last.Participants {
		previous[p.Household] = p
	}
	t := last
	t.Participants = nil
	at := map[string]int{} // household → participant index
	index := map[string]int{}
	for i, r := range rows {
		pi, seen := at[r.Household]
		if !seen || r.Parcel == nil {
			prev := previous[r.Household]
			pi = len(t.Participants)
			at[r.Household] = pi
			t.Participants = append(t.Participants, Participant{Household: r.Household, Start: prev.Start, End: prev.End, Volume: prev.Volume})
			index[fmt.Sprintf("terms.participants[%d]", pi)] = i
		}
		p := &t.Participants[pi]
		if r.Parcel != nil {
			index[fmt.Sprintf("terms.participants[%d].parcels[%d]", pi, len(p.Parcels))] = i
			p.Parcels = append(p.Parcels, *r.Parcel)
		}
		if r.Shares != nil {
			p.Shares = r.Shares
		}
	}
	return t, index
}

var participantField = regexp.MustCompile(`^(terms\.participants\[\d+\](?:\.parcels\[\d+\])?)(?:\.(.+))?$`)

// rowErrors renames participant fields in err to the rows they came from.
func rowErrors(err error, index map[string]int) error {
	e, ok := AsError(err)
	if !ok || len(e.Details) == 0 {
		return err
	}
	out := &Error{Code: e.Code, Message: e.Message}
	for _, d := range e.Details {
		if m := participantField.FindStringSubmatch(d.Field); m != nil {
			if i, ok := index[m[1]]; ok {
				field := fmt.Sprintf("rows[%d]", i)
				if m[2] != "" {
					field += "." + m[2]
				}
				d.Field = field
			}
		}
		out.Details = append(out.Details, d)
	}
	if len(out.Details) > 0 {
		out.Message = out.Details[0].Field + "：" + out.Details[0].Message
	}
	return out
}
