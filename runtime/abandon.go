package runtime

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/sql"
)

// DefaultStopGrace is how long a query whose context ended waits for what
// it runs to stop before it is abandoned (see WithStopGrace). Sources and
// operators that watch their context stop well within it.
const DefaultStopGrace = 100 * time.Millisecond

// AbandonedError is what Query returns when its context ended (deadline
// or cancellation) and calls into user code (a provider's Scan listing
// partitions, a partition's Read) did not return within the stop grace:
// Go cannot kill a goroutine, so they are left running. When they do
// return, the query's remaining Arrow buffers are released. errors.Is
// reports the context's error through it.
type AbandonedError struct {
	// Err is the context's error: context.DeadlineExceeded or
	// context.Canceled.
	Err error
	// Running describes each call that had not returned, for example
	// `table events: partition region=eu: Read (running for 1.2s)`.
	Running []string
}

// Error implements error.
func (e *AbandonedError) Error() string {
	if len(e.Running) == 0 {
		return fmt.Sprintf("%v (the query did not stop in time and was abandoned)", e.Err)
	}
	return fmt.Sprintf("%v; the query was abandoned because %d call(s) into user code ignored the cancellation and are still running (they cannot be stopped; make them return when their context is done): %s",
		e.Err, len(e.Running), strings.Join(e.Running, "; "))
}

// Unwrap returns the context's error.
func (e *AbandonedError) Unwrap() error { return e.Err }

// query runs st on its own goroutine and returns its result, or, when ctx
// ends first and the run does not stop within the stop grace, an
// *AbandonedError: the caller gets control back at its deadline even if a
// source ignores its context. The abandoned run releases its result when
// it finishes.
//
// A context that can never end (Done returns nil, as for
// context.Background) has no deadline to hand control back at, so the
// query runs on the caller's goroutine: no goroutine to start, no
// hand-over between threads and no record of running calls, which is
// most of the fixed cost of a short query.
func (s *Session) query(ctx context.Context, st *sql.Statement, args []any) (*Result, error) {
	if ctx.Done() == nil {
		return s.runQuery(ctx, st, args)
	}
	act := plan.NewActivity()
	qctx := plan.WithActivity(ctx, act)
	type outcome struct {
		res *Result
		err error
	}
	var (
		mu        sync.Mutex
		abandoned bool
		done      = make(chan outcome, 1)
	)
	go func() {
		res, err := s.runQuery(qctx, st, args)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			if res != nil {
				res.Release()
			}
			return
		}
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
	}
	grace := time.NewTimer(s.stopGrace)
	defer grace.Stop()
	select {
	case o := <-done:
		return o.res, o.err
	case <-grace.C:
	}
	mu.Lock()
	abandoned = true
	mu.Unlock()
	select {
	case o := <-done: // finished just now, after all
		return o.res, o.err
	default:
	}
	return nil, &AbandonedError{Err: ctx.Err(), Running: act.Running()}
}
