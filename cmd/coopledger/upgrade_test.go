package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/demo"
)

// previousRelease is the release whose demo still opens its villages with an
// ordinary January voucher (before go-live, roles per book and the
// cooperative chart): its demo, migrated by this release, must verify clean.
const previousRelease = "faabb118f990b91e0b359e72bd930155ea6a7b9a"

// lastRelease is the newest release that landed (stop of 2026-12-04). Move it
// forward, with lastNewestMigration, when a release lands.
const (
	lastRelease         = "1ddfbfa0453688fbbe3c006573972839962799a9"
	lastNewestMigration = "20260101000017"
)

type releaseBuild struct {
	once sync.Once
	bin  string
	err  string
}

var (
	releaseMu     sync.Mutex
	releaseBuilds = map[string]*releaseBuild{}
)

// buildPrevious builds the previous release's binary from git history, once
// per test process.
func buildPrevious(t *testing.T) string { return buildRelease(t, previousRelease) }

// buildRelease builds the binary of one commit from git history, once per
// commit and test process; a clone without that history skips the test.
func buildRelease(t *testing.T, commit string) string {
	t.Helper()
	releaseMu.Lock()
	b, ok := releaseBuilds[commit]
	if !ok {
		b = &releaseBuild{}
		releaseBuilds[commit] = b
	}
	releaseMu.Unlock()
	b.once.Do(func() { b.bin, b.err = buildCommit(commit) })
	if b.bin == "" {
		if strings.Contains(b.err, "not in this clone's history") {
			t.Skip(b.err)
		}
		t.Fatal(b.err)
	}
	return b.bin
}

func buildCommit(commit string) (bin, problem string) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return "", err.Error()
	}
	if exec.Command("git", "-C", root, "cat-file", "-e", commit+"^{commit}").Run() != nil {
		return "", "commit " + commit + " is not in this clone's history"
	}
	dir, err := os.MkdirTemp("", "coopledger-release-")
	if err != nil {
		return "", err.Error()
	}
	archive := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, commit, dir)
	if out, err := archive.CombinedOutput(); err != nil {
		return "", "git archive: " + err.Error() + ": " + string(out)
	}
	bin = filepath.Join(dir, "coopledger-release")
	build := exec.Command("go", "build", "-buildvcs=false", "-o", bin, "./cmd/coopledger")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		return "", "build release " + commit[:7] + ": " + err.Error() + ": " + string(out)
	}
	return bin, ""
}

// TestUpgradeFromPreviousRelease loads the demo with the previous release's
// binary, migrates it with this one, and verifies every book clean.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the previous release")
	}
	bin := buildPrevious(t)
	eachDialect(t, func(t *testing.T, dsn string) {
		tokens := tokensFile(t)
		cmd := exec.Command(bin, "demo", "--db", dsn, "--tokens-file", tokens)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("previous release's demo: %v\n%s", err, out.String())
		}
		users, err := readTokens(tokens)
		if err != nil || len(users) < 4 {
			t.Fatalf("demo tokens: %v (%d users)", err, len(users))
		}
		base, stop := servePrevious(t, bin, dsn)
		books, township := demoBooks(t, base, users)
		probes := rightsProbes(books, township)
		before := askRights(t, base, users, probes)
		stop()
		migrated := mustInvoke(t, "migrate", "--db", dsn)
		for _, name := range migrationsAfterPrevious(t) {
			if !strings.Contains(migrated, name) {
				t.Fatalf("migrate did not apply %s:\n%s", name, migrated)
			}
		}
		after := askRights(t, serveCurrent(t, dsn), users, probes)
		compareRights(t, before, after)
		verified := mustInvoke(t, "verify", "--db", dsn)
		if strings.Contains(verified, "FAIL") || !strings.Contains(verified, "QINGZHU") {
			t.Fatalf("verify after upgrade:\n%s", verified)
		}
		checkGoLiveBackfill(t, dsn)
		// The previous release opened its villages with an ordinary January
		// voucher: the book names it for the move into the opening balances.
		s := openDSN(t, dsn)
		reader := ledger.Actor{Role: ledger.RoleAuditor, Township: demo.Township.Code}
		old, ok, err := s.OpeningToMove(context.Background(), reader, "QINGZHU")
		if err != nil || !ok || !strings.Contains(old.Summary, "期初建账") || old.Period != "2026-01" {
			t.Errorf("upgraded QINGZHU: opening to move %v %v %q %s", err, ok, old.Summary, old.Period)
		}
		checkCoopChartUpgraded(t, dsn)
		checkGroupKeys(t, dsn)
		checkChainVersions(t, dsn)
	})
}

// TestUpgradeFromLastRelease loads the demo with the newest landed release,
// migrates it with this one, and requires every book to verify clean and
// every book's journal (hledger form) to read the same before and after.
func TestUpgradeFromLastRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the last release")
	}
	bin := buildRelease(t, lastRelease)
	eachDialect(t, func(t *testing.T, dsn string) {
		cmd := exec.Command(bin, "demo", "--db", dsn, "--tokens-file", tokensFile(t))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("last release's demo: %v\n%s", err, out)
		}
		books := []string{"QINGZHU", "HONGYA", "DAOXIANG"}
		before := map[string]string{}
		for _, book := range books {
			out, err := exec.Command(bin, "export", "journal", "--db", dsn, "--book", book).CombinedOutput()
			if err != nil {
				t.Fatalf("last release's journal of %s: %v\n%s", book, err, out)
			}
			before[book] = string(out)
		}
		migrated := mustInvoke(t, "migrate", "--db", dsn)
		for _, name := range migrationsAfter(t, lastNewestMigration) {
			if !strings.Contains(migrated, name) {
				t.Fatalf("migrate did not apply %s:\n%s", name, migrated)
			}
		}
		verified := mustInvoke(t, "verify", "--db", dsn)
		if strings.Contains(verified, "FAIL") || !strings.Contains(verified, "DAOXIANG") {
			t.Fatalf("verify after upgrade:\n%s", verified)
		}
		for _, book := range books {
			after := mustInvoke(t, "export", "journal", "--db", dsn, "--book", book)
			if after != before[book] || !strings.Contains(after, "记-0001") {
				t.Errorf("%s: the journal changed in the upgrade (%d bytes before, %d after)", book, len(before[book]), len(after))
			}
		}
		checkGroupKeys(t, dsn)
	})
}

// checkGroupKeys: migration 022 and the store's fill give every household of
// the previous release's demo the key of its village group, so 第二 sorts
// before 第十 (the previous release sorted 第一, 第七, 第三, …).
func checkGroupKeys(t *testing.T, dsn string) {
	t.Helper()
	var rows []struct {
		Group string `bun:"village_group"`
		Key   string `bun:"group_key"`
	}
	err := openDSN(t, dsn).DB().NewRaw("SELECT village_group, COALESCE(group_key, 'NULL') AS group_key FROM households").Scan(context.Background(), &rows)
	if err != nil || len(rows) == 0 {
		t.Fatalf("households after upgrade: %v (%d rows)", err, len(rows))
	}
	numbered := map[string]bool{}
	for _, r := range rows {
		if r.Key != ledger.GroupSortKey(r.Group) {
			t.Fatalf("household of group %q has key %q, want %q", r.Group, r.Key, ledger.GroupSortKey(r.Group))
		}
		if _, ok := ledger.GroupNumber(r.Group); ok {
			numbered[r.Key] = true
		}
	}
	if !numbered["0001"] || !numbered["0002"] || len(numbered) < 3 {
		t.Errorf("numbered group keys after upgrade: %v", numbered)
	}
}

// checkChainVersions: migration 024 left every voucher the previous release
// posted under chain version 1; a voucher posted now with a source document
// is hashed under version 2, and the chain of both verifies clean.
func checkChainVersions(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	s := openDSN(t, dsn)
	var versions []int
	if err := s.DB().NewRaw("SELECT DISTINCT chain_version FROM vouchers WHERE status = 'posted'").Scan(ctx, &versions); err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || versions[0] != ledger.ChainVersionV1 {
		t.Fatalf("chain versions after upgrade: %v, want [1]", versions)
	}
	var as []ledger.Actor
	for _, name := range []string{"升级后制单", "升级后审核"} {
		_, token, err := s.CreateUser(ctx, ledger.System, ledger.NewUser{Name: name, Role: ledger.RoleAccountant, Books: []string{"QINGZHU"}})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	m := ledger.MustMoney("12.00")
	draft, err := s.CreateVoucher(ctx, as[0], "QINGZHU", ledger.VoucherInput{Date: "2026-12-20", Summary: "升级后购办公用品", Attachments: 1,
		Lines: []ledger.LineInput{{Account: "513", Debit: &m}, {Account: "101", Credit: &m}}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ledger.SpoolDocument("file", "发票.pdf", strings.NewReader("%PDF-1.4\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	if _, err := s.AddDocument(ctx, as[0], "QINGZHU", draft.ID, doc); err != nil {
		t.Fatal(err)
	}
	v, err := s.PostVoucher(ctx, as[1], "QINGZHU", draft.ID)
	if err != nil || v.ChainVersion != ledger.ChainVersionV2 || len(v.DocumentHashes) != 1 {
		t.Fatalf("posted after upgrade: %v version %d", err, v.ChainVersion)
	}
	r, err := s.Verify(ctx, ledger.System, "QINGZHU")
	if err != nil || !r.OK {
		t.Fatalf("verify with both chain versions: %v %v", err, r.Problems)
	}
}

// checkGoLiveBackfill: the demo's books go live in their first month (their
// vouchers were all posted through review and payouts), and every posted
// voucher names the path that posted it.
func checkGoLiveBackfill(t *testing.T, dsn string) {
	t.Helper()
	s := openDSN(t, dsn)
	ctx := context.Background()
	var goLive []string
	if err := s.DB().NewRaw("SELECT DISTINCT go_live_period FROM books").Scan(ctx, &goLive); err != nil {
		t.Fatal(err)
	}
	if len(goLive) != 1 || goLive[0] != "2026-01" {
		t.Fatalf("go-live after upgrade: %v", goLive)
	}
	rows, err := s.DB().QueryContext(ctx, "SELECT posted_via, COUNT(*) FROM vouchers WHERE status = 'posted' GROUP BY posted_via")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vias := map[string]int{}
	for rows.Next() {
		var via string
		var n int
		if err := rows.Scan(&via, &n); err != nil {
			t.Fatal(err)
		}
		vias[via] = n
	}
	if vias[""] != 0 || vias[ledger.ViaReview] == 0 || vias[ledger.ViaPayoutApproval] == 0 || vias[ledger.ViaPayment] == 0 {
		t.Fatalf("posted_via after upgrade: %v", vias)
	}
}

// previousNewestMigration is the newest migration the previous release had.
const previousNewestMigration = "20260101000009"

// migrationsAfterPrevious names this release's migrations (as the migrate
// command prints them, without ".tx.up.sql"), read from the SQLite set.
func migrationsAfterPrevious(t *testing.T) []string {
	t.Helper()
	out := migrationsAfter(t, previousNewestMigration)
	if len(out) == 0 {
		t.Fatal("no migration after the previous release's: nothing to upgrade")
	}
	return out
}

// migrationsAfter names the migrations newer than newest (possibly none).
func migrationsAfter(t *testing.T, newest string) []string {
	t.Helper()
	entries, err := os.ReadDir("../../migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".tx.up.sql")
		if name > newest+"_~" {
			out = append(out, name)
		}
	}
	return out
}

// checkCoopChartUpgraded checks that migration 014 gave the previous
// release's cooperative the accounts of 财会〔2021〕37号 as new leaves, kept
// 33201/33202 (which carry posted lines) as leaves, and said so in the audit log.
func checkCoopChartUpgraded(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	s := openDSN(t, dsn)
	accts, err := s.Accounts(ctx, ledger.System, "DAOXIANG")
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]ledger.Account{}
	for _, a := range accts {
		byCode[a.Code] = a
	}
	for _, code := range []string{"109", "122", "124", "125", "127", "128", "143", "144", "154", "162", "171", "181",
		"215", "522", "524", "531", "33201", "33202", "33203", "33204", "33205", "33206"} {
		a, ok := byCode[code]
		if !ok || !a.Leaf {
			t.Errorf("DAOXIANG after upgrade: account %s present=%v leaf=%v, want a leaf", code, ok, a.Leaf)
		}
	}
	if a := byCode["33205"]; a.Parent != "332" || a.NormalSide != ledger.Debit {
		t.Errorf("33205 = %+v, want a debit-normal child of 332", a)
	}
	log, err := s.AuditLog(ctx, ledger.System, "DAOXIANG", ledger.AuditFilter{Entity: "chart", EntityKey: "20260101000014_coop_chart"})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || !strings.Contains(string(log[0].After), `"524"`) || !strings.Contains(string(log[0].After), `"33206"`) {
		t.Errorf("audit log of the chart migration = %+v, want one entry naming the added accounts", log)
	}
	if villages, _ := s.AuditLog(ctx, ledger.System, "QINGZHU", ledger.AuditFilter{Entity: "chart"}); len(villages) != 0 {
		t.Errorf("a village book got a cooperative chart entry: %+v", villages)
	}
}

// compareRights requires the same answer to every question, and that the
// questions told the roles apart (so a broken probe cannot pass).
func compareRights(t *testing.T, before, after []string) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("%d answers before, %d after", len(before), len(after))
	}
	statuses := map[string]bool{}
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("rights changed by the upgrade:\n  before: %s\n  after:  %s", before[i], after[i])
		}
		statuses[before[i][strings.LastIndex(before[i], "→"):][:7]] = true
	}
	if len(statuses) < 4 {
		t.Errorf("the probes got only %v: they do not tell the roles apart", statuses)
	}
	t.Logf("%d answers compared before and after the upgrade", len(before))
}
