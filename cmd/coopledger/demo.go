package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/demo"
)

// cmdDemo loads the demo township into an empty database and prints the demo
// users' tokens. With --if-empty a database that already has books is left
// alone and the tokens saved by the earlier load are printed again, which is
// what `make run` does on every start.
func cmdDemo(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("demo", "demo [--db DSN] [--if-empty] [--tokens-file PATH] [--addr HOST:PORT]")
	db := e.dbFlag(fs)
	addr := e.addrFlag(fs)
	fs.Lookup("addr").Usage = "address the server will listen on, for the printed curl examples (env " + envAddr + ")"
	ifEmpty := fs.Bool("if-empty", false, "do nothing (but print the saved tokens) when the database already has books")
	tokensFile := fs.String("tokens-file", "", "save the demo users and tokens to this file (mode 0600); with --if-empty, print them from it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	books, err := s.Books(ctx, ledger.System)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(books) > 0 {
		codes := make([]string, len(books))
		for i, b := range books {
			codes[i] = b.Code
		}
		if !*ifEmpty {
			return fmt.Errorf("demo: %s already has %d book(s) (%s); the demo loads only into an empty database — choose a new one with --db",
				redactDSN(*db), len(books), strings.Join(codes, ", "))
		}
		fmt.Fprintf(e.stdout, "%s already has %d book(s) (%s): demo not loaded again.\n", redactDSN(*db), len(books), strings.Join(codes, ", "))
		return reprintTokens(ctx, e, s, *tokensFile, *addr)
	}

	start := time.Now()
	res, err := demo.Load(ctx, s, time.Now)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	elapsed := time.Since(start)
	fmt.Fprintf(e.stdout, "Loaded the demo township %s (%s) into %s in %.1f s:\n", res.Township.Name, res.Township.Code, redactDSN(*db), elapsed.Seconds())
	for _, b := range res.Books {
		fmt.Fprintf(e.stdout, "  %-9s %s (%s): %d households, %d parties, %d vouchers posted, %d draft(s), closed %s\n",
			b.Code, b.Name, b.Kind, b.Households, b.Parties, b.Posted, b.Drafts, periodSpan(b.Closed))
	}
	if *tokensFile != "" {
		if err := saveTokens(*tokensFile, *db, res.Users); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nTokens are shown here once and saved to %s (keep it private).\n", *tokensFile)
	} else {
		fmt.Fprintln(e.stdout, "\nTokens are shown here once; copy them now.")
	}
	printUsers(e.stdout, res.Users, *addr)
	return nil
}

func periodSpan(ps []string) string {
	switch len(ps) {
	case 0:
		return "nothing"
	case 1:
		return ps[0]
	}
	return ps[0] + "…" + ps[len(ps)-1]
}

// reprintTokens prints the users saved by an earlier load, checking that each
// token still signs in to this database.
func reprintTokens(ctx context.Context, e *env, s *ledger.Store, path, addr string) error {
	if path == "" {
		return nil
	}
	users, err := readTokens(path)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(e.stdout, "No saved demo tokens in %s; create a user with: coopledger token create --role admin --name NAME\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	valid := users[:0]
	for _, u := range users {
		if _, err := s.Authenticate(ctx, u.Token); err != nil {
			fmt.Fprintf(e.stderr, "warning: the saved token of %s (%s) does not sign in to this database; skipped\n", u.Name, u.Role)
			continue
		}
		valid = append(valid, u)
	}
	if len(valid) == 0 {
		fmt.Fprintf(e.stdout, "The tokens saved in %s belong to another database.\n", path)
		return nil
	}
	fmt.Fprintf(e.stdout, "Demo users saved in %s:\n", path)
	printUsers(e.stdout, valid, addr)
	return nil
}

// printUsers prints the users with their tokens, then the server's address
// and three curl commands to paste.
func printUsers(w io.Writer, users []demo.User, addr string) {
	fmt.Fprintln(w)
	for _, u := range users {
		fmt.Fprintf(w, "  %-10s  %s  %s [%s]\n", u.Role, u.Token, u.Name, u.Scope)
	}
	base := "http://" + clientAddr(addr)
	fmt.Fprintf(w, "\nServer: %s  (API under /api/v1, health at /healthz, OpenAPI at /openapi.json)\n", base)
	byRole := map[ledger.Role]demo.User{}
	for _, u := range users {
		if _, seen := byRole[u.Role]; !seen {
			byRole[u.Role] = u
		}
	}
	acc, township, auditor := byRole[ledger.RoleAccountant], byRole[ledger.RoleTownship], byRole[ledger.RoleAuditor]
	if acc.Token == "" || township.Token == "" || auditor.Token == "" {
		return
	}
	fmt.Fprintf(w, "\nTry (once the server is up):\n\n")
	fmt.Fprintf(w, "  curl -s -H 'Authorization: Bearer %s' %s/api/v1/me\n", acc.Token, base)
	fmt.Fprintf(w, "  curl -s -H 'Authorization: Bearer %s' %s/api/v1/books\n", township.Token, base)
	fmt.Fprintf(w, "  curl -s -H 'Authorization: Bearer %s' '%s/api/v1/books/%s/trial-balance?from=2026-01&to=2026-09'\n\n",
		auditor.Token, base, acc.Scope)
}

// clientAddr turns a listen address into one a client can reach: a wildcard
// or empty host becomes 127.0.0.1.
func clientAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// The tokens file: comment lines, then one user per line as
// role TAB token TAB name TAB scope.
const tokensHeader = "# coopledger demo users for %s, loaded %s.\n" +
	"# Each token signs in as its user: keep this file private. Fields: role, token, name, scope (tab-separated).\n"

// maxTokensFile bounds what readTokens reads; the demo writes well under 2 KiB.
const maxTokensFile = 64 << 10

func saveTokens(path, dsn string, users []demo.User) error {
	var b strings.Builder
	fmt.Fprintf(&b, tokensHeader, redactDSN(dsn), time.Now().UTC().Format(time.RFC3339))
	for _, u := range users {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", u.Role, u.Token, u.Name, u.Scope)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("demo: tokens file: %w", err)
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("demo: tokens file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("demo: tokens file: %w", err)
	}
	return nil
}

func readTokens(path string) ([]demo.User, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var users []demo.User
	sc := bufio.NewScanner(io.LimitReader(f, maxTokensFile))
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 4 {
			return nil, fmt.Errorf("demo: %s line %d: want 4 tab-separated fields, found %d", path, n, len(fields))
		}
		users = append(users, demo.User{Role: ledger.Role(fields[0]), Token: fields[1], Name: fields[2], Scope: fields[3]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("demo: %s: %w", path, err)
	}
	return users, nil
}
