package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"coopledger/ledger"
)

// Township is the demo's 乡镇, invented: the households' ID numbers carry the
// area code of 宁都县, 江西省赣州市.
var Township = ledger.Township{Code: "HX", Name: "红溪镇"}

// Seed fixes every random choice of the demo.
const Seed = 20260101

// ClosedThrough is the last month closed in every demo book.
const ClosedThrough = "2026-03"

// ErrNotEmpty is returned when the database already has books.
var ErrNotEmpty = errors.New("the database already has books; the demo loads only into an empty database")

// User is a demo user with the token that signs in as them (shown once).
type User struct {
	Name  string      `json:"name"`
	Role  ledger.Role `json:"role"`
	Scope string      `json:"scope"` // book codes, "township HX" or "all"
	Token string      `json:"token"`
}

// BookSummary says what was loaded into one book.
type BookSummary struct {
	Code       string          `json:"code"`
	Name       string          `json:"name"`
	Kind       ledger.BookKind `json:"kind"`
	Households int             `json:"households"`
	Parties    int             `json:"parties"`
	Posted     int             `json:"posted"`
	Drafts     int             `json:"drafts"`
	Agreements int             `json:"agreements"`
	PayoutRuns int             `json:"payout_runs"`
	Closed     []string        `json:"closed"`
}

// Result is the loaded township, its books and users.
type Result struct {
	Township ledger.Township `json:"township"`
	Books    []BookSummary   `json:"books"`
	Users    []User          `json:"users"`
}

// zone is China Standard Time, for the simulated office hours.
var zone = time.FixedZone("CST", 8*3600)

// Load builds the demo township in store, which must have no books.
//
// While it loads, the store's clock follows the demo's calendar, so the audit
// log reads like nine months of work (vouchers prepared in the morning of
// their date, posted in the afternoon). clock is the store's clock, put back
// when Load returns (nil means time.Now): the store cannot tell its own.
func Load(ctx context.Context, store *ledger.Store, clock func() time.Time) (Result, error) {
	if clock == nil {
		clock = time.Now
	}
	books, err := store.Books(ctx, ledger.System)
	if err != nil {
		return Result{}, err
	}
	if len(books) > 0 {
		return Result{}, fmt.Errorf("%w (%d books)", ErrNotEmpty, len(books))
	}
	plans, err := buildPlans()
	if err != nil {
		return Result{}, err
	}
	sim := &simClock{t: time.Date(2025, 12, 28, 9, 0, 0, 0, zone)}
	store.SetClock(sim.now)
	defer store.SetClock(clock)

	res := Result{Township: Township}
	admin, err := res.addUser(ctx, store, ledger.System, ledger.NewUser{Name: "陈立新（系统管理员）", Role: ledger.RoleAdmin}, "all")
	if err != nil {
		return Result{}, err
	}
	for _, p := range plans {
		if _, err := store.CreateBook(ctx, admin, p.book); err != nil {
			return Result{}, fmt.Errorf("demo: book %s: %w", p.book.Code, err)
		}
	}
	accountants := make([]ledger.Actor, len(plans))
	for i, name := range []string{"刘春梅（青竹村报账员）", "黄德明（红芽村报账员）", "曾秀英（稻香合作社会计）"} {
		code := plans[i].book.Code
		accountants[i], err = res.addUser(ctx, store, admin, ledger.NewUser{Name: name, Role: ledger.RoleAccountant, Books: []string{code}}, code)
		if err != nil {
			return Result{}, err
		}
	}
	officer, err := res.addUser(ctx, store, admin, ledger.NewUser{Name: "李文华（红溪镇财政所）", Role: ledger.RoleTownship, Township: Township.Code}, "township "+Township.Code)
	if err != nil {
		return Result{}, err
	}
	if _, err := res.addUser(ctx, store, admin, ledger.NewUser{Name: "王志强（审计）", Role: ledger.RoleAuditor, Township: Township.Code}, "township "+Township.Code); err != nil {
		return Result{}, err
	}
	for i, p := range plans {
		sum, err := loadBook(ctx, store, sim, p, accountants[i], officer)
		if err != nil {
			return Result{}, err
		}
		res.Books = append(res.Books, sum)
	}
	return res, nil
}

// buildPlans draws the three books' rosters and vouchers without touching a
// database; each book has its own random stream so they vary independently.
func buildPlans() ([]*plan, error) {
	builders := []func(*rand.Rand) (*plan, error){qingzhu, hongya, daoxiang}
	plans := make([]*plan, 0, len(builders))
	for i, build := range builders {
		p, err := build(rand.New(rand.NewPCG(Seed, uint64(i+1))))
		if err != nil {
			return nil, err
		}
		p.sortEntries()
		p.checkBalances()
		if p.err != nil {
			return nil, p.err
		}
		plans = append(plans, p)
	}
	return plans, nil
}

func (res *Result) addUser(ctx context.Context, store *ledger.Store, by ledger.Actor, u ledger.NewUser, scope string) (ledger.Actor, error) {
	_, token, err := store.CreateUser(ctx, by, u)
	if err != nil {
		return ledger.Actor{}, fmt.Errorf("demo: user %s: %w", u.Name, err)
	}
	a, err := store.Authenticate(ctx, token)
	if err != nil {
		return ledger.Actor{}, fmt.Errorf("demo: user %s: %w", u.Name, err)
	}
	res.Users = append(res.Users, User{Name: u.Name, Role: u.Role, Scope: scope, Token: token})
	return a, nil
}

// loadBook enters a plan: roster and parties by the accountant, then day by
// day the vouchers prepared by the accountant in the morning and posted by
// the township officer in the afternoon; a month up to ClosedThrough is
// closed before the first voucher of the next.
func loadBook(ctx context.Context, store *ledger.Store, sim *simClock, p *plan, preparer, reviewer ledger.Actor) (BookSummary, error) {
	code := p.book.Code
	sum := BookSummary{Code: code, Name: p.book.Name, Kind: p.book.Kind, Households: len(p.households), Parties: len(p.parties), Closed: []string{}}
	sim.at(time.Date(2025, 12, 30, 9, 0, 0, 0, zone))
	for _, h := range p.households {
		if _, err := store.CreateHousehold(ctx, preparer, code, h.Household); err != nil {
			return sum, fmt.Errorf("demo %s: household %s: %w", code, h.Code, err)
		}
	}
	for _, party := range p.parties {
		if _, err := store.CreateParty(ctx, preparer, code, party); err != nil {
			return sum, fmt.Errorf("demo %s: party %s: %w", code, party.Code, err)
		}
	}
	for _, m := range p.members {
		if _, err := store.CreateMember(ctx, preparer, code, m); err != nil {
			return sum, fmt.Errorf("demo %s: member %s: %w", code, m.Code, err)
		}
	}
	ids := make([]int64, len(p.entries))      // voucher id of each entry
	numbers := make([]string, len(p.entries)) // "2月记-0003号" once posted
	next := ledger.Period("2026-01")          // the first month not yet closed
	closeUntil := func(before ledger.Period) error {
		for ; next < before && next <= ClosedThrough; next = next.Next() {
			t, _ := time.ParseInLocation("2006-01", string(next.Next()), zone)
			sim.at(t.Add(-2 * time.Hour)) // the evening of the month's last day
			if _, err := store.ClosePeriod(ctx, reviewer, code, string(next)); err != nil {
				return fmt.Errorf("demo %s: close %s: %w", code, next, err)
			}
			sum.Closed = append(sum.Closed, string(next))
		}
		return nil
	}
	env := &env{ctx: ctx, store: store, code: code, acc: preparer, officer: reviewer, sim: sim,
		transfers: map[string]int{}, refs: map[string]int{}}
	steps := map[string][]step{}
	days := map[string]bool{}
	for _, st := range p.steps {
		steps[st.date] = append(steps[st.date], st)
		days[st.date] = true
	}
	for _, e := range p.entries {
		days[e.date] = true
	}
	order := make([]string, 0, len(days))
	for d := range days {
		order = append(order, d)
	}
	sort.Strings(order)
	start := 0
	for _, day := range order {
		end := start
		for end < len(p.entries) && p.entries[end].date == day {
			end++
		}
		if err := closeUntil(ledger.Period(day[:7])); err != nil {
			return sum, err
		}
		t, _ := time.ParseInLocation("2006-01-02", day, zone)
		sim.at(t.Add(9 * time.Hour))
		for i := start; i < end; i++ {
			if p.entries[i].external {
				continue
			}
			sim.advance(4 * time.Minute)
			if p.entries[i].opening {
				if err := enterOpening(ctx, store, preparer, code, p.entries[i]); err != nil {
					return sum, err
				}
				sum.Posted++
				continue
			}
			id, err := prepare(ctx, store, preparer, code, p.entries[i], ids, numbers)
			if err != nil {
				return sum, err
			}
			ids[i] = id
		}
		sim.at(t.Add(16 * time.Hour))
		for i := start; i < end; i++ {
			if p.entries[i].external || p.entries[i].opening {
				continue
			}
			if p.entries[i].draft {
				sum.Drafts++
				continue
			}
			sim.advance(time.Minute)
			v, err := store.PostVoucher(ctx, reviewer, code, ids[i])
			if err != nil {
				return sum, fmt.Errorf("demo %s: post %s %s: %w", code, day, p.entries[i].summary, err)
			}
			numbers[i] = fmt.Sprintf("%d月%s号", t.Month(), v.Number)
			sum.Posted++
		}
		start = end
		sim.at(t.Add(17 * time.Hour))
		for _, st := range steps[day] {
			if err := st.do(env); err != nil {
				return sum, fmt.Errorf("demo %s: %s %s: %w", code, day, st.what, err)
			}
		}
	}
	sum.Posted += env.posted
	sum.Agreements, sum.PayoutRuns = env.agreements, env.runs
	return sum, closeUntil(ledger.Period(ClosedThrough).Next())
}

// enterOpening enters last year's closing balances through the
// opening-balances facility, which posts them in one audited step.
func enterOpening(ctx context.Context, store *ledger.Store, a ledger.Actor, code string, e entry) error {
	in := ledger.OpeningInput{Lines: make([]ledger.LineInput, len(e.lines))}
	for i, l := range e.lines {
		in.Lines[i] = lineInput(l)
	}
	if _, err := store.SetOpeningBalances(ctx, a, code, in); err != nil {
		return fmt.Errorf("demo %s: opening balances: %w", code, err)
	}
	return nil
}

// lineInput is a plan line as the ledger takes it.
func lineInput(l line) ledger.LineInput {
	li := ledger.LineInput{Account: l.account, Household: l.household, Party: l.party, Summary: l.note, Trade: l.trade}
	if l.debit != 0 {
		m := ledger.Fen(l.debit)
		li.Debit = &m
	} else {
		m := ledger.Fen(l.credit)
		li.Credit = &m
	}
	return li
}

// prepare saves an entry as a draft: a red reversal through ReverseVoucher,
// anything else through CreateVoucher.
func prepare(ctx context.Context, store *ledger.Store, a ledger.Actor, code string, e entry, ids []int64, numbers []string) (int64, error) {
	if e.reverses != 0 {
		number := numbers[e.reverses-1]
		if number == "" {
			return 0, fmt.Errorf("demo %s: reversal on %s of a voucher not posted before that day", code, e.date)
		}
		v, err := store.ReverseVoucher(ctx, a, code, ids[e.reverses-1], ledger.ReverseInput{Date: e.date, Summary: fmt.Sprintf(e.summary, number)})
		if err != nil {
			return 0, fmt.Errorf("demo %s: reverse on %s: %w", code, e.date, err)
		}
		return v.ID, nil
	}
	in := ledger.VoucherInput{Date: e.date, Summary: e.summary, Attachments: e.attachments, Lines: make([]ledger.LineInput, len(e.lines))}
	for i, l := range e.lines {
		in.Lines[i] = lineInput(l)
	}
	v, err := store.CreateVoucher(ctx, a, code, in)
	if err != nil {
		return 0, fmt.Errorf("demo %s: voucher %s %s: %w", code, e.date, e.summary, err)
	}
	return v.ID, nil
}

// simClock is the store's clock during a load: it moves forward only, a
// second per reading, and jumps to the office hours the loader sets.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// at moves the clock to t unless it is already later.
func (c *simClock) at(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

func (c *simClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
