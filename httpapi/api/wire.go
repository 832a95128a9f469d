package api

// Names for the wire types of requests and answers, for Go clients and the
// tests of the whole server. They are aliases, so the OpenAPI document keeps
// naming each schema after the type itself.
type (
	CreatedUser        = createdUser
	Disclosure         = disclosure
	DisclosureRequest  = disclosureRequest
	HouseholdLink      = householdLink
	HouseholdRequest   = householdRequest
	PartyRequest       = partyRequest
	PaymentsRequest    = paymentsRequest
	PayoutRunSummary   = payoutRunSummary
	WorkRecordRequest  = workRecordRequest
	WorkRecordsRequest = workRecordsRequest
)

// Operations lists the method and path (in OpenAPI form) of every operation
// the document describes, in order: a test checks them against the routes
// Echo serves.
func Operations() [][2]string {
	out := make([][2]string, len(operations))
	for i, op := range operations {
		out[i] = [2]string{op.method, op.path}
	}
	return out
}
