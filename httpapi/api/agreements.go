package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Agreements ("company + cooperative + household" agreements), their
// versions of terms, pool declarations and wage work records.

func (a *Handlers) ListAgreements(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ags, err := a.Store.Agreements(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	for i := range ags {
		ags[i] = withParticipantLists(ags[i])
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.Agreement]{Items: ags})
}

func (a *Handlers) CreateAgreement(c echo.Context) error {
	var in ledger.AgreementInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ag, err := a.Store.CreateAgreement(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, withParticipantLists(ag))
}

func (a *Handlers) GetAgreement(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ag, err := a.Store.Agreement(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, withParticipantLists(ag))
}

func (a *Handlers) AddAgreementVersion(c echo.Context) error {
	var in ledger.VersionInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ag, err := a.Store.AddAgreementVersion(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), in)
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

func (a *Handlers) Declare(c echo.Context) error {
	var in ledger.DeclarationInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, err := a.Store.Declare(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), in)
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

func (a *Handlers) AddWorkRecords(c echo.Context) error {
	var in workRecordsRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	records := make([]ledger.WorkRecord, len(in.Records))
	for i, r := range in.Records {
		records[i] = ledger.WorkRecord{Household: r.Household, Date: r.Date, Quantity: r.Quantity, Unit: r.Unit,
			UnitRate: r.UnitRate, Note: r.Note}
	}
	out, err := a.Store.AddWorkRecords(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), records)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, httpx.List[ledger.WorkRecord]{Items: out})
}

func (a *Handlers) ListWorkRecords(c echo.Context) error {
	q := httpx.ParseQuery(c, "quarter")
	quarter := q.Quarter("quarter")
	if err := q.Err(); err != nil {
		return err
	}
	rs, err := a.Store.WorkRecords(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), quarter)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.WorkRecord]{Items: rs})
}
