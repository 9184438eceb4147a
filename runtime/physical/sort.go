package physical

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

// SortExec sorts its input by keys: stably, multi-key, ascending or
// descending, NULLs first or last. With fetch >= 0 it keeps only the first
// fetch rows, using a bounded heap (top-N) instead of a full sort. It sorts
// each input partition on its own when preservePartitioning is set, and
// all of them together into one partition otherwise.
type SortExec struct {
	input                plan.ExecutionPlan
	keys                 []SortExpr
	bound                *sortKeys
	fetch                int
	preservePartitioning bool
}

// NewSort returns a SortExec; fetch < 0 means no limit.
func NewSort(input plan.ExecutionPlan, keys []SortExpr, fetch int, preservePartitioning bool) (*SortExec, error) {
	bound, err := bindSortKeys("SortExec", keys, input.Schema())
	if err != nil {
		return nil, err
	}
	if input.Properties().Unbounded {
		return nil, fmt.Errorf("SortExec: cannot sort the unbounded input %s", input.Name())
	}
	if fetch < 0 {
		fetch = -1
	}
	return &SortExec{input: input, keys: keys, bound: bound, fetch: fetch, preservePartitioning: preservePartitioning}, nil
}

// Name implements plan.ExecutionPlan.
func (s *SortExec) Name() string { return "SortExec" }

// Schema implements plan.ExecutionPlan.
func (s *SortExec) Schema() *arrow.Schema { return s.input.Schema() }

// Properties implements plan.ExecutionPlan.
func (s *SortExec) Properties() plan.Properties {
	in := s.input.Properties()
	out := plan.Properties{Ordering: orderingOf(s.keys)}
	if s.preservePartitioning {
		out.Partitions, out.Partitioning = in.Partitions, in.Partitioning
	} else {
		out.Partitions, out.Partitioning = 1, plan.Partitioning{Kind: plan.SinglePartition}
	}
	return out
}

// Children implements plan.ExecutionPlan.
func (s *SortExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{s.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (s *SortExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(s.Name(), 1, len(children))
	}
	return NewSort(children[0], s.keys, s.fetch, s.preservePartitioning)
}

// String implements plan.ExecutionPlan.
func (s *SortExec) String() string {
	out := "SortExec: expr=" + sortExprsString(s.keys)
	if s.fetch >= 0 {
		out += ", fetch=" + fetchString(s.fetch)
	}
	if s.preservePartitioning {
		out += ", preserve_partitioning=true"
	}
	return out
}

// Execute implements plan.ExecutionPlan.
func (s *SortExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(s, partition); err != nil {
		return nil, err
	}
	task = taskDefaults(task)
	if s.fetch == 0 {
		return eofStream{s.Schema()}, nil
	}
	var in plan.RecordStream
	var err error
	if s.preservePartitioning {
		in, err = s.input.Execute(ctx, partition, task)
		if err == nil {
			in = &locatedStream{RecordStream: in, op: s.input.Name(), partition: partition}
		}
	} else {
		in, err = coalesce(ctx, s.input, task)
	}
	if err != nil {
		return nil, locate(s.input.Name(), partition, err)
	}
	st := &sortStream{ctx: ctx, in: in, sort: s, task: task, partition: partition}
	if st.fixed = newFixedTopN(s.keys, s.fetch); st.fixed == nil && s.fetch > 0 {
		st.top = newTopN(s.fetch)
	}
	return st, nil
}

// sortStream buffers its whole input (or, for top-N, the best fetch rows),
// then emits the rows in key order in batches of BatchSize.
type sortStream struct {
	ctx       context.Context
	in        plan.RecordStream
	sort      *SortExec
	task      *plan.TaskContext
	partition int
	top       *topN      // top-N of any key list
	fixed     *fixedTopN // top-N of one fixed-width key

	loaded  bool
	batches []plan.Batch
	refs    []rowRef // rows in output order
	next    int
	state   sticky
}

func (s *sortStream) Schema() *arrow.Schema { return s.sort.Schema() }

func (s *sortStream) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	if !s.loaded {
		var err error
		switch {
		case s.fixed != nil:
			err = s.loadFixedTopN()
		case s.top != nil:
			err = s.loadTopN()
		default:
			err = s.loadAll()
		}
		s.in.Close()
		if err != nil {
			s.release()
			return plan.Batch{}, s.state.set(err)
		}
		s.loaded = true
	}
	if err := s.ctx.Err(); err != nil {
		s.release()
		return plan.Batch{}, s.state.set(err)
	}
	if s.next >= len(s.refs) {
		s.release()
		return plan.Batch{}, s.state.set(io.EOF)
	}
	if b, ok := s.inOrder(); ok {
		// One batch already in order (one group of an aggregate, say):
		// handed on as it is, not gathered row by row into a copy.
		s.batches, s.refs = nil, nil
		return b, nil
	}
	end := min(s.next+s.task.BatchSize, len(s.refs))
	rec, err := gatherRows(s.task.Allocator, s.Schema(), recordsOf(s.batches), s.refs[s.next:end])
	if err != nil {
		s.release()
		return plan.Batch{}, s.state.set(locate(s.sort.Name(), s.partition, err))
	}
	s.next = end
	return plan.Batch{Record: rec}, nil
}

// eachInput hands every non-empty input batch to add, which takes over
// its reference; errors of add are located at the sort.
func (s *sortStream) eachInput(add func(plan.Batch) error) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	return plan.PushAll(s.in, func(b plan.Batch) error {
		if err := s.ctx.Err(); err != nil {
			b.Release()
			return err
		}
		if b.NumRows() == 0 {
			b.Release()
			return nil
		}
		if err := add(b); err != nil {
			return locate(s.sort.Name(), s.partition, err)
		}
		return nil
	})
}

// loadAll reads every input batch, then sorts a permutation of all
// selected rows by their encoded keys.
func (s *sortStream) loadAll() error {
	var keys [][]byte
	err := s.eachInput(func(b plan.Batch) error {
		bi := int32(len(s.batches))
		s.batches = append(s.batches, b)
		var enc encodedRows
		if err := s.sort.bound.encode(s.task.Allocator, b, &enc); err != nil {
			return err
		}
		for i := range b.NumRows() {
			keys = append(keys, enc.row(i))
			s.refs = append(s.refs, rowRef{bi, int32(rowOf(b.Sel, i))})
		}
		return nil
	})
	if err != nil {
		return err
	}
	perm := make([]int32, len(keys))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortStableFunc(perm, func(a, b int32) int { return bytes.Compare(keys[a], keys[b]) })
	sorted := make([]rowRef, len(perm))
	for i, p := range perm {
		sorted[i] = s.refs[p]
	}
	s.refs = sorted
	return nil
}

// inOrder returns the input's only batch when the sorted rows are all of
// its rows in their order and fit in one output batch.
func (s *sortStream) inOrder() (plan.Batch, bool) {
	if s.next != 0 || len(s.batches) != 1 || len(s.refs) > s.task.BatchSize {
		return plan.Batch{}, false
	}
	b := s.batches[0]
	if len(s.refs) != b.NumRows() {
		return plan.Batch{}, false
	}
	for i, r := range s.refs {
		if r.batch != 0 || int(r.row) != rowOf(b.Sel, i) {
			return plan.Batch{}, false
		}
	}
	return b, true
}

func (s *sortStream) release() {
	releaseBatches(s.batches)
	s.batches, s.refs = nil, nil
	if s.top != nil {
		s.top.release()
	}
	if s.fixed != nil {
		s.fixed.release()
	}
}

func (s *sortStream) Close() {
	if !s.loaded {
		s.in.Close()
	}
	s.release()
	s.state.set(io.EOF)
}
