package physical

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

// GlobalLimitExec skips offset rows of its single input partition, then
// passes at most fetch rows and stops reading (closing the input) once it
// has them, so a LIMIT over an endless or expensive source ends early.
type GlobalLimitExec struct {
	input         plan.ExecutionPlan
	offset, fetch int
}

// NewLimit returns a GlobalLimitExec. The input must have one partition
// (coalesce or merge first); fetch < 0 means no limit.
func NewLimit(input plan.ExecutionPlan, offset, fetch int) (*GlobalLimitExec, error) {
	if n := input.Properties().Partitions; n != 1 {
		return nil, fmt.Errorf("GlobalLimitExec: input must have 1 partition, %s has %d", input.Name(), n)
	}
	if offset < 0 {
		return nil, fmt.Errorf("GlobalLimitExec: negative offset %d", offset)
	}
	if fetch < 0 {
		fetch = -1
	}
	return &GlobalLimitExec{input: input, offset: offset, fetch: fetch}, nil
}

// LimitExec is the type NewLimit returns.
type LimitExec = GlobalLimitExec

// Name implements plan.ExecutionPlan.
func (l *GlobalLimitExec) Name() string { return "GlobalLimitExec" }

// Schema implements plan.ExecutionPlan.
func (l *GlobalLimitExec) Schema() *arrow.Schema { return l.input.Schema() }

// Properties implements plan.ExecutionPlan. A limit keeps its input's
// ordering and makes it bounded when it has a fetch.
func (l *GlobalLimitExec) Properties() plan.Properties {
	p := l.input.Properties()
	if l.fetch >= 0 {
		p.Unbounded = false
	}
	return p
}

// Children implements plan.ExecutionPlan.
func (l *GlobalLimitExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{l.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (l *GlobalLimitExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(l.Name(), 1, len(children))
	}
	return NewLimit(children[0], l.offset, l.fetch)
}

// String implements plan.ExecutionPlan.
func (l *GlobalLimitExec) String() string {
	return "GlobalLimitExec: offset=" + strconv.Itoa(l.offset) + ", fetch=" + fetchString(l.fetch)
}

func fetchString(fetch int) string {
	if fetch < 0 {
		return "None"
	}
	return strconv.Itoa(fetch)
}

// Execute implements plan.ExecutionPlan.
func (l *GlobalLimitExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(l, partition); err != nil {
		return nil, err
	}
	if l.fetch == 0 {
		return eofStream{l.Schema()}, nil
	}
	in, err := l.input.Execute(ctx, 0, task)
	if err != nil {
		return nil, locate(l.input.Name(), 0, err)
	}
	return &limitStream{in: in, op: l.input.Name(), skip: l.offset, left: l.fetch}, nil
}

// limitStream passes rows after skip, up to left (unlimited when < 0).
type limitStream struct {
	in        plan.RecordStream
	op        string
	partition int
	skip      int
	left      int
	state     sticky
}

func (s *limitStream) Schema() *arrow.Schema { return s.in.Schema() }

func (s *limitStream) Next() (plan.Batch, error) {
	for s.state.err == nil {
		if s.left == 0 {
			// Satisfied: stop the input now rather than at Close, so
			// producers below stop working for rows nobody reads.
			s.in.Close()
			return plan.Batch{}, s.state.set(io.EOF)
		}
		b, err := s.in.Next()
		if err != nil {
			if !isEOF(err) {
				err = locate(s.op, s.partition, err)
			}
			return plan.Batch{}, s.state.set(err)
		}
		n := b.NumRows()
		if s.skip >= n {
			s.skip -= n
			b.Release()
			continue
		}
		hi := n
		if s.left >= 0 && s.skip+s.left < n {
			hi = s.skip + s.left
		}
		out := sliceBatch(b, s.skip, hi)
		s.skip = 0
		if s.left > 0 {
			s.left -= out.NumRows()
		}
		return out, nil
	}
	return plan.Batch{}, s.state.err
}

func (s *limitStream) Close() {
	s.in.Close()
	s.state.set(io.EOF)
}

// sliceBatch keeps selected rows lo..hi-1 of b (positions among the
// selected rows). It narrows the selection when there is one and slices
// the record (zero-copy) otherwise; b's reference passes to the result.
func sliceBatch(b plan.Batch, lo, hi int) plan.Batch {
	if lo == 0 && hi == b.NumRows() {
		return b
	}
	if b.Sel != nil {
		return plan.Batch{Record: b.Record, Sel: b.Sel[lo:hi:hi]}
	}
	rec := b.Record.NewSlice(int64(lo), int64(hi))
	b.Release()
	return plan.Batch{Record: rec}
}
