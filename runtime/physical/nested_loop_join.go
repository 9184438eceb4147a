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

// NestedLoopJoinExec joins two inputs on a condition without equality
// keys (or none: CROSS JOIN), and evaluates uncorrelated scalar subqueries
// (plan.LeftSingleJoin). It collects every partition of the build input
// once, shared by all probe partitions, and pairs each probe row with
// every build row, keeping the pairs the filter accepts, BatchSize pairs
// at a time. When the build side is preserved (its unmatched rows are
// output), the probe input must have a single partition.
type NestedLoopJoinExec struct {
	left, right plan.ExecutionPlan
	spec        *joinSpec
	budget      int64

	mu  sync.Mutex
	run *hashJoinRun
}

// NewNestedLoopJoin returns a NestedLoopJoinExec; filter (nil for none)
// reads the columns of both inputs; budget is as HashJoinOptions.MemoryBudget.
func NewNestedLoopJoin(left, right plan.ExecutionPlan, joinType plan.JoinType, filter expr.Expr, buildLeft bool, budget int64) (*NestedLoopJoinExec, error) {
	const op = "NestedLoopJoinExec"
	if joinType == plan.LeftAntiNullAwareJoin {
		return nil, fmt.Errorf("%s: a null-aware anti join needs a key", op)
	}
	spec, err := newJoinSpec(op, joinType, left.Schema(), right.Schema(), filter, buildLeft)
	if err != nil {
		return nil, err
	}
	j := &NestedLoopJoinExec{left: left, right: right, spec: spec, budget: budget}
	build, probe := j.sides()
	if build.Properties().Unbounded {
		return nil, fmt.Errorf("%s: cannot collect the unbounded input %s", op, build.Name())
	}
	if spec.buildPreserved() && probe.Properties().Partitions > 1 {
		return nil, fmt.Errorf("%s: a %s join with a preserved build side needs a single probe partition, got %d", op, joinType, probe.Properties().Partitions)
	}
	if j.budget == 0 {
		j.budget = DefaultJoinMemoryBudget
	}
	return j, nil
}

func (j *NestedLoopJoinExec) sides() (build, probe plan.ExecutionPlan) {
	if j.spec.buildLeft {
		return j.left, j.right
	}
	return j.right, j.left
}

// Name implements plan.ExecutionPlan.
func (j *NestedLoopJoinExec) Name() string { return "NestedLoopJoinExec" }

// Schema implements plan.ExecutionPlan.
func (j *NestedLoopJoinExec) Schema() *arrow.Schema { return j.spec.schema }

// Properties implements plan.ExecutionPlan: the probe side's partitions,
// and its key partitioning when its columns are not NULL-supplied.
func (j *NestedLoopJoinExec) Properties() plan.Properties {
	_, probe := j.sides()
	pp := probe.Properties()
	out := plan.Properties{Partitions: pp.Partitions, Unbounded: pp.Unbounded}
	supplied := (probe == j.left && j.spec.joinType.PreservesRight()) || (probe == j.right && j.spec.joinType.PreservesLeft())
	switch {
	case pp.Partitions == 1:
		out.Partitioning = plan.Partitioning{Kind: plan.SinglePartition}
	case pp.Partitioning.Kind == plan.KeyPartitioning && !supplied:
		out.Partitioning = pp.Partitioning
	}
	return out
}

// Children implements plan.ExecutionPlan.
func (j *NestedLoopJoinExec) Children() []plan.ExecutionPlan {
	return []plan.ExecutionPlan{j.left, j.right}
}

// WithNewChildren implements plan.ExecutionPlan.
func (j *NestedLoopJoinExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 2 {
		return nil, errChildren(j.Name(), 2, len(children))
	}
	return NewNestedLoopJoin(children[0], children[1], j.spec.joinType, j.spec.filter, j.spec.buildLeft, j.budget)
}

// String implements plan.ExecutionPlan, e.g.
// "NestedLoopJoinExec: join_type=Inner, filter=a < b, build=right".
func (j *NestedLoopJoinExec) String() string {
	build := "right"
	if j.spec.buildLeft {
		build = "left"
	}
	return fmt.Sprintf("NestedLoopJoinExec: join_type=%s%s, build=%s", j.spec.joinType, j.spec.filterString(), build)
}

// Execute implements plan.ExecutionPlan.
func (j *NestedLoopJoinExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(j, partition); err != nil {
		return nil, err
	}
	task = taskDefaults(task)
	j.mu.Lock()
	if j.run == nil || j.run.taken[partition] {
		n := j.Properties().Partitions
		budget := &joinBudget{limit: j.budget, join: "the nested-loop join"}
		if j.spec.filter != nil {
			budget.join = "the nested-loop join on " + j.spec.filter.String()
		}
		j.run = &hashJoinRun{budget: budget, taken: make([]bool, n), shared: &sharedBuild{total: n}}
	}
	run := j.run
	run.taken[partition] = true
	j.mu.Unlock()
	_, probe := j.sides()
	in, err := probe.Execute(ctx, partition, task)
	if err != nil {
		run.shared.done(false, true)
		return nil, locate(probe.Name(), partition, err)
	}
	return &nestedLoopStream{j: j, run: run, task: task, partition: partition,
		probeLoop: probeLoop{ctx: ctx, probe: &locatedStream{RecordStream: in, op: probe.Name(), partition: partition}}}, nil
}

type nestedLoopStream struct {
	j         *NestedLoopJoinExec
	run       *hashJoinRun
	task      *plan.TaskContext
	partition int
	probeLoop

	held   bool
	closed bool
}

func (s *nestedLoopStream) Schema() *arrow.Schema { return s.j.Schema() }

func (s *nestedLoopStream) fail(err error) (plan.Batch, error) {
	return plan.Batch{}, s.state.set(locate(s.j.Name(), s.partition, err))
}

func (s *nestedLoopStream) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	if s.prober == nil {
		build, err := s.run.shared.acquire(func() (*joinBuild, error) {
			b, _ := s.j.sides()
			in, err := coalesce(s.ctx, b, s.task)
			if err != nil {
				return nil, locate(b.Name(), 0, err)
			}
			defer in.Close()
			return collectBuild(s.ctx, in, b.Schema(), s.task.Allocator, s.run.budget)
		})
		if err != nil {
			return s.fail(err)
		}
		s.held = true
		if s.j.spec.joinType == plan.LeftSingleJoin && build.n > 1 {
			return s.fail(fmt.Errorf("more than one row returned by a subquery used as an expression"))
		}
		s.prober = newJoinProber(s.j.spec, build, s.task, true)
	}
	_, probe := s.j.sides()
	return s.probeLoop.next(probe.Schema(), false, func(b plan.Batch) error {
		return s.prober.start(b, nil, false)
	}, s.fail)
}

func (s *nestedLoopStream) Close() {
	if s.closed {
		return
	}
	s.closed = true
	if s.prober != nil {
		s.prober.release()
	}
	s.probe.Close()
	s.run.shared.done(s.held, s.ctx.Err() != nil)
	s.state.set(io.EOF)
}
