package physical

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// RepartitionExec redistributes its input's rows into partitions by a hash
// of key expressions, so that rows with equal keys meet in one partition
// (what a final aggregate needs). Without keys it deals whole batches
// round-robin. It copies no data: each output batch is the input record
// with a selection of the rows routed to that partition.
//
// All output partitions of one execution share the producers, which start
// when the first output is read. The producers end once every output
// partition has been executed and closed, or once the context is
// cancelled; closing an output after the cancellation waits for them, so
// that no goroutine still reads the input or holds batches after the
// consumer's Close returns.
type RepartitionExec struct {
	input      plan.ExecutionPlan
	keys       []expr.Expr
	evals      []evaluator
	partitions int

	mu  sync.Mutex
	run *repartitionRun
}

// NewRepartition returns a RepartitionExec with the given number of output
// partitions; no keys means round-robin.
func NewRepartition(input plan.ExecutionPlan, keys []expr.Expr, partitions int) (*RepartitionExec, error) {
	if partitions <= 0 {
		return nil, fmt.Errorf("RepartitionExec: %d partitions", partitions)
	}
	for _, k := range keys {
		if k == nil {
			return nil, fmt.Errorf("RepartitionExec: nil key")
		}
		if err := checkKeyType(k.DataType()); err != nil {
			return nil, fmt.Errorf("RepartitionExec: key %s: %w", k, err)
		}
	}
	evals, err := compileEvals(keys, input.Schema())
	if err != nil {
		return nil, fmt.Errorf("RepartitionExec: %w", err)
	}
	return &RepartitionExec{input: input, keys: keys, evals: evals, partitions: partitions}, nil
}

// Name implements plan.ExecutionPlan.
func (r *RepartitionExec) Name() string { return "RepartitionExec" }

// Schema implements plan.ExecutionPlan.
func (r *RepartitionExec) Schema() *arrow.Schema { return r.input.Schema() }

// Properties implements plan.ExecutionPlan: key partitioning on the keys
// when they are all plain columns; rows of different input partitions
// interleave, so no ordering.
func (r *RepartitionExec) Properties() plan.Properties {
	p := plan.Properties{Partitions: r.partitions, Unbounded: r.input.Properties().Unbounded}
	var cols []string
	for _, k := range r.keys {
		c, ok := k.(*expr.Column)
		if !ok {
			cols = nil
			break
		}
		cols = append(cols, c.Name)
	}
	switch {
	case r.partitions == 1:
		p.Partitioning = plan.Partitioning{Kind: plan.SinglePartition}
	case len(cols) > 0:
		p.Partitioning = plan.Partitioning{Kind: plan.KeyPartitioning, Columns: cols}
	}
	return p
}

// Children implements plan.ExecutionPlan.
func (r *RepartitionExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{r.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (r *RepartitionExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(r.Name(), 1, len(children))
	}
	return NewRepartition(children[0], r.keys, r.partitions)
}

// String implements plan.ExecutionPlan.
func (r *RepartitionExec) String() string {
	part := fmt.Sprintf("RoundRobinBatch(%d)", r.partitions)
	if len(r.keys) > 0 {
		ks := make([]string, len(r.keys))
		for i, k := range r.keys {
			ks[i] = k.String()
		}
		part = fmt.Sprintf("Hash([%s], %d)", strings.Join(ks, ", "), r.partitions)
	}
	return fmt.Sprintf("RepartitionExec: partitioning=%s, input_partitions=%d", part, r.input.Properties().Partitions)
}

// Execute implements plan.ExecutionPlan.
func (r *RepartitionExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(r, partition); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// A new execution starts when the previous one handed this output out
	// already (the plan is being run again).
	if r.run == nil || r.run.taken[partition] {
		r.run = r.newRun(ctx, taskDefaults(task))
	}
	r.run.taken[partition] = true
	return &repartitionStream{ctx: ctx, run: r.run, out: partition, schema: r.Schema()}, nil
}

// repartitionRun is one execution: the producers and the queues.
type repartitionRun struct {
	r       *RepartitionExec
	ctx     context.Context
	cancel  context.CancelFunc
	task    *plan.TaskContext
	dist    *distributor
	taken   []bool
	workers int

	// mu orders starting the producers against stopping the run, so that
	// a stop waits for every goroutine a start launched and no start
	// launches any after a stop.
	mu      sync.Mutex
	started bool
	stopped bool
	wg      sync.WaitGroup // producers
	watch   sync.WaitGroup // the goroutine releasing queues on cancellation
}

var hashSeed = maphash.MakeSeed()

func (r *RepartitionExec) newRun(ctx context.Context, task *plan.TaskContext) *repartitionRun {
	n := r.input.Properties().Partitions
	workers := min(task.Parallelism, n)
	cctx, cancel := context.WithCancel(ctx)
	return &repartitionRun{r: r, ctx: cctx, cancel: cancel, task: task, dist: newDistributor(r.partitions, workers), taken: make([]bool, r.partitions), workers: workers}
}

func (run *repartitionRun) start() {
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.started || run.stopped {
		return
	}
	run.started = true
	n := run.r.input.Properties().Partitions
	var next atomic.Int64
	run.wg.Add(run.workers)
	for range run.workers {
		go func() {
			defer run.wg.Done()
			defer run.dist.producerDone()
			for {
				p := int(next.Add(1) - 1)
				if p >= n {
					return
				}
				if err := run.produce(p); err != nil {
					if run.ctx.Err() == nil {
						run.dist.fail(err)
						run.cancel()
					}
					return
				}
			}
		}()
	}
	// Cancellation ends the producers; batches already queued for
	// outputs nobody will read must still be released.
	run.watch.Add(1)
	go func() {
		defer run.watch.Done()
		<-run.ctx.Done()
		run.wg.Wait()
		run.dist.fail(context.Cause(run.ctx))
	}()
}

// produce routes every batch of input partition p.
func (run *repartitionRun) produce(p int) error {
	r := run.r
	in, err := r.input.Execute(run.ctx, p, run.task)
	if err != nil {
		return locate(r.input.Name(), p, err)
	}
	defer in.Close()
	var enc encodedRows
	rr := p
	// Pushed: a scan's Read runs on this goroutine. The function's errors
	// are this operator's (or the query's end), not the input's.
	stopped := func() error {
		if err := run.ctx.Err(); err != nil {
			return err
		}
		return errRepartitionStopped // the distribution takes no more batches
	}
	own, err := pushApart(in, func(b plan.Batch) error {
		if b.NumRows() == 0 {
			b.Release()
			return nil
		}
		if len(r.evals) == 0 {
			if !run.dist.push(run.ctx, rr%r.partitions, b) {
				return stopped()
			}
			rr++
			return nil
		}
		sels, err := run.route(b, &enc)
		if err != nil {
			b.Release()
			return locate(r.Name(), p, err)
		}
		shareAcrossGoroutines(b.Record)
		for out, sel := range sels {
			if len(sel) == 0 {
				continue
			}
			b.Record.Retain()
			if !run.dist.push(run.ctx, out, plan.Batch{Record: b.Record, Sel: sel}) {
				b.Release()
				return stopped()
			}
		}
		b.Release()
		return nil
	})
	switch {
	case own == errRepartitionStopped:
		return nil
	case own != nil:
		return own
	case err != nil:
		return locate(r.input.Name(), p, err)
	}
	return nil
}

// errRepartitionStopped ends a partition's push when the distribution
// takes no more batches while the query goes on.
var errRepartitionStopped = errors.New("repartition stopped")

// route splits b's selected rows by the hash of their keys.
func (run *repartitionRun) route(b plan.Batch, enc *encodedRows) ([][]int32, error) {
	r := run.r
	cols := make([]keyColumn, len(r.evals))
	defer func() {
		for _, c := range cols {
			if c.arr != nil {
				c.arr.Release()
			}
		}
	}()
	for i, ev := range r.evals {
		arr, sel, err := ev.eval(run.task.Allocator, b)
		if err != nil {
			return nil, err
		}
		cols[i] = keyColumn{arr: arr, sel: sel}
	}
	n := b.NumRows()
	if err := encodeRows(enc, cols, n); err != nil {
		return nil, err
	}
	sels := make([][]int32, r.partitions)
	for i := range n {
		out := maphash.Bytes(hashSeed, enc.row(i)) % uint64(r.partitions)
		sels[out] = append(sels[out], int32(rowOf(b.Sel, i)))
	}
	return sels, nil
}

// closeOutput closes one output. The run ends, and closeOutput waits for
// its goroutines, once every output is closed or once the run's context
// is cancelled: a consumer that stops early (a satisfied LIMIT, an error
// elsewhere) cancels the context and closes only the outputs it executed,
// and its Close must not return while producers still read the input or
// hold batches, which the caller may release or reuse right after.
func (run *repartitionRun) closeOutput(out int) {
	if !run.dist.closeOutput(out) && run.ctx.Err() == nil {
		return
	}
	run.mu.Lock()
	run.stopped = true
	run.mu.Unlock()
	run.cancel()
	run.wg.Wait()
	run.watch.Wait()
	// Without producers (never started) nothing else wakes outputs still
	// waiting in pop.
	run.dist.fail(context.Cause(run.ctx))
}

type repartitionStream struct {
	ctx    context.Context
	run    *repartitionRun
	out    int
	schema *arrow.Schema
	state  sticky
	closed bool
}

func (s *repartitionStream) Schema() *arrow.Schema { return s.schema }

func (s *repartitionStream) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	if err := s.ctx.Err(); err != nil {
		return plan.Batch{}, s.state.set(err)
	}
	s.run.start()
	b, err := s.run.dist.pop(s.ctx, s.out)
	if err != nil {
		return plan.Batch{}, s.state.set(err)
	}
	return b, nil
}

func (s *repartitionStream) Close() {
	if !s.closed {
		s.closed = true
		s.run.closeOutput(s.out)
	}
	s.state.set(io.EOF)
}

// shareAcrossGoroutines prepares a record that several goroutines will
// read at once (each output of a repartition gets the same record with
// its own selection). Arrow computes an array's null count lazily, on the
// first NullN, and caches it in the array without synchronisation, so
// concurrent first calls race; computing it here, before the record is
// handed over, leaves the readers only reads.
func shareAcrossGoroutines(rec arrow.RecordBatch) {
	for _, c := range rec.Columns() {
		c.NullN()
	}
}
