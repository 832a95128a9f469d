package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// previousRelease is the last commit that landed before this release's
// migrations: its demo, migrated by this release, must verify clean. Move it
// forward when a release lands.
const previousRelease = "faabb118f990b91e0b359e72bd930155ea6a7b9a"

var (
	previousOnce sync.Once
	previousBin  string
	previousErr  string
)

// buildPrevious builds the previous release's binary from git history, once
// per test process.
func buildPrevious(t *testing.T) string {
	t.Helper()
	previousOnce.Do(func() {
		root, err := filepath.Abs("../..")
		if err != nil {
			previousErr = err.Error()
			return
		}
		if exec.Command("git", "-C", root, "cat-file", "-e", previousRelease+"^{commit}").Run() != nil {
			previousErr = "commit " + previousRelease + " is not in this clone's history"
			return
		}
		dir, err := os.MkdirTemp("", "coopledger-previous-")
		if err != nil {
			previousErr = err.Error()
			return
		}
		archive := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, previousRelease, dir)
		if out, err := archive.CombinedOutput(); err != nil {
			previousErr = "git archive: " + err.Error() + ": " + string(out)
			return
		}
		bin := filepath.Join(dir, "coopledger-previous")
		build := exec.Command("go", "build", "-buildvcs=false", "-o", bin, "./cmd/coopledger")
		build.Dir = dir
		if out, err := build.CombinedOutput(); err != nil {
			previousErr = "build previous release: " + err.Error() + ": " + string(out)
			return
		}
		previousBin = bin
	})
	if previousBin == "" {
		if strings.Contains(previousErr, "not in this clone's history") {
			t.Skip(previousErr)
		}
		t.Fatal(previousErr)
	}
	return previousBin
}

// TestUpgradeFromPreviousRelease loads the demo with the previous release's
// binary, migrates it with this one, and verifies every book clean.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the previous release")
	}
	bin := buildPrevious(t)
	eachDialect(t, func(t *testing.T, dsn string) {
		cmd := exec.Command(bin, "demo", "--db", dsn)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("previous release's demo: %v\n%s", err, out.String())
		}
		migrated := mustInvoke(t, "migrate", "--db", dsn)
		if !strings.Contains(migrated, "20260101000012_payment_reversal") {
			t.Fatalf("migrate did not apply this release's migrations:\n%s", migrated)
		}
		verified := mustInvoke(t, "verify", "--db", dsn)
		if strings.Contains(verified, "FAIL") || !strings.Contains(verified, "QINGZHU") {
			t.Fatalf("verify after upgrade:\n%s", verified)
		}
	})
}
