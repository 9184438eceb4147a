package physical

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// OrderedConcatExec turns the partitions of a range-partitioned input into
// one sorted partition by reading them one after another: in partition
// order when the first key is ascending, in reverse when it is descending.
//
// It is correct when (the planner checks all of it):
//   - the input is range-partitioned on the column of the first key, so
//     every value of that column in partition i lies below every value in
//     partition i+1 (plan.RangePartitioning; verify mode checks that the
//     ranges are disjoint);
//   - every partition is ordered by keys;
//   - the column holds no NULLs. Range partitioning says nothing about
//     where NULL rows live (any partition may hold some), so concatenating
//     partitions each sorted NULLS LAST would put NULLs in the middle. The
//     planner only uses this operator when the column is non-nullable or a
//     filter below rejects NULL; the stream still checks every batch and
//     fails rather than return misordered rows.
//
// It then replaces a SortPreservingMergeExec without comparing a single
// row. With fetch >= 0 it stops once fetch rows are out, and it never
// executes a partition it does not need: it pulls partition i+1 only after
// partition i is exhausted, on the consumer's goroutine. Without fetch
// every partition is needed, so it runs up to TaskContext.Parallelism
// partitions ahead on goroutines, each buffering at most two batches, and
// hands their batches over in order.
//
// The input's partitions must be independent streams: an input whose
// partitions share producers (a RepartitionExec, which never declares
// range partitioning) could stall while partition i waits for a consumer
// of partition i+1.
type OrderedConcatExec struct {
	input    plan.ExecutionPlan
	keys     []SortExpr
	fetch    int
	reverse  bool
	rangeCol int // index of the first key's column in the input schema
}

// NewOrderedConcat returns an OrderedConcatExec; fetch < 0 means no
// limit. The first key must be the column the input is range-partitioned
// on; the partitions are read in reverse when that key is descending.
func NewOrderedConcat(input plan.ExecutionPlan, keys []SortExpr, fetch int) (*OrderedConcatExec, error) {
	const op = "OrderedConcatExec"
	if _, err := bindSortKeys(op, keys, input.Schema()); err != nil {
		return nil, err
	}
	c, ok := keys[0].Expr.(*expr.Column)
	if !ok {
		return nil, fmt.Errorf("%s: first key %s is not a column", op, keys[0].Expr)
	}
	part := input.Properties().Partitioning
	if part.Kind != plan.RangePartitioning || len(part.Columns) != 1 || part.Columns[0] != c.Name {
		return nil, fmt.Errorf("%s: input %s is partitioned %s, not by range of %s", op, input.Name(), part, c.Name)
	}
	idx := input.Schema().FieldIndices(c.Name)
	if len(idx) != 1 {
		return nil, fmt.Errorf("%s: column %s is not (once) in the input", op, c.Name)
	}
	if fetch < 0 {
		fetch = -1
	}
	return &OrderedConcatExec{input: input, keys: keys, fetch: fetch, reverse: keys[0].Descending, rangeCol: idx[0]}, nil
}

// Name implements plan.ExecutionPlan.
func (c *OrderedConcatExec) Name() string { return "OrderedConcatExec" }

// Schema implements plan.ExecutionPlan.
func (c *OrderedConcatExec) Schema() *arrow.Schema { return c.input.Schema() }

// Properties implements plan.ExecutionPlan.
func (c *OrderedConcatExec) Properties() plan.Properties {
	return plan.Properties{
		Partitions:   1,
		Partitioning: plan.Partitioning{Kind: plan.SinglePartition},
		Ordering:     orderingOf(c.keys),
		Unbounded:    c.input.Properties().Unbounded && c.fetch < 0,
	}
}

// Children implements plan.ExecutionPlan.
func (c *OrderedConcatExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{c.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (c *OrderedConcatExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(c.Name(), 1, len(children))
	}
	return NewOrderedConcat(children[0], c.keys, c.fetch)
}

// String implements plan.ExecutionPlan.
func (c *OrderedConcatExec) String() string {
	out := "OrderedConcatExec: " + sortExprsString(c.keys)
	if c.reverse {
		out += ", reverse=true"
	}
	if c.fetch >= 0 {
		out += ", fetch=" + fetchString(c.fetch)
	}
	return out
}

// Execute implements plan.ExecutionPlan.
func (c *OrderedConcatExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(c, partition); err != nil {
		return nil, err
	}
	task = taskDefaults(task)
	n := c.input.Properties().Partitions
	if c.fetch == 0 || n == 0 {
		return eofStream{c.Schema()}, nil
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
		if c.reverse {
			order[i] = n - 1 - i
		}
	}
	if ahead := min(task.Parallelism, n); c.fetch < 0 && ahead > 1 {
		return &prefetchConcat{ctx: ctx, c: c, task: task, order: order, ahead: ahead, failed: make(chan struct{})}, nil
	}
	return &seqConcat{ctx: ctx, c: c, task: task, order: order, left: c.fetch}, nil
}

// checkNulls fails when a selected row of b has a NULL in the range
// column: the plan relied on there being none.
func (c *OrderedConcatExec) checkNulls(b plan.Batch) error {
	arr := b.Record.Column(c.rangeCol)
	if arr.NullN() == 0 {
		return nil
	}
	null := b.Sel == nil
	for _, r := range b.Sel {
		if arr.IsNull(int(r)) {
			null = true
			break
		}
	}
	if !null {
		return nil
	}
	return &plan.Error{Operator: c.Name(), Err: fmt.Errorf(
		"range column %s holds a NULL, but the plan relies on it having none (declared non-nullable, or filtered)",
		c.Schema().Field(c.rangeCol).Name)}
}

// seqConcat reads the partitions one at a time on the consumer's
// goroutine, executing each only when the previous one is exhausted.
type seqConcat struct {
	ctx   context.Context
	c     *OrderedConcatExec
	task  *plan.TaskContext
	order []int // input partitions in reading order
	pos   int   // index into order of the partition being read
	cur   plan.RecordStream
	left  int // rows still to emit; < 0 when unlimited
	state sticky
}

func (s *seqConcat) Schema() *arrow.Schema { return s.c.Schema() }

func (s *seqConcat) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	b, err := s.next()
	if err != nil {
		s.state.set(err)
		s.Close()
		return plan.Batch{}, err
	}
	if s.left == 0 {
		// Satisfied: stop the input now, not when the consumer closes.
		s.Close()
	}
	return b, nil
}

func (s *seqConcat) next() (plan.Batch, error) {
	for {
		if err := s.ctx.Err(); err != nil {
			return plan.Batch{}, err
		}
		if s.cur == nil {
			if s.pos == len(s.order) {
				return plan.Batch{}, io.EOF
			}
			p := s.order[s.pos]
			in, err := s.c.input.Execute(s.ctx, p, s.task)
			if err != nil {
				return plan.Batch{}, locate(s.c.input.Name(), p, err)
			}
			s.cur = in
		}
		b, err := s.cur.Next()
		if isEOF(err) {
			s.cur.Close()
			s.cur = nil
			s.pos++
			continue
		}
		if err != nil {
			return plan.Batch{}, locate(s.c.input.Name(), s.order[s.pos], err)
		}
		n := b.NumRows()
		if n == 0 {
			b.Release()
			continue
		}
		if err := s.c.checkNulls(b); err != nil {
			b.Release()
			return plan.Batch{}, err
		}
		if s.left >= 0 {
			if n > s.left {
				b, n = sliceBatch(b, 0, s.left), s.left
			}
			s.left -= n
		}
		return b, nil
	}
}

func (s *seqConcat) Close() {
	if s.cur != nil {
		s.cur.Close()
		s.cur = nil
	}
	s.pos = len(s.order)
	s.state.set(io.EOF)
}

// prefetchConcat reads partitions on goroutines, at most ahead of them at
// once (the one being consumed and the next ahead-1), and hands their
// batches over in reading order.
type prefetchConcat struct {
	ctx   context.Context
	c     *OrderedConcatExec
	task  *plan.TaskContext
	order []int
	ahead int

	started bool
	cctx    context.Context
	cancel  context.CancelFunc
	slots   []chan fanItem // by position in order; nil until started
	pos     int            // position being consumed
	wg      sync.WaitGroup

	mu      sync.Mutex
	failErr error
	failed  chan struct{} // closed once failErr is set
	state   sticky
}

func (s *prefetchConcat) Schema() *arrow.Schema { return s.c.Schema() }

func (s *prefetchConcat) start() {
	s.started = true
	s.cctx, s.cancel = context.WithCancel(s.ctx)
	s.slots = make([]chan fanItem, len(s.order))
	for i := range s.ahead {
		s.launch(i)
	}
}

// launch starts reading the partition at position i of the order.
func (s *prefetchConcat) launch(i int) {
	ch := make(chan fanItem, 2)
	s.slots[i] = ch
	p := s.order[i]
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(ch)
		in, err := s.c.input.Execute(s.cctx, p, s.task)
		if err != nil {
			s.fail(locate(s.c.input.Name(), p, err))
			return
		}
		defer in.Close()
		for {
			b, err := in.Next()
			if isEOF(err) {
				return
			}
			if err != nil {
				s.fail(locate(s.c.input.Name(), p, err))
				return
			}
			select {
			case ch <- fanItem{b: b}:
			case <-s.cctx.Done():
				b.Release()
				return
			}
		}
	}()
}

// fail records the first error of any partition and wakes the consumer:
// every partition is needed, so any failure fails the query at once.
func (s *prefetchConcat) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failErr == nil && s.cctx.Err() == nil {
		s.failErr = err
		close(s.failed)
	}
}

func (s *prefetchConcat) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failErr
}

func (s *prefetchConcat) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	b, err := s.next()
	if err != nil {
		s.state.set(err)
		s.Close()
		return plan.Batch{}, err
	}
	return b, nil
}

func (s *prefetchConcat) next() (plan.Batch, error) {
	if err := s.ctx.Err(); err != nil {
		return plan.Batch{}, err
	}
	if !s.started {
		s.start()
	}
	for s.pos < len(s.order) {
		if err := s.failure(); err != nil {
			return plan.Batch{}, err
		}
		select {
		case it, ok := <-s.slots[s.pos]:
			if !ok {
				// The producer stopped: at the partition's end, or
				// because it failed or the query was cancelled, which
				// must not look like a complete partition.
				if err := s.failure(); err != nil {
					return plan.Batch{}, err
				}
				if err := s.ctx.Err(); err != nil {
					return plan.Batch{}, err
				}
				s.slots[s.pos] = nil
				s.pos++
				if j := s.pos + s.ahead - 1; j < len(s.order) {
					s.launch(j)
				}
				continue
			}
			if it.b.NumRows() == 0 {
				it.b.Release()
				continue
			}
			if err := s.c.checkNulls(it.b); err != nil {
				it.b.Release()
				return plan.Batch{}, err
			}
			return it.b, nil
		case <-s.failed:
			return plan.Batch{}, s.failure()
		case <-s.ctx.Done():
			return plan.Batch{}, s.ctx.Err()
		}
	}
	return plan.Batch{}, io.EOF
}

// Close cancels the producers, releases what they buffered and waits for
// them to end.
func (s *prefetchConcat) Close() {
	if s.started && s.cancel != nil {
		s.cancel()
		for i := s.pos; i < len(s.slots); i++ {
			if ch := s.slots[i]; ch != nil {
				for it := range ch {
					it.b.Release()
				}
				s.slots[i] = nil
			}
		}
		s.wg.Wait()
		s.cancel = nil
	}
	s.state.set(io.EOF)
}
