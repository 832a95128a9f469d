package main

import (
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

// cmdToken dispatches "token create"; creating users from the command line is
// how the first admin of an empty database is made.
func cmdToken(ctx context.Context, e *env, args []string) error {
	const usage = "token create --role ROLE [--book CODE]... [--township CODE] --name NAME [--db DSN]"
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintf(e.stderr, "usage: coopledger %s\n", usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return errHelp
		}
		return errors.New(`token: expected "token create"`)
	}
	fs := e.flagSet("token create", usage)
	db := e.dbFlag(fs)
	role := fs.String("role", "", "admin, accountant, township or auditor")
	name := fs.String("name", "", "the user's name, e.g. 刘春梅（青竹村报账员）")
	township := fs.String("township", "", "township code: the scope of a township officer or auditor")
	var books stringList
	fs.Var(&books, "book", "book code in the user's scope (repeat for several books)")
	if err := parseFlags(fs, args[1:]); err != nil {
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
