package physical

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

// SharePartitionsExec reads the many partitions of its input on fewer
// output partitions: each output partition takes the next input partition
// nobody has read yet whenever it finishes one, until none is left, so
// the outputs share the input between them as their consumers keep up
// (work stealing: a slow partition does not hold the others back).
//
// A Partial aggregate over it keeps one state per output partition
// instead of one per input partition: with 16 small partitions and two
// cores, that is two partial results handed to the Final aggregate
// across goroutines instead of 16, and most of the cost of a short
// aggregate was in those hand-overs.
//
// The input partitions must not share producers (see
// independentPartitions): an output partition reads its input partitions
// one after another.
type SharePartitionsExec struct {
	input      plan.ExecutionPlan
	partitions int

	mu  sync.Mutex
	run *shareRun // the current execution's claims
}

// shareRun is one execution: which input partition is next, and which
// output partitions were handed out.
type shareRun struct {
	next  atomic.Int64
	taken []bool
}

// NewSharePartitions returns a SharePartitionsExec of input on n output
// partitions.
func NewSharePartitions(input plan.ExecutionPlan, n int) (*SharePartitionsExec, error) {
	if n < 1 {
		return nil, fmt.Errorf("SharePartitionsExec: %d output partitions", n)
	}
	return &SharePartitionsExec{input: input, partitions: n}, nil
}

// Name implements plan.ExecutionPlan.
func (s *SharePartitionsExec) Name() string { return "SharePartitionsExec" }

// Schema implements plan.ExecutionPlan.
func (s *SharePartitionsExec) Schema() *arrow.Schema { return s.input.Schema() }

// Properties implements plan.ExecutionPlan: which rows an output
// partition gets depends on timing, so nothing is promised about them.
func (s *SharePartitionsExec) Properties() plan.Properties {
	return plan.Properties{Partitions: s.partitions, Unbounded: s.input.Properties().Unbounded}
}

// Children implements plan.ExecutionPlan.
func (s *SharePartitionsExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{s.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (s *SharePartitionsExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(s.Name(), 1, len(children))
	}
	return NewSharePartitions(children[0], s.partitions)
}

// String implements plan.ExecutionPlan.
func (s *SharePartitionsExec) String() string {
	return fmt.Sprintf("SharePartitionsExec: partitions=%d, input_partitions=%d", s.partitions, s.input.Properties().Partitions)
}

// Execute implements plan.ExecutionPlan. An execution hands out each
// output partition once; executing one again starts a new execution (the
// plan is being run again).
func (s *SharePartitionsExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(s, partition); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.run == nil || s.run.taken[partition] {
		s.run = &shareRun{taken: make([]bool, s.partitions)}
	}
	run := s.run
	run.taken[partition] = true
	s.mu.Unlock()
	return &shareStream{ctx: ctx, s: s, run: run, task: taskDefaults(task)}, nil
}

// shareStream is one output partition: the input partitions it claims,
// one after another.
type shareStream struct {
	ctx   context.Context
	s     *SharePartitionsExec
	run   *shareRun
	task  *plan.TaskContext
	cur   plan.RecordStream // the input partition being read; nil between
	at    int               // its number
	state sticky
}

func (st *shareStream) Schema() *arrow.Schema { return st.s.Schema() }

// claim opens the next unread input partition; ok is false when none is
// left.
func (st *shareStream) claim() (ok bool, err error) {
	p := int(st.run.next.Add(1) - 1)
	if p >= st.s.input.Properties().Partitions {
		return false, nil
	}
	in, err := st.s.input.Execute(st.ctx, p, st.task)
	if err != nil {
		return false, locate(st.s.input.Name(), p, err)
	}
	st.cur, st.at = in, p
	return true, nil
}

func (st *shareStream) Next() (plan.Batch, error) {
	if st.state.err != nil {
		return plan.Batch{}, st.state.err
	}
	for {
		if err := st.ctx.Err(); err != nil {
			st.Close()
			return plan.Batch{}, st.state.set(err)
		}
		if st.cur == nil {
			ok, err := st.claim()
			if err != nil {
				return plan.Batch{}, st.state.set(err)
			}
			if !ok {
				return plan.Batch{}, st.state.set(io.EOF)
			}
		}
		b, err := st.cur.Next()
		if isEOF(err) {
			st.cur.Close()
			st.cur = nil
			continue
		}
		if err != nil {
			st.Close()
			return plan.Batch{}, st.state.set(locate(st.s.input.Name(), st.at, err))
		}
		return b, nil
	}
}

// Push implements plan.Pusher: each claimed input partition is pushed in
// turn, on the caller's goroutine.
func (st *shareStream) Push(f func(plan.Batch) error) error {
	if st.state.err != nil || st.cur != nil {
		return plan.PullAll(st, f)
	}
	for {
		if err := st.ctx.Err(); err != nil {
			return st.state.set(err)
		}
		ok, err := st.claim()
		if err != nil {
			return st.state.set(err)
		}
		if !ok {
			st.state.set(io.EOF)
			return nil
		}
		fErr, err := pushApart(st.cur, f)
		st.cur.Close()
		st.cur = nil
		switch {
		case fErr != nil:
			return st.state.set(fErr)
		case err != nil:
			return st.state.set(locate(st.s.input.Name(), st.at, err))
		}
	}
}

func (st *shareStream) Close() {
	if st.cur != nil {
		st.cur.Close()
		st.cur = nil
	}
	st.state.set(io.EOF)
}
