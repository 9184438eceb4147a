package runtime

import (
	"context"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/sql"
)

// queryStream is QueryStream's protection against user code that ignores
// its context, the streaming counterpart of query: when ctx can end, the
// statement is planned and its stream read on a goroutine of its own (the
// pump), so that QueryStream and every Next return at ctx's end plus the
// stop grace with an *AbandonedError naming the stuck calls, instead of
// blocking in a Scan or Read that never returns. A context that can never
// end needs no protection and streams on the caller's goroutine.
func (s *Session) queryStream(ctx context.Context, st *sql.Statement, args []any) (RecordStream, error) {
	if ctx.Done() == nil {
		return s.openStream(ctx, st, args)
	}
	act := plan.NewActivity()
	g := &guardedStream{
		ctx:     ctx,
		act:     act,
		grace:   s.stopGrace,
		results: make(chan streamResult),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	opened := make(chan openResult, 1)
	// Close cancels the query through qctx: the pump's stream cannot be
	// closed while the pump is inside its Next.
	qctx, cancel := context.WithCancel(plan.WithActivity(ctx, act))
	g.cancel = cancel
	go g.pump(func() (RecordStream, error) { return s.openStream(qctx, st, args) }, opened)
	o, ok := await(g, opened)
	if !ok {
		g.abandon()
		return nil, g.err
	}
	if o.err != nil {
		cancel()
		return nil, o.err
	}
	g.schema = o.schema
	return g, nil
}

type openResult struct {
	schema *arrow.Schema
	err    error
}

type streamResult struct {
	b   plan.Batch
	err error
}

// guardedStream hands over the batches the pump reads.
type guardedStream struct {
	ctx     context.Context
	act     *plan.Activity
	grace   time.Duration
	schema  *arrow.Schema
	results chan streamResult // unbuffered: the pump reads one batch ahead at most
	stop    chan struct{}     // closed when the consumer is gone
	once    sync.Once
	cancel  context.CancelFunc // cancels the query
	done    chan struct{}      // closed when the pump has closed the stream and ended
	err     error              // sticky: the terminal error or io.EOF
}

// pump opens the stream and reads it until it ends or the consumer stops.
func (g *guardedStream) pump(open func() (RecordStream, error), opened chan<- openResult) {
	defer close(g.done)
	in, err := open()
	if err != nil {
		opened <- openResult{err: err}
		return
	}
	defer in.Close()
	opened <- openResult{schema: in.Schema()}
	for {
		select {
		case <-g.stop:
			return
		default:
		}
		b, err := in.Next()
		select {
		case g.results <- streamResult{b, err}:
			if err != nil {
				return
			}
		case <-g.stop:
			b.Release()
			return
		}
	}
}

// await waits for ch until ctx ends, then for the stop grace; false means
// nothing came in time.
func await[T any](g *guardedStream, ch <-chan T) (T, bool) {
	select {
	case v := <-ch:
		return v, true
	case <-g.ctx.Done():
	}
	timer := time.NewTimer(g.grace)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v, true
	case <-timer.C:
		var zero T
		return zero, false
	}
}

// abandon gives up on the pump: it is told to stop (it does when its
// stuck call returns, releasing what the query holds) and the stream
// fails with the context's error and the calls still running.
func (g *guardedStream) abandon() {
	g.err = &AbandonedError{Err: g.ctx.Err(), Running: g.act.Running()}
	g.halt()
}

// halt tells the pump to stop and cancels the query.
func (g *guardedStream) halt() {
	g.once.Do(func() {
		close(g.stop)
		g.cancel()
	})
}

// Schema implements RecordStream.
func (g *guardedStream) Schema() *arrow.Schema { return g.schema }

// Next implements RecordStream.
func (g *guardedStream) Next() (plan.Batch, error) {
	if g.err != nil {
		return plan.Batch{}, g.err
	}
	r, ok := await(g, (<-chan streamResult)(g.results))
	if !ok {
		g.abandon()
		return plan.Batch{}, g.err
	}
	if r.err != nil {
		g.err = r.err
	}
	return r.b, r.err
}

// Close implements RecordStream: it cancels the query and waits for it to
// wind down, but no longer than the stop grace while a call into user
// code is still running (a call that ignores its context keeps running;
// the pump releases what the query holds when it returns).
func (g *guardedStream) Close() {
	g.halt()
	// The query's context is cancelled now, so the grace starts here.
	// The engine's own code always stops; only a call into user code can
	// ignore the cancellation, so Close gives up only while one runs.
	timer := time.NewTimer(g.grace)
	defer timer.Stop()
	for {
		select {
		case <-g.done:
			return
		case <-timer.C:
			if len(g.act.Running()) > 0 {
				return
			}
			timer.Reset(g.grace)
		}
	}
}
