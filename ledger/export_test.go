package ledger

// Add steps months for tests.
func (p Period) Add(months int) Period { return p.add(months) }
