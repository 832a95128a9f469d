package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// A book's 常用摘要 and voucher templates.

// SummaryPhraseRequest adds one 常用摘要.
type SummaryPhraseRequest struct {
	Text string `json:"text"`
}

// TemplateVoucherRequest dates the draft made from a template.
type TemplateVoucherRequest struct {
	Date string `json:"date"`
}

// aidID parses the {id} of a phrase or template.
func aidID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httpx.Invalid("id", "ID 应为正整数")
	}
	return id, nil
}

func (a *Handlers) ListSummaryPhrases(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ps, err := a.Store.SummaryPhrases(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ps)
}

func (a *Handlers) AddSummaryPhrase(c echo.Context) error {
	var in SummaryPhraseRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.Store.AddSummaryPhrase(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (a *Handlers) DeleteSummaryPhrase(c echo.Context) error {
	id, err := aidID(c)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteSummaryPhrase(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *Handlers) ListVoucherTemplates(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ts, err := a.Store.VoucherTemplates(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ts)
}

func (a *Handlers) SaveVoucherTemplate(c echo.Context) error {
	var in ledger.TemplateInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := a.Store.SaveVoucherTemplate(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (a *Handlers) DeleteVoucherTemplate(c echo.Context) error {
	id, err := aidID(c)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteVoucherTemplate(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// VoucherFromTemplate saves a draft from a template.
func (a *Handlers) VoucherFromTemplate(c echo.Context) error {
	id, err := aidID(c)
	if err != nil {
		return err
	}
	var in TemplateVoucherRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.Store.VoucherFromTemplate(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in.Date)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}
