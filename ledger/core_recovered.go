package ledger

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// PanicError is a panic caught in a goroutine the ledger started (a worker of
// a parallel computation, the hashing side of verify, the other half of a
// reconciliation). It is returned as the error of the request that started
// the work, so one bad input or one bug fails that request and never the
// process that serves every village of a township.
type PanicError struct {
	Where string // which path: "compute", "verify", "reconcile"
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("panic in %s: %v\n%s", e.Where, e.Value, e.Stack)
}

// recovered runs fn, turning a panic into a *PanicError.
func recovered(where string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Where: where, Value: p, Stack: debug.Stack()}
		}
	}()
	if hook := faultHook.Load(); hook != nil {
		(*hook)(where)
	}
	return fn()
}

// faultHook, when set, is called at the start of every recovered piece of
// work; tests set it to make a path panic.
var faultHook atomic.Pointer[func(where string)]

// InjectPanic makes every piece of background work on the named path
// ("compute", "verify", "reconcile") panic until the returned function is
// called. For tests that prove a panic on those goroutines fails one request
// and leaves the server serving.
func InjectPanic(where string) (restore func()) {
	hook := func(w string) {
		if w == where {
			panic("injected panic on " + where)
		}
	}
	faultHook.Store(&hook)
	return func() { faultHook.Store(nil) }
}
