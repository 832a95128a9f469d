package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"coopledger/ledger"
)

// Agreements ("company + cooperative + household" agreements), their
// versions of terms, pool declarations and wage work records.

func (a *api) listAgreements(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	ags, err := a.store.Agreements(ctx(c), actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	for i := range ags {
		ags[i] = withParticipantLists(ags[i])
	}
	return c.JSON(http.StatusOK, list[ledger.Agreement]{Items: ags})
}

func (a *api) createAgreement(c echo.Context) error {
	var in ledger.AgreementInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ag, err := a.store.CreateAgreement(ctx(c), actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, withParticipantLists(ag))
}

func (a *api) getAgreement(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	ag, err := a.store.Agreement(ctx(c), actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, withParticipantLists(ag))
}

func (a *api) addAgreementVersion(c echo.Context) error {
	var in ledger.VersionInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ag, err := a.store.AddAgreementVersion(ctx(c), actor(c), c.Param("book"), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, withParticipantLists(ag))
}

// withParticipantLists writes an absent participant list (a wage agreement
// needs none) as [] rather than null, as the document promises.
func withParticipantLists(ag ledger.Agreement) ledger.Agreement {
	for i := range ag.Versions {
		if ag.Versions[i].Terms.Participants == nil {
			ag.Versions[i].Terms.Participants = []ledger.Participant{}
		}
	}
	return ag
}

func (a *api) declare(c echo.Context) error {
	var in ledger.DeclarationInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d, err := a.store.Declare(ctx(c), actor(c), c.Param("book"), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

// workRecordRequest is a work record as a client submits it (the ledger
// assigns the id).
type workRecordRequest struct {
	Household string          `json:"household"`
	Date      string          `json:"date"`
	Quantity  decimal.Decimal `json:"quantity"`
	Unit      string          `json:"unit"`
	UnitRate  decimal.Decimal `json:"unit_rate"`
	Note      string          `json:"note,omitempty"`
}

// workRecordsRequest is one batch, recorded all or none.
type workRecordsRequest struct {
	Records []workRecordRequest `json:"records"`
}

func (a *api) addWorkRecords(c echo.Context) error {
	var in workRecordsRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	records := make([]ledger.WorkRecord, len(in.Records))
	for i, r := range in.Records {
		records[i] = ledger.WorkRecord{Household: r.Household, Date: r.Date, Quantity: r.Quantity, Unit: r.Unit,
			UnitRate: r.UnitRate, Note: r.Note}
	}
	out, err := a.store.AddWorkRecords(ctx(c), actor(c), c.Param("book"), c.Param("code"), records)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, list[ledger.WorkRecord]{Items: out})
}

func (a *api) listWorkRecords(c echo.Context) error {
	q := parseQuery(c, "quarter")
	quarter := q.quarter("quarter")
	if err := q.err(); err != nil {
		return err
	}
	rs, err := a.store.WorkRecords(ctx(c), actor(c), c.Param("book"), c.Param("code"), quarter)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.WorkRecord]{Items: rs})
}
