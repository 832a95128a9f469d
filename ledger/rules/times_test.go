package rules

import "testing"

func TestShowTime(t *testing.T) {
	for in, want := range map[string]string{
		"2026-12-04T13:59:40.13897608Z": "2026-12-04 21:59:40",
		"2026-12-04T20:00:00Z":          "2026-12-05 04:00:00",
		"2026-12-04T21:59:40+08:00":     "2026-12-04 21:59:40",
		"2026-12-04":                    "2026-12-04",
		"":                              "",
	} {
		if got := ShowTime(in); got != want {
			t.Errorf("ShowTime(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ShowDate("2026-12-04T20:00:00Z"); got != "2026-12-05" {
		t.Errorf("ShowDate = %q", got)
	}
	if Beijing.String() != "Asia/Shanghai" {
		t.Errorf("zone %s, want Asia/Shanghai from the embedded tzdata", Beijing)
	}
}

func TestQuarterName(t *testing.T) {
	for in, want := range map[string]string{"2026Q1": "2026年第一季度", "2026Q3": "2026年第三季度", "2027Q4": "2027年第四季度", "2026Q5": "2026Q5", "": ""} {
		if got := QuarterName(in); got != want {
			t.Errorf("QuarterName(%q) = %q, want %q", in, got, want)
		}
	}
}
