package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"coopledger/ledger"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

const (
	tokenCreateUsage = "token create --role ROLE [--book CODE]... [--township CODE] --name NAME [--db DSN]"
	tokenRevokeUsage = "token revoke (--user ID | --token TOKEN | --token -) [--db DSN]"
)

// cmdToken dispatches "token create" and "token revoke"; creating users from
// the command line is how the first admin of an empty database is made.
func cmdToken(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "create" {
		return tokenCreate(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "revoke" {
		return tokenRevoke(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "usage: coopledger %s\n       coopledger %s\n", tokenCreateUsage, tokenRevokeUsage)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		return errHelp
	}
	return errors.New(`token: expected "token create" or "token revoke"`)
}

func tokenCreate(ctx context.Context, e *env, args []string) error {
	const usage = tokenCreateUsage
	fs := e.flagSet("token create", usage)
	db := e.dbFlag(fs)
	role := fs.String("role", "", "admin, accountant, township or auditor")
	name := fs.String("name", "", "the user's name, e.g. 刘春梅（青竹村报账员）")
	township := fs.String("township", "", "township code: the scope of a township officer or auditor")
	var books stringList
	fs.Var(&books, "book", "book code in the user's scope (repeat for several books)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *role == "" || strings.TrimSpace(*name) == "" {
		fs.Usage()
		return errors.New("token create: --role and --name are required")
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	u, token, err := s.CreateUser(ctx, ledger.System, ledger.NewUser{Name: *name, Role: ledger.Role(*role), Township: *township, Books: books})
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintf(e.stdout, "created user %d %q, role %s, scope %s\n", u.ID, u.Name, u.Role, scopeOf(u))
	fmt.Fprintln(e.stdout, "The token below is shown once and only its hash is stored; keep it secret:")
	fmt.Fprintln(e.stdout, token)
	return nil
}

func scopeOf(u ledger.User) string {
	var parts []string
	if u.Township != "" {
		parts = append(parts, "township "+u.Township)
	}
	if len(u.Books) > 0 {
		parts = append(parts, "books "+strings.Join(u.Books, ","))
	}
	if len(parts) == 0 {
		if u.Role == ledger.RoleAdmin {
			return "all (admin)"
		}
		return "none"
	}
	return strings.Join(parts, "; ")
}

// tokenRevoke disables a user by id or by token; the token stops working at
// once, also for a running server (tokens are checked on every request).
func tokenRevoke(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("token revoke", tokenRevokeUsage)
	db := e.dbFlag(fs)
	user := fs.Int64("user", 0, "the user's id (as printed by token create and GET /api/v1/me)")
	token := fs.String("token", "", `the token itself; "-" reads it from standard input (keeps it out of the process list)`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*user == 0) == (*token == "") {
		fs.Usage()
		return errors.New("token revoke: give exactly one of --user and --token")
	}
	if *token == "-" {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("token revoke: read token from standard input: %w", err)
		}
		*token = strings.TrimSpace(line)
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	var r ledger.Revoked
	if *user != 0 {
		r, err = s.RevokeUser(ctx, ledger.System, *user)
	} else {
		r, err = s.RevokeToken(ctx, ledger.System, *token)
	}
	if err != nil {
		return fmt.Errorf("token revoke: %w", err)
	}
	state := "revoked"
	if r.Already {
		state = "was already revoked"
	}
	fmt.Fprintf(e.stdout, "user %d %q (%s): token %s\n", r.ID, r.Name, r.Role, state)
	return nil
}
