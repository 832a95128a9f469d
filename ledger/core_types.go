package ledger

// BookKind says which chart of accounts a book keeps.
type BookKind string

const (
	// KindVillage is a village collective economic organization, chart 财会〔2023〕14号.
	KindVillage BookKind = "village"
	// KindCooperative is a farmer cooperative, chart 财会〔2021〕37号.
	KindCooperative BookKind = "cooperative"
)

// Valid reports whether k is a known book kind.
func (k BookKind) Valid() bool { return k == KindVillage || k == KindCooperative }

// Category is the account class of the chart (资产, 负债, …).
type Category string

const (
	CategoryAsset     Category = "资产"
	CategoryLiability Category = "负债"
	CategoryEquity    Category = "所有者权益"
	CategoryCost      Category = "成本"
	CategoryIncome    Category = "损益"
)

// Valid reports whether c is one of the five categories.
func (c Category) Valid() bool {
	switch c {
	case CategoryAsset, CategoryLiability, CategoryEquity, CategoryCost, CategoryIncome:
		return true
	}
	return false
}

// Side is the normal balance side of an account.
type Side string

const (
	Debit  Side = "debit"
	Credit Side = "credit"
)

// Valid reports whether s is debit or credit.
func (s Side) Valid() bool { return s == Debit || s == Credit }

// Label is the Chinese direction word used in ledgers (借/贷/平).
func (s Side) Label() string {
	if s == Credit {
		return "贷"
	}
	return "借"
}

// Aux is the auxiliary dimension (辅助核算) a line on an account must carry.
type Aux string

const (
	AuxNone      Aux = "none"
	AuxHousehold Aux = "household"
	AuxParty     Aux = "party"
)

// Valid reports whether a is a known auxiliary dimension.
func (a Aux) Valid() bool { return a == AuxNone || a == AuxHousehold || a == AuxParty }

// Role is what a user may do. Admin is the user itself (books and users);
// every other role is held per book or per township (core_roles.go).
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleAccountant Role = "accountant"
	RoleTownship   Role = "township"
	RoleAuditor    Role = "auditor"
	RoleCashier    Role = "cashier"  // 出纳
	RoleReporter   Role = "reporter" // 报账员
	RoleMember     Role = "member"   // 民主理财小组成员
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r.bookRole()
}

// bookRole reports whether r is a role held per book or township.
func (r Role) bookRole() bool {
	switch r {
	case RoleAccountant, RoleTownship, RoleAuditor, RoleCashier, RoleReporter, RoleMember:
		return true
	}
	return false
}

// HouseholdStatus is the poverty-monitoring status of a household.
type HouseholdStatus string

const (
	StatusFormerlyPoor HouseholdStatus = "脱贫户"
	StatusMonitored    HouseholdStatus = "监测户"
	StatusOrdinary     HouseholdStatus = "一般户"
)

// Valid reports whether s is a known household status.
func (s HouseholdStatus) Valid() bool {
	return s == StatusFormerlyPoor || s == StatusMonitored || s == StatusOrdinary
}
