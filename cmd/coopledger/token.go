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
	tokenGrantUsage  = "token grant --user ID --role ROLE (--book CODE | --township CODE) [--revoke] [--db DSN]"
	roleHelp         = "admin, or a role held on each --book (accountant, cashier 出纳, reporter 报账员, member 民主理财小组成员, auditor) or over the --township (township, auditor)"
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
	if len(args) > 0 && args[0] == "grant" {
		return tokenGrant(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "usage: coopledger %s\n       coopledger %s\n       coopledger %s\n", tokenCreateUsage, tokenGrantUsage, tokenRevokeUsage)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		return errHelp
	}
	return errors.New(`token: expected "token create", "token grant" or "token revoke"`)
}

func tokenCreate(ctx context.Context, e *env, args []string) error {
	const usage = tokenCreateUsage
	fs := e.flagSet("token create", usage)
	db := e.dbFlag(fs)
	role := fs.String("role", "", roleHelp)
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

// scopeOf lists a user's grants: "accountant on book V1; auditor over township T01".
func scopeOf(u ledger.User) string {
	var parts []string
	for _, g := range u.Grants {
		if g.Book != "" {
			parts = append(parts, string(g.Role)+" on book "+g.Book)
		} else {
			parts = append(parts, string(g.Role)+" over township "+g.Township)
		}
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

// tokenGrant gives a user a role on a book or over a township, or with
// --revoke takes it back; the user's token is unchanged.
func tokenGrant(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("token grant", tokenGrantUsage)
	db := e.dbFlag(fs)
	user := fs.Int64("user", 0, "the user's id (as printed by token create and GET /api/v1/me)")
	role := fs.String("role", "", roleHelp)
	book := fs.String("book", "", "the book the role is held on")
	township := fs.String("township", "", "the township whose books the role covers (township, auditor)")
	revoke := fs.Bool("revoke", false, "take the role back instead of granting it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *user <= 0 || *role == "" {
		fs.Usage()
		return errors.New("token grant: --user and --role are required")
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	in := ledger.GrantInput{Role: ledger.Role(*role), Book: *book, Township: *township}
	change, verb := s.GrantRole, "granted"
	if *revoke {
		change, verb = s.RevokeRole, "revoked"
	}
	u, err := change(ctx, ledger.System, *user, in)
	if err != nil {
		return fmt.Errorf("token grant: %w", err)
	}
	fmt.Fprintf(e.stdout, "%s; user %d %q now holds: %s\n", verb, u.ID, u.Name, scopeOf(u))
	return nil
}
