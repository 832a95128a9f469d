package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// envBenchServe makes the test binary act as `coopledger` so the bench can
// run it as its server process.
const envBenchServe = "COOPLEDGER_TEST_ACT_AS_COOPLEDGER"

func TestMain(m *testing.M) {
	if os.Getenv(envBenchServe) == "1" {
		err := run(context.Background(), append([]string{"coopledger"}, os.Args[1:]...), os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestBenchQuick is the smoke run of `coopledger bench --quick`: every figure
// is measured at a tiny scale and written as JSON, so the harness cannot rot.
// It asserts that the figures are there, not how fast they are.
func TestBenchQuick(t *testing.T) {
	benchServerEnv = []string{envBenchServe + "=1"}
	t.Cleanup(func() { benchServerEnv = nil })
	out := filepath.Join(t.TempDir(), "bench.json")
	vars := map[string]string{"COOPLEDGER_TEST_POSTGRES": os.Getenv("COOPLEDGER_TEST_POSTGRES")}
	stdout, stderr, err := invoke(context.Background(), vars, "bench", "--quick", "--json", out)
	if err != nil {
		t.Fatalf("bench --quick: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep benchReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Machine.Cores < 1 || !rep.Quick {
		t.Errorf("machine %+v", rep.Machine)
	}
	seen := map[int]bool{}
	for _, f := range rep.Figures {
		seen[f.Figure] = true
		if f.Value <= 0 && f.Unit != "ratio" {
			t.Errorf("figure %d %q: %v %s", f.Figure, f.Name, f.Value, f.Unit)
		}
		if !strings.Contains(stdout, f.Name) {
			t.Errorf("table lacks %q", f.Name)
		}
	}
	for fig := 1; fig <= 7; fig++ {
		if !seen[fig] {
			t.Errorf("no figure %d in %s", fig, raw)
		}
	}
}

// TestBenchDatabases checks --db: which databases a run measures.
func TestBenchDatabases(t *testing.T) {
	const pg = "postgres://127.0.0.1/x"
	for _, c := range []struct {
		list, pg, want string
		fails          bool
	}{
		{"", "", "sqlite", false},
		{"", pg, "sqlite,postgres", false},
		{"postgres", pg, "postgres", false},
		{"postgres, sqlite,postgres", pg, "postgres,sqlite", false},
		{"sqlite", pg, "sqlite", false},
		{"postgres", "", "", true},
		{"mysql", pg, "", true},
	} {
		got, err := benchDatabases(c.list, c.pg)
		if (err != nil) != c.fails || strings.Join(got, ",") != c.want {
			t.Errorf("--db %q with postgres %q: %v, %v; want %q (fails %v)", c.list, c.pg, got, err, c.want, c.fails)
		}
	}
}
