package public

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"coopledger/ledger"
	"coopledger/reports"
)

// The notice (公示表) on a phone: every household is a card, and a search
// box (a plain GET form, ?q=, so it works without script) lists the cards
// whose head's name or household code matches right under the box, so a
// villager reaches their own line on the first screen whatever the size of
// the village.

// maxQueryRunes bounds what the search box reads.
const maxQueryRunes = 32

// noticeMatch is one household found by the search, with its run.
type noticeMatch struct {
	Run        int64
	Adjustment bool
	No         int // the household's 序号 in the run's notice
	H          reports.RosterHousehold
}

// noticeQuery is the search box's text, trimmed, NFKC-folded (full-width
// letters and digits become ASCII) and bounded.
func noticeQuery(q string) string {
	q = strings.TrimSpace(norm.NFKC.String(q))
	if r := []rune(q); len(r) > maxQueryRunes {
		q = string(r[:maxQueryRunes])
	}
	return q
}

// searchNotices finds q in the notices: a household code matches whole
// (case-insensitive), a name matches any part.
func searchNotices(notices []reports.RosterData, q string) []noticeMatch {
	if q == "" {
		return nil
	}
	var out []noticeMatch
	for _, d := range notices {
		for i, h := range d.Households {
			if strings.EqualFold(h.Code, q) || strings.Contains(h.HeadName, q) {
				out = append(out, noticeMatch{Run: d.Run.ID, Adjustment: d.Run.Adjustment, No: i + 1, H: h})
			}
		}
	}
	return out
}

// kindName is a payout kind as the villagers read it: the Chinese label of
// an agreement kind code, or the stored text when it already is one.
func kindName(k string) string { return ledger.AgreementKind(k).Label() }
