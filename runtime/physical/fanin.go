package physical

import (
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

// fanIn reads every partition of a plan on up to Parallelism goroutines and
// hands their batches to one consumer through a bounded channel, so a slow
// consumer stops the producers instead of letting memory grow. Goroutines
// start on the first Next, not when the stream is built.
type fanIn struct {
	ctx    context.Context
	input  plan.ExecutionPlan
	task   *plan.TaskContext
	schema *arrow.Schema

	started bool
	cancel  context.CancelFunc
	cctx    context.Context
	ch      chan fanItem
	next    atomic.Int64 // the next partition a worker claims
	wg      sync.WaitGroup
	state   sticky
}

type fanItem struct {
	b   plan.Batch
	err error
}

func newFanIn(ctx context.Context, input plan.ExecutionPlan, task *plan.TaskContext) *fanIn {
	return &fanIn{ctx: ctx, input: input, task: taskDefaults(task), schema: input.Schema()}
}

func (f *fanIn) Schema() *arrow.Schema { return f.schema }

func (f *fanIn) start() {
	f.startWorkers(f.workers())
}

// workers is how many goroutines read the input: Parallelism, but no
// more than the partitions, nor than one per rowsPerWorker rows the input
// is estimated to return (waking another core costs more than a small
// input's rows).
func (f *fanIn) workers() int {
	w := min(f.task.Parallelism, f.input.Properties().Partitions)
	if w > 1 {
		w = min(w, workersFor(f.input))
	}
	return w
}

// workersFor is how many goroutines p's estimated rows are worth: one per
// rowsPerWorker, at least one; a large number when p has no estimate.
func workersFor(p plan.ExecutionPlan) int {
	est := estimatedRows(p)
	if est < 0 {
		return math.MaxInt
	}
	return int(max(1, (est+rowsPerWorker-1)/rowsPerWorker))
}

// rowsPerWorker is the estimated rows that earn a goroutine of their own:
// DuckDB's row group (122,880 rows), the unit it parallelizes a scan by.
// Fewer take less time to read than waking another core adds.
const rowsPerWorker = 122_880

// estimatedRows is what p is estimated to return (plan.RowEstimator),
// looking through operators that keep or drop rows one by one; -1 when
// unknown.
func estimatedRows(p plan.ExecutionPlan) int64 {
	switch n := p.(type) {
	case plan.RowEstimator:
		return n.EstimatedRows()
	case *FilterExec, *ProjectionExec, *CoalescePartitionsExec, *SharePartitionsExec:
		if c := p.Children(); len(c) == 1 {
			return estimatedRows(c[0])
		}
	}
	return -1
}

// startWorkers starts the workers that claim partitions and forward their
// batches over the channel.
func (f *fanIn) startWorkers(workers int) {
	f.started = true
	n := f.input.Properties().Partitions
	cctx, cancel := context.WithCancel(f.ctx)
	f.cctx, f.cancel = cctx, cancel
	// Two batches per worker keep every worker busy while the consumer
	// works, without buffering more than that.
	f.ch = make(chan fanItem, 2*max(workers, 1))
	f.wg.Add(workers)
	for range workers {
		go func() {
			defer f.wg.Done()
			for {
				p := int(f.next.Add(1) - 1)
				if p >= n || !f.drain(cctx, p) {
					return
				}
			}
		}()
	}
	go func() {
		f.wg.Wait()
		close(f.ch)
	}()
}

// drain forwards partition p; it returns false when the fan-in must stop.
func (f *fanIn) drain(ctx context.Context, p int) bool {
	s, err := f.input.Execute(ctx, p, f.task)
	if err != nil {
		f.send(ctx, fanItem{err: locate(f.input.Name(), p, err)})
		return false
	}
	defer s.Close()
	// Pushed: a scan's Read runs on this goroutine, suspended in its
	// Writer while the channel is full.
	err = plan.PushAll(s, func(b plan.Batch) error {
		if !f.send(ctx, fanItem{b: b}) {
			return errFanInStopped
		}
		return nil
	})
	switch {
	case err == nil:
		return true
	case err != errFanInStopped:
		f.send(ctx, fanItem{err: locate(f.input.Name(), p, err)})
	}
	return false
}

// errFanInStopped ends a partition's push when the fan-in stops.
var errFanInStopped = errors.New("fan-in stopped")

func (f *fanIn) send(ctx context.Context, it fanItem) bool {
	select {
	case f.ch <- it:
		return true
	case <-ctx.Done():
		it.b.Release()
		return false
	}
}

func (f *fanIn) Next() (plan.Batch, error) {
	if f.state.err != nil {
		return plan.Batch{}, f.state.err
	}
	if !f.started {
		if err := f.ctx.Err(); err != nil {
			return plan.Batch{}, f.state.set(err)
		}
		f.start()
	}
	select {
	case it, ok := <-f.ch:
		switch {
		case !ok:
			// Workers also stop when the context is cancelled; that
			// must not look like a complete result.
			if err := f.ctx.Err(); err != nil {
				return plan.Batch{}, f.state.set(err)
			}
			return plan.Batch{}, f.state.set(io.EOF)
		case it.err != nil:
			f.stop()
			return plan.Batch{}, f.state.set(it.err)
		}
		return it.b, nil
	case <-f.ctx.Done():
		f.stop()
		return plan.Batch{}, f.state.set(f.ctx.Err())
	}
}

// stop cancels the workers and waits for them, releasing what they sent.
//
// Partitions no worker claimed yet are then executed and closed at once,
// under the cancelled context. Execute only builds a stream, so this costs
// nothing, but it lets operators whose partitions share work (a
// RepartitionExec's producers feed every output) learn that the query
// stopped and finish synchronously: otherwise batches queued for outputs
// nobody executed would be released by a goroutine after the caller
// believes the query is over.
func (f *fanIn) stop() {
	if !f.started || f.cancel == nil {
		return
	}
	f.cancel()
	for it := range f.ch {
		it.b.Release()
	}
	f.cancel = nil
	n := f.input.Properties().Partitions
	for p := int(f.next.Load()); p < n; p++ {
		if s, err := f.input.Execute(f.cctx, p, f.task); err == nil {
			s.Close()
		}
	}
}

// Push implements plan.Pusher for partitions that do not share
// producers: the caller's goroutine is one of the workers. It claims
// partitions like the others and pushes their batches to fn itself, and
// between its own batches (and once it finds nothing left to claim) it
// hands fn what the other workers sent. With one worker, the partitions
// are pushed one after another on the caller's goroutine and no goroutine
// starts. With more, the caller starts at once, its stack already grown,
// while the others are still being scheduled: an input that takes less
// time than waking another core is read by the caller alone, and a large
// one by every worker. Otherwise the batches come from the workers, as
// with Next.
func (f *fanIn) Push(fn func(plan.Batch) error) (err error) {
	if f.started || f.state.err != nil || !independentPartitions(f.input) {
		return plan.PullAll(f, fn)
	}
	n := f.input.Properties().Partitions
	var ch chan fanItem // the other workers' batches; nil when there are none (left)
	if w := f.workers(); w > 1 {
		f.startWorkers(w - 1)
		ch = f.ch
	} else {
		f.started, f.cctx = true, f.ctx
	}
	defer func() {
		if err != nil {
			f.stop()
			f.state.set(err)
		}
	}()
	deliver := func(it fanItem) error {
		if it.err != nil {
			return it.err
		}
		return fn(it.b)
	}
	// ready hands fn every batch already waiting.
	ready := func() error {
		for ch != nil {
			select {
			case it, ok := <-ch:
				if !ok {
					ch = nil
					return nil
				}
				if err := deliver(it); err != nil {
					return err
				}
			default:
				return nil
			}
		}
		return nil
	}
	own := func(b plan.Batch) error { // a batch of the caller's partitions
		if err := fn(b); err != nil {
			return err
		}
		return ready()
	}
	for {
		if err := f.cctx.Err(); err != nil {
			return f.ctx.Err()
		}
		p := int(f.next.Add(1) - 1)
		if p >= n {
			break
		}
		s, err := f.input.Execute(f.cctx, p, f.task)
		if err != nil {
			return locate(f.input.Name(), p, err)
		}
		fnErr, err := pushApart(s, own)
		s.Close()
		switch {
		case fnErr != nil:
			return fnErr
		case err != nil:
			return locate(f.input.Name(), p, err)
		}
	}
	for ch != nil {
		select {
		case it, ok := <-ch:
			if !ok {
				ch = nil
				continue
			}
			if err := deliver(it); err != nil {
				return err
			}
		case <-f.ctx.Done():
			return f.ctx.Err()
		}
	}
	// Workers also stop when the context is cancelled; that must not
	// look like a complete result.
	if err := f.ctx.Err(); err != nil {
		return err
	}
	if f.cancel != nil {
		f.cancel()
		f.cancel = nil
	}
	f.state.set(io.EOF)
	return nil
}

// pushApart pushes s to fn and tells fn's own error from the error that
// ended s, so that a consumer's error is not blamed on its input.
func pushApart(s plan.RecordStream, fn func(plan.Batch) error) (fnErr, err error) {
	err = plan.PushAll(s, func(b plan.Batch) error {
		fnErr = fn(b)
		return fnErr
	})
	if fnErr != nil {
		return fnErr, nil
	}
	return nil, err
}

// independentPartitions reports whether the partitions of p can be read
// one after another: no RepartitionExec below feeds several of them from
// shared producers, which would stall while the first waits for a
// consumer of the next.
func independentPartitions(p plan.ExecutionPlan) bool {
	if _, ok := p.(*RepartitionExec); ok {
		return false
	}
	for _, c := range p.Children() {
		if !independentPartitions(c) {
			return false
		}
	}
	return true
}

func (f *fanIn) Close() {
	f.stop()
	f.state.set(io.EOF)
}
