package rules

import "testing"

func TestCleanNumber(t *testing.T) {
	for in, want := range map[string]string{
		"6222 0212 3456 7890":    "6222021234567890",
		"６２２２０２１２３４５６７８９０":       "6222021234567890",
		" 6222\u30000212\t3456 ": "622202123456",
		"11010519491231002Ｘ":     "11010519491231002X",
		"":                       "",
	} {
		if got := CleanNumber(in); got != want {
			t.Errorf("CleanNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
