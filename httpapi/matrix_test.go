package httpapi

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// The access matrix lives in docs/security.md ("Access matrix"):
// one row per route, one column per caller, the status each gets. The test
// reads it, requires a row for every route Echo serves (and no row for a
// route that does not exist), and calls every route as every caller.
// COOPLEDGER_PRINT_MATRIX=1 prints the observed table instead of failing.

// matrixPath and matrixHeading locate the table; a missing file or heading
// fails the test naming both.
const (
	matrixPath    = "../docs/security.md"
	matrixHeading = "## Access matrix"
)

// matrixColumns are the table's columns after the route, and who they are.
var matrixColumns = []struct{ label, role string }{
	{"admin", roleAdmin},
	{"accountant", rolePreparer},
	{"accountant, other book", roleOutsider},
	{"township", roleTownship},
	{"township, other", roleTownshipOut},
	{"auditor", roleAuditor},
	{"auditor, other book", roleAuditorOut},
	{"cashier", roleCashier},
	{"reporter", roleReporter},
	{"member", roleMember},
	{"no token", ""},
}

const (
	roleTownshipOut = "township-out" // township officer of another township
	roleAuditorOut  = "auditor-out"  // auditor of book V2 only
	roleCashier     = "cashier"      // 出纳 of book V1
	roleReporter    = "reporter"     // 报账员 of book V1
	roleMember      = "member"       // 民主理财小组 member of book V1
)

// readMatrix parses the documented table: "| `METHOD /path` | 200 | 404 | … |".
func readMatrix(t *testing.T) map[string][]int {
	t.Helper()
	f, err := os.Open(matrixPath)
	if err != nil {
		t.Fatalf("access matrix (%s, %q): %v", matrixPath, matrixHeading, err)
	}
	defer f.Close()
	out := map[string][]int{}
	in, seen := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
			in = line == matrixHeading
			seen = seen || in
		case in && strings.HasPrefix(line, "| `"):
			key, codes := parseMatrixRow(t, line)
			if _, dup := out[key]; dup {
				t.Errorf("%s access matrix lists %s twice", matrixPath, key)
			}
			out[key] = codes
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", matrixPath, err)
	}
	if !seen {
		t.Fatalf("%s has no heading %q: the access matrix moved or was renamed; update matrixPath and matrixHeading in matrix_test.go", matrixPath, matrixHeading)
	}
	if len(out) == 0 {
		t.Fatalf("%s has no table under %q", matrixPath, matrixHeading)
	}
	return out
}

func parseMatrixRow(t *testing.T, line string) (string, []int) {
	t.Helper()
	cells := strings.Split(strings.Trim(line, "|"), "|")
	key := strings.Trim(strings.TrimSpace(cells[0]), "`")
	if len(cells) != 1+len(matrixColumns) {
		t.Fatalf("%s access matrix row %q has %d cells, want %d", matrixPath, key, len(cells), 1+len(matrixColumns))
	}
	var codes []int
	for _, c := range cells[1:] {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil {
			t.Fatalf("%s access matrix row %q: %q is not a status", matrixPath, key, c)
		}
		codes = append(codes, n)
	}
	return key, codes
}

// TestAccessMatrixCoversEveryRoute: docs/security.md lists exactly the served routes.
func TestAccessMatrixCoversEveryRoute(t *testing.T) {
	documented := readMatrix(t)
	served := map[string]bool{}
	for _, r := range registeredRoutes() {
		key := r.method + " " + r.path
		served[key] = true
		if documented[key] == nil {
			t.Errorf("route %s has no row in the access matrix of docs/security.md", key)
		}
	}
	for key := range documented {
		if !served[key] {
			t.Errorf("the access matrix of docs/security.md lists %s, which is not a route", key)
		}
	}
}

// TestAccessMatrix calls every route as every caller and compares the status
// with docs/security.md.
func TestAccessMatrix(t *testing.T) {
	documented := readMatrix(t)
	printing := os.Getenv("COOPLEDGER_PRINT_MATRIX") == "1"
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		e.addOutsiders()
		cases := matrixCases()
		observed := map[string][]int{}
		n, calls := 1000, 0
		for _, key := range sortedKeys(documented) {
			rc, ok := cases[key]
			if !ok {
				t.Errorf("%s: no way to call it (add a case to routeCases)", key)
				continue
			}
			want := documented[key]
			got := make([]int, len(matrixColumns))
			for _, i := range refusedFirst(want) {
				n++
				calls++
				got[i] = e.callAs(t, rc, matrixColumns[i].role, n, want[i], printing)
			}
			observed[key] = got
		}
		if printing {
			printMatrix(documented, observed)
		}
		t.Logf("access matrix: %d routes × %d callers = %d calls", len(documented), len(matrixColumns), calls)
	})
}

// callAs makes one call and checks it; it returns the status.
func (e *env) callAs(t *testing.T, rc routeCase, role string, n, want int, lenient bool) int {
	path, body := rc.setup(e, role, n)
	res := e.do(req{method: rc.method, path: path, role: role, body: body})
	if res.status != want && !lenient {
		t.Errorf("%s %s as %q: %d, docs/security.md says %d: %.300s", rc.method, path, labelOf(role), res.status, want, res.body)
	}
	if res.status >= 400 {
		checkEnvelope(t, fmt.Sprintf("%s %s as %q", rc.method, path, labelOf(role)), res, res.status, "", "")
	}
	if rc.route == "/api/v1/books/:book/periods/:period/close" && res.status == http.StatusOK {
		e.reopen("2026-01")
	}
	return res.status
}

func labelOf(role string) string {
	for _, c := range matrixColumns {
		if c.role == role {
			return c.label
		}
	}
	return role
}

// matrixCases are routeCases by "METHOD /path", plus the public routes.
func matrixCases() map[string]routeCase {
	out := map[string]routeCase{}
	for _, rc := range routeCases() {
		out[rc.method+" "+rc.route] = rc
	}
	for _, p := range []string{"/healthz", "/openapi.json", "/api/v1/healthz", "/api/v1/openapi.json"} {
		out["GET "+p] = routeCase{method: "GET", route: p, setup: fixed(p, nil)}
	}
	for _, rc := range publicPageCases() {
		out[rc.method+" "+rc.route] = rc
	}
	return out
}

// refusedFirst orders the columns so refusals run before successes.
func refusedFirst(want []int) []int {
	idx := make([]int, len(want))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return want[idx[a]] >= 300 && want[idx[b]] < 300 })
	return idx
}

func sortedKeys(m map[string][]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// addOutsiders adds a township officer of another township (with book V3),
// an auditor of book V2 only, and a cashier, a reporter and a member of V1.
func (e *env) addOutsiders() {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.store.CreateBook(ctx, e.f.Admin, ledger.NewBook{Code: "V3", Name: "外镇村", Kind: ledger.KindVillage,
		Township: ledger.Township{Code: "T02", Name: "外镇"}, StartPeriod: "2026-01"}); err != nil {
		e.t.Fatal(err)
	}
	for label, u := range map[string]ledger.NewUser{
		roleTownshipOut: {Name: "外镇财政所", Role: ledger.RoleTownship, Township: "T02"},
		roleAuditorOut:  {Name: "外村审计", Role: ledger.RoleAuditor, Books: []string{"V2"}},
		roleCashier:     {Name: "出纳", Role: ledger.RoleCashier, Books: []string{"V1"}},
		roleReporter:    {Name: "报账员", Role: ledger.RoleReporter, Books: []string{"V1"}},
		roleMember:      {Name: "理财小组成员", Role: ledger.RoleMember, Books: []string{"V1"}},
	} {
		_, token, err := e.store.CreateUser(ctx, e.f.Admin, u)
		if err != nil {
			e.t.Fatal(err)
		}
		e.tokens[label] = token
	}
}

// printMatrix writes the observed table in docs/security.md's format.
func printMatrix(documented, observed map[string][]int) {
	var b strings.Builder
	b.WriteString("| route |")
	for _, c := range matrixColumns {
		b.WriteString(" " + c.label + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(matrixColumns)) + "\n")
	for _, key := range sortedKeys(documented) {
		fmt.Fprintf(&b, "| `%s` |", key)
		for _, s := range observed[key] {
			fmt.Fprintf(&b, " %d |", s)
		}
		b.WriteString("\n")
	}
	fmt.Print(b.String())
}
