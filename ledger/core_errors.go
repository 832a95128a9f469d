package ledger

import (
	"database/sql"
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to a status in exactly one place.
const (
	ECodeInvalid      = "invalid"       // the request is malformed or breaks a rule on its own
	ECodeNotFound     = "not_found"     // no such thing, or not visible to this user
	ECodeConflict     = "conflict"      // the state of the books does not allow it now
	ECodeForbidden    = "forbidden"     // the user's role does not allow it
	ECodeUnauthorized = "unauthorized"  // no valid token
	ECodePeriodClosed = "period_closed" // the month is closed (结账)
	ECodeUnbalanced   = "unbalanced"    // debits do not equal credits
	ECodeImmutable    = "immutable"     // posted vouchers and the audit log never change
	ECodeSegregation  = "segregation"   // the preparer may not post their own voucher
	ECodeInternal     = "internal"      // a bug or an outage; details are logged, not shown
)

// Error is the one error type of the domain. Message is Simplified Chinese for
// the user and names the field; Details lists per-field problems.
type Error struct {
	Code    string
	Message string
	Details []Detail
}

// Detail is one field-level problem, e.g. {Field: "lines[2].credit", Message: "…"}.
type Detail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError is an invalid-input error about one field.
func FieldError(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: ECodeInvalid, Message: field + "：" + msg, Details: []Detail{{Field: field, Message: msg}}}
}

// AsError returns the domain error in err's chain, if there is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ErrorCode returns the code of err, ECodeInternal for foreign errors, "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// ErrorMessage returns the user-facing message of err; foreign errors get a
// generic message so internals never leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "内部错误，请联系管理员"
}

// Validation collects field problems so a request reports all of them at
// once: the ledger's checks and the HTTP decoder's use this one type. Limit,
// when positive, keeps the first Limit details and counts the others in the
// message.
type Validation struct {
	Limit   int
	details []Detail
	more    int
}

// validation is the ledger's own name for it.
type validation = Validation

// Add records a problem of field ("body" when the field is not known).
func (v *Validation) Add(field, format string, args ...any) {
	if field == "" {
		field = "body"
	}
	if v.Limit > 0 && len(v.details) == v.Limit {
		v.more++
		return
	}
	v.details = append(v.details, Detail{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err is the invalid-input error naming the first problem and counting the
// rest, or nil when there is none.
func (v *Validation) Err() error {
	if len(v.details) == 0 {
		return nil
	}
	first := v.details[0]
	msg := first.Field + "：" + first.Message
	if n := len(v.details) - 1 + v.more; n > 0 {
		msg += fmt.Sprintf("（另有 %d 处错误）", n)
	}
	return &Error{Code: ECodeInvalid, Message: msg, Details: v.details}
}

// exactlyOneRow checks that an update meant for one row touched exactly one:
// a state change raced by another request (or a bug in its WHERE) becomes a
// conflict that rolls the transaction back, not a silent no-op.
func exactlyOneRow(res sql.Result, err error, conflict string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return Errorf(ECodeConflict, "%s（更新了 %d 行）", conflict, n)
	}
	return nil
}
