package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Agreements: list, create each kind with its participants and terms, see
// every version, declare a pool.

var agreementKinds = []ledger.AgreementKind{ledger.LandRent, ledger.ShareDividend, ledger.Wage, ledger.FixedSum, ledger.CoopSurplus}

type agreementsData struct {
	Agreements []ledger.Agreement
	CanWrite   bool
}

func (a *Pages) Agreements(c echo.Context) error {
	p := newPage(c, "协议", "agreements")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	ags, err := a.Store.Agreements(httpx.Ctx(c), httpx.Actor(c), p.Book.Code)
	if err != nil {
		return a.webError(c, err)
	}
	p.D = agreementsData{Agreements: ags, CanWrite: canWrite(c)}
	return a.render(c, http.StatusOK, "agreements", &p)
}

// agreementForm is the create form as typed; participants are one line each.
type agreementForm struct {
	Code, Title, Kind, Party, Start, End                          string
	Schedule, PayQuarter, ServiceFeeRate, Basis, ShareValue, Rate string
	YearlyAmount, SplitBy, VolumeShare, Participants              string
}

type agreementFormData struct {
	F       agreementForm
	Kinds   []ledger.AgreementKind
	Parties []ledger.Party
	Errors  map[string]string
}

func (a *Pages) agreementFormPage(c echo.Context, p *webPage, f agreementForm, errs map[string]string, status int) error {
	ps, err := a.Store.Parties(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, "", 1000)
	if err != nil {
		return a.webError(c, err)
	}
	if errs == nil {
		errs = map[string]string{}
	}
	p.D = agreementFormData{F: f, Kinds: agreementKinds, Parties: ps, Errors: errs}
	return a.render(c, status, "agreement_form", p)
}

func (a *Pages) AgreementForm(c echo.Context) error {
	p := newPage(c, "新建协议", "agreements")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	f := agreementForm{Kind: c.QueryParam("kind"), Schedule: "quarterly"}
	if !validKind(f.Kind) {
		f.Kind = string(ledger.LandRent)
	}
	return a.agreementFormPage(c, &p, f, nil, http.StatusOK)
}

func readAgreementForm(c echo.Context) agreementForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return agreementForm{Code: v("code"), Title: v("title"), Kind: v("kind"), Party: firstToken(v("party")), Start: v("start"),
		End: v("end"), Schedule: v("schedule"), PayQuarter: v("pay_quarter"), ServiceFeeRate: v("service_fee_rate"),
		Basis: v("basis"), ShareValue: v("share_value"), Rate: v("rate"), YearlyAmount: v("yearly_amount"),
		SplitBy: v("split_by"), VolumeShare: v("volume_share"), Participants: c.FormValue("participants")}
}

// optDecimal parses an optional decimal field of the form.
func optDecimal(errs map[string]string, field, s string) *decimal.Decimal {
	if s == "" {
		return nil
	}
	d, err := decimal.NewFromString(strings.ReplaceAll(s, ",", ""))
	if err != nil || strings.ContainsAny(s, "eE") {
		errs[field] = "应为数字，如 0.08 或 800"
		return nil
	}
	return &d
}

// maxParticipantLines bounds the participants text of one form.
const maxParticipantLines = 20000

// parseParticipants reads one participant per line:
// land_rent "户号 地块名 面积 单价" (a household may have several lines, one per
// parcel); share_dividend and fixed_sum by shares "户号 股数"; coop_surplus
// "户号 股数 交易量"; equal or by members "户号".
func parseParticipants(kind ledger.AgreementKind, text string, errs map[string]string) []ledger.Participant {
	var out []ledger.Participant
	at := map[string]int{}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if len(lines) > maxParticipantLines {
		errs["participants"] = fmt.Sprintf("最多 %d 行", maxParticipantLines)
		return nil
	}
	bad := func(n int, msg string) {
		if errs["participants"] == "" {
			errs["participants"] = fmt.Sprintf("第 %d 行：%s", n, msg)
		}
	}
	num := func(n int, s string) (decimal.Decimal, bool) {
		d, err := decimal.NewFromString(s)
		if err != nil || strings.ContainsAny(s, "eE") {
			bad(n, "“"+s+"”不是数字")
			return decimal.Decimal{}, false
		}
		return d, true
	}
	for i, line := range lines {
		f := strings.Fields(strings.ReplaceAll(line, "，", " "))
		if len(f) == 0 {
			continue
		}
		n := i + 1
		p := ledger.Participant{Household: f[0]}
		switch kind {
		case ledger.LandRent:
			if len(f) != 4 {
				bad(n, "应为“户号 地块名 面积(亩) 单价(元/亩/年)”，如 H001 东坡 3.5 800")
				continue
			}
			area, ok1 := num(n, f[2])
			rate, ok2 := num(n, f[3])
			if !ok1 || !ok2 {
				continue
			}
			parcel := ledger.Parcel{Name: f[1], AreaMu: area, Rate: rate}
			if k, seen := at[p.Household]; seen {
				out[k].Parcels = append(out[k].Parcels, parcel)
				continue
			}
			p.Parcels = []ledger.Parcel{parcel}
		case ledger.ShareDividend, ledger.FixedSum:
			if len(f) == 2 {
				d, ok := num(n, f[1])
				if !ok {
					continue
				}
				p.Shares = &d
			} else if len(f) != 1 {
				bad(n, "应为“户号 股数”，如 H001 2.5")
				continue
			}
		case ledger.CoopSurplus:
			if len(f) != 3 {
				bad(n, "应为“户号 出资股数 交易量(元)”，如 H001 2 15000")
				continue
			}
			d, ok := num(n, f[1])
			vol, err := ledger.ParseMoney(f[2])
			if err != nil {
				bad(n, err.Error())
				continue
			}
			if !ok {
				continue
			}
			p.Shares, p.Volume = &d, &vol
		default:
			if len(f) != 1 {
				bad(n, "每行只写户号")
				continue
			}
		}
		at[p.Household] = len(out)
		out = append(out, p)
	}
	return out
}

var termsField = regexp.MustCompile(`^terms\.(schedule|pay_quarter|service_fee_rate|basis|share_value|rate|yearly_amount|split_by|volume_share)$`)
var participantField = regexp.MustCompile(`^terms\.participants(?:\[(\d+)\])?`)

func (a *Pages) CreateAgreement(c echo.Context) error {
	p := newPage(c, "新建协议", "agreements")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	f := readAgreementForm(c)
	errs := map[string]string{}
	kind := ledger.AgreementKind(f.Kind)
	t := ledger.Terms{Schedule: f.Schedule, Basis: f.Basis, SplitBy: f.SplitBy,
		ServiceFeeRate: optDecimal(errs, "service_fee_rate", f.ServiceFeeRate), ShareValue: optDecimal(errs, "share_value", f.ShareValue),
		Rate: optDecimal(errs, "rate", f.Rate), VolumeShare: optDecimal(errs, "volume_share", f.VolumeShare)}
	switch kind { // send only the terms the kind has
	case ledger.LandRent:
		t.Basis, t.SplitBy, t.ShareValue, t.Rate, t.VolumeShare = "", "", nil, nil, nil
	case ledger.ShareDividend:
		t.Schedule, t.SplitBy, t.ServiceFeeRate, t.VolumeShare = "", "", nil, nil
	case ledger.FixedSum:
		t.Basis, t.ServiceFeeRate, t.ShareValue, t.Rate, t.VolumeShare = "", nil, nil, nil, nil
	default:
		t = ledger.Terms{VolumeShare: t.VolumeShare}
		if kind != ledger.CoopSurplus {
			t.VolumeShare = nil
		}
	}
	if f.PayQuarter != "" && t.Schedule == "yearly" {
		n, err := strconv.Atoi(f.PayQuarter)
		if err != nil {
			errs["pay_quarter"] = "应为 1 到 4"
		}
		t.PayQuarter = n
	}
	if f.YearlyAmount != "" && kind == ledger.FixedSum {
		m, err := formMoney(f.YearlyAmount)
		if err != nil {
			errs["yearly_amount"] = err.Error()
		}
		t.YearlyAmount = m
	}
	t.Participants = parseParticipants(kind, f.Participants, errs)
	status := http.StatusBadRequest
	if len(errs) == 0 {
		in := ledger.AgreementInput{Code: f.Code, Title: f.Title, Kind: kind, Party: f.Party, Start: f.Start, End: f.End, Terms: t}
		ag, err := a.Store.CreateAgreement(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, in)
		if err == nil {
			return seeOther(c, bookURL(p.Book.Code, "agreements", ag.Code)+"?ok=created")
		}
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, p.Error = agreementErrors(err, t.Participants)
		status = httpx.StatusByCode[ledger.ErrorCode(err)]
	}
	return a.agreementFormPage(c, &p, f, errs, status)
}

// agreementErrors places the ledger's field errors on the form: terms.x on
// its field, a participant's problem on the participants box with its household.
func agreementErrors(err error, ps []ledger.Participant) (map[string]string, string) {
	errs := map[string]string{}
	var le *ledger.Error
	if !errors.As(err, &le) {
		return errs, ""
	}
	general := ""
	for _, d := range le.Details {
		field := d.Field
		if m := termsField.FindStringSubmatch(field); m != nil {
			field = m[1]
		} else if m := participantField.FindStringSubmatch(field); m != nil {
			msg := d.Message
			if k, err := strconv.Atoi(m[1]); err == nil && k < len(ps) {
				msg = "农户 " + ps[k].Household + "：" + msg
			}
			if errs["participants"] == "" {
				errs["participants"] = msg
			}
			continue
		}
		switch field {
		case "code", "title", "kind", "party", "start", "end", "schedule", "pay_quarter", "service_fee_rate", "basis",
			"share_value", "rate", "yearly_amount", "split_by", "volume_share":
			if errs[field] == "" {
				errs[field] = d.Message
			}
		default:
			if general == "" {
				general = d.Field + "：" + d.Message
			}
		}
	}
	if len(le.Details) == 0 {
		general = le.Message
	}
	return errs, general
}

type agreementData struct {
	Ag           ledger.Agreement
	Declarations []ledger.Declaration
	CanWrite     bool
	Poolable     bool
	Quarter      string
	Amount       string
	Errors       map[string]string
}

func (a *Pages) agreementPage(c echo.Context, p *webPage, d agreementData, status int) error {
	ag, err := a.Store.Agreement(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("code"))
	if err != nil {
		return a.webError(c, err)
	}
	d.Ag, d.CanWrite = ag, canWrite(c)
	d.Poolable = ag.Kind == ledger.CoopSurplus
	if ag.Kind == ledger.ShareDividend {
		for _, v := range ag.Versions {
			d.Poolable = d.Poolable || v.Terms.Basis == "pool"
		}
	}
	if d.Poolable {
		if d.Declarations, err = a.Store.Declarations(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, ag.Code); err != nil {
			return a.webError(c, err)
		}
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	p.Title = "协议 " + ag.Code + " " + ag.Title
	p.D = d
	return a.render(c, status, "agreement", p)
}

func (a *Pages) Agreement(c echo.Context) error {
	p := newPage(c, "协议", "agreements")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	return a.agreementPage(c, &p, agreementData{}, http.StatusOK)
}

func (a *Pages) Declare(c echo.Context) error {
	p := newPage(c, "协议", "agreements")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d := agreementData{Quarter: strings.TrimSpace(c.FormValue("quarter")), Amount: strings.TrimSpace(c.FormValue("amount")),
		Errors: map[string]string{}}
	m, err := formMoney(d.Amount)
	if err != nil || m == nil {
		d.Errors["amount"] = "请填写金额，如 20000.00"
		return a.agreementPage(c, &p, d, http.StatusBadRequest)
	}
	_, err = a.Store.Declare(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("code"), ledger.DeclarationInput{Quarter: d.Quarter, Amount: *m})
	if err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		d.Errors, p.Error = formErrors(err, func(f string) bool { return f == "quarter" || f == "amount" })
		return a.agreementPage(c, &p, d, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, bookURL(p.Book.Code, "agreements", c.Param("code"))+"?ok=declared")
}

func validKind(k string) bool {
	for _, kind := range agreementKinds {
		if string(kind) == k {
			return true
		}
	}
	return false
}
