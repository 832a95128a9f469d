package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"coopledger/ledger"
)

// Fuzz targets for the strict JSON decoding of request bodies. Whatever the
// bytes, decoding must not panic; a refusal is an invalid-input error with
// at least one field detail; an accepted body re-encodes to a body that is
// accepted again and decodes to the same value.

// voucherJSON is a voucher's body with the given lines.
func voucherJSON(date string, lines ...string) string {
	return fmt.Sprintf(`{"date": %q, "summary": "测试凭证", "attachments": 1, "lines": [%s]}`, date, strings.Join(lines, ", "))
}

func voucherSeeds() []string {
	return []string{
		voucherJSON("2026-02-10", `{"account": "102", "debit": "10.00"}`, `{"account": "21101", "household": "H001", "credit": "10.00"}`),
		voucherJSON("2026-02-30", `{"account": "102", "debit": 12.345}`, `{"account": "21101", "credit": -10}`),
		`{"date": "2026-02-10", "date": "x", "lines": [1e400, null, {}]}`,
		`{"Date": "2026-02-10", "summary": "\u0000", "lines": {}}`,
		`[`, `{"lines": [{"debit": "1e3", "credit": true, "amount": "1"}]}`, `null`, `"x"`,
	}
}

func agreementSeeds() []string {
	return []string{
		`{"code":"AG1","title":"土地流转协议","kind":"land_rent","party":"C01","start":"2026-01-01","terms":{"schedule":"quarterly",` +
			`"participants":[{"household":"H001","parcels":[{"name":"东坡","area_mu":"3.5","rate":800}]}]}}`,
		`{"code":"AG2","kind":"share_dividend","terms":{"basis":"pool","participants":[{"household":"H001","shares":"1e3"}]}}`,
		`{"code":"AG3","kind":"coop_surplus","terms":{"volume_share":"0.6","participants":[{"household":"H1","volume":-1}]}}`,
		`{"terms":{"participants":[{"parcels":[{"area_mu":"3.123456789012345678901"}]}]}}`,
		`{"accounts":{"debit":"112"},"end":null}`,
	}
}

func FuzzDecodeVoucher(f *testing.F) {
	for _, s := range voucherSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodes(t, body, func() any { return &ledger.VoucherInput{} })
	})
}

func FuzzDecodeAgreement(f *testing.F) {
	for _, s := range agreementSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodes(t, body, func() any { return &ledger.AgreementInput{} })
	})
}

func checkDecodes(t *testing.T, body []byte, fresh func() any) {
	dst := fresh()
	err := DecodeStrict(body, dst)
	if err != nil {
		var le *ledger.Error
		if !errors.As(err, &le) || le.Code != ledger.ECodeInvalid || len(le.Details) == 0 || !containsHan(le.Message) {
			t.Fatalf("refusal of %q is not an invalid-input error with details: %#v", body, err)
		}
		return
	}
	again, err := json.Marshal(dst)
	if err != nil {
		t.Fatalf("accepted %q but cannot re-encode: %v", body, err)
	}
	// Go encodes a field left out as null, which the strict decoder refuses
	// from a client: leave such fields out again.
	again = withoutNulls(t, again)
	second := fresh()
	if err := DecodeStrict(again, second); err != nil {
		t.Fatalf("accepted %q, re-encoded as %s, refused: %v", body, again, err)
	}
	if third, _ := json.Marshal(second); string(withoutNulls(t, third)) != string(again) {
		t.Fatalf("accepted %q does not round-trip: %s vs %s", body, again, third)
	}
}

// withoutNulls removes every object member whose value is null.
func withoutNulls(t *testing.T, doc []byte) []byte {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("re-encoded %s is not JSON: %v", doc, err)
	}
	out, err := json.Marshal(dropNulls(v))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
			} else {
				x[k] = dropNulls(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = dropNulls(e)
		}
	}
	return v
}
