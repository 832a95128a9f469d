package ledger

import (
	"runtime"
	"sync"
)

// parallel runs fn for 0 … n−1 on up to GOMAXPROCS goroutines: for CPU work
// on data already read (decoding terms, computing entitlements), never for
// database calls, which share one transaction. It returns the error of the
// lowest index that failed, so the outcome does not depend on scheduling; a
// panic in fn is that index's error (a *PanicError), never the process's end.
// where names the path for the error.
func parallel(where string, n int, fn func(i int) error) error {
	call := func(i int) error { return recovered(where, func() error { return fn(i) }) }
	errs := make([]error, n)
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			errs[i] = call(i)
		}
	} else {
		next := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					errs[i] = call(i)
				}
			}()
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
