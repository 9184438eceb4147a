package physical

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// HashJoinMode says how a HashJoinExec meets the rows of its inputs.
type HashJoinMode int

const (
	// HashJoinPartitioned joins partition i of the build input with
	// partition i of the probe input. Both inputs must have the same
	// number of partitions and keep rows with equal keys in partitions of
	// the same index: the planner repartitions both on the keys, or finds
	// them co-partitioned already.
	HashJoinPartitioned HashJoinMode = iota
	// HashJoinCollectBuild collects every partition of the build input
	// once, into one table shared by all probe partitions (a broadcast
	// join): for a small build side, it saves repartitioning the probe
	// side. The build side must not be preserved (its unmatched rows
	// would have to wait for every probe partition).
	HashJoinCollectBuild
)

// HashJoinExec joins two inputs on equality keys (plus an optional
// residual filter over the columns of both): it collects the build side
// into a hash table (a typed int64 table for one integer key, a table of
// hashed key columns compared column by column otherwise; see keyTable)
// and streams the probe side through it, gathering only the build columns
// its projection outputs. Rows with a NULL key
// never match. Its output is the left columns then the right ones (left
// ones only for semi and anti joins), whichever side builds.
type HashJoinExec struct {
	left, right plan.ExecutionPlan
	leftKeys    []expr.Expr
	rightKeys   []expr.Expr
	mode        HashJoinMode
	spec        *joinSpec
	budget      int64
	// copartitioned marks a partitioned join whose inputs were already
	// partitioned on the keys (no repartition below), for EXPLAIN.
	copartitioned bool

	buildEvals, probeEvals []evaluator
	intKey                 bool

	mu  sync.Mutex
	run *hashJoinRun
}

// HashJoinOptions are the choices the planner makes for a HashJoinExec.
type HashJoinOptions struct {
	Mode HashJoinMode
	// BuildLeft builds the table from the left input (else the right).
	BuildLeft bool
	// Filter is the residual condition over left and right columns (nil
	// for none).
	Filter expr.Expr
	// MemoryBudget caps the bytes the build side holds, all partitions
	// together; 0 means DefaultJoinMemoryBudget and a negative value no cap.
	MemoryBudget int64
	// CoPartitioned tells EXPLAIN that the inputs were partitioned on the
	// keys by their providers.
	CoPartitioned bool
	// Projection lists the columns of the join's output (left then right
	// columns, left ones only for semi and anti joins) it outputs, nil
	// for all: the columns of the build side nobody above reads are then
	// never gathered.
	Projection []int
}

// NewHashJoin returns a HashJoinExec; leftKeys[i] (over left) is compared
// with rightKeys[i] (over right), which must have the same type.
func NewHashJoin(left, right plan.ExecutionPlan, joinType plan.JoinType, leftKeys, rightKeys []expr.Expr, opts HashJoinOptions) (*HashJoinExec, error) {
	const op = "HashJoinExec"
	if len(leftKeys) == 0 || len(leftKeys) != len(rightKeys) {
		return nil, fmt.Errorf("%s: %d left keys and %d right keys", op, len(leftKeys), len(rightKeys))
	}
	for i := range leftKeys {
		lt, rt := leftKeys[i].DataType(), rightKeys[i].DataType()
		if !arrow.TypeEqual(lt, rt) {
			return nil, fmt.Errorf("%s: key %s is %s but %s is %s", op, leftKeys[i], lt, rightKeys[i], rt)
		}
		if err := checkKeyType(lt); err != nil {
			return nil, fmt.Errorf("%s: key %s: %w", op, leftKeys[i], err)
		}
	}
	if joinType == plan.LeftAntiNullAwareJoin && len(leftKeys) != 1 {
		return nil, fmt.Errorf("%s: a null-aware anti join has one key, got %d", op, len(leftKeys))
	}
	spec, err := newJoinSpec(op, joinType, left.Schema(), right.Schema(), opts.Filter, opts.BuildLeft)
	if err != nil {
		return nil, err
	}
	if err := spec.project(opts.Projection); err != nil {
		return nil, err
	}
	build, probe := right, left
	buildKeys, probeKeys := rightKeys, leftKeys
	if opts.BuildLeft {
		build, probe = left, right
		buildKeys, probeKeys = leftKeys, rightKeys
	}
	if build.Properties().Unbounded {
		return nil, fmt.Errorf("%s: cannot build a hash table from the unbounded input %s", op, build.Name())
	}
	switch opts.Mode {
	case HashJoinPartitioned:
		if l, r := left.Properties().Partitions, right.Properties().Partitions; l != r {
			return nil, fmt.Errorf("%s: partitioned join of inputs with %d and %d partitions", op, l, r)
		}
	case HashJoinCollectBuild:
		if spec.buildPreserved() {
			return nil, fmt.Errorf("%s: a %s join cannot collect its preserved build side", op, joinType)
		}
	default:
		return nil, fmt.Errorf("%s: unknown mode %d", op, int(opts.Mode))
	}
	if joinType == plan.LeftAntiNullAwareJoin && opts.Mode != HashJoinCollectBuild && probe.Properties().Partitions > 1 {
		// Whether the build side holds a NULL is known only once all of
		// it is in one table.
		return nil, fmt.Errorf("%s: a null-aware anti join must collect its build side", op)
	}
	be, err := compileEvals(buildKeys, build.Schema())
	if err != nil {
		return nil, fmt.Errorf("%s: build keys: %w", op, err)
	}
	pe, err := compileEvals(probeKeys, probe.Schema())
	if err != nil {
		return nil, fmt.Errorf("%s: probe keys: %w", op, err)
	}
	budget := opts.MemoryBudget
	if budget == 0 {
		budget = DefaultJoinMemoryBudget
	}
	return &HashJoinExec{
		left: left, right: right, leftKeys: leftKeys, rightKeys: rightKeys, mode: opts.Mode, spec: spec,
		budget: budget, copartitioned: opts.CoPartitioned, buildEvals: be, probeEvals: pe,
		intKey: len(leftKeys) == 1 && intKeyable(leftKeys[0].DataType()),
	}, nil
}

func (h *HashJoinExec) sides() (build, probe plan.ExecutionPlan) {
	if h.spec.buildLeft {
		return h.left, h.right
	}
	return h.right, h.left
}

// JoinType returns the join's type.
func (h *HashJoinExec) JoinType() plan.JoinType { return h.spec.joinType }

// Mode returns how the join meets its inputs' rows.
func (h *HashJoinExec) Mode() HashJoinMode { return h.mode }

// BuildLeft reports whether the left input is the build side.
func (h *HashJoinExec) BuildLeft() bool { return h.spec.buildLeft }

// Name implements plan.ExecutionPlan.
func (h *HashJoinExec) Name() string { return "HashJoinExec" }

// Schema implements plan.ExecutionPlan.
func (h *HashJoinExec) Schema() *arrow.Schema { return h.spec.out }

// Projection returns the columns of the unprojected output the join
// outputs (nil: all).
func (h *HashJoinExec) Projection() []int { return h.spec.proj }

// WithProjection returns the join outputting only the columns cols of
// its unprojected output (a projection of the projection it has).
func (h *HashJoinExec) WithProjection(cols []int) (*HashJoinExec, error) {
	if h.spec.proj != nil {
		composed := make([]int, len(cols))
		for j, c := range cols {
			if c < 0 || c >= len(h.spec.proj) {
				return nil, fmt.Errorf("%s: projection of column %d of %d", h.Name(), c, len(h.spec.proj))
			}
			composed[j] = h.spec.proj[c]
		}
		cols = composed
	}
	return NewHashJoin(h.left, h.right, h.spec.joinType, h.leftKeys, h.rightKeys, h.options(cols))
}

func (h *HashJoinExec) options(proj []int) HashJoinOptions {
	return HashJoinOptions{
		Mode: h.mode, BuildLeft: h.spec.buildLeft, Filter: h.spec.filter, MemoryBudget: h.budget,
		CoPartitioned: h.copartitioned, Projection: proj,
	}
}

// Properties implements plan.ExecutionPlan. Output partition i holds the
// join of probe partition i (and, partitioned, build partition i), so the
// partitioning of a side whose columns are never NULL-supplied survives:
// the probe side's for a collected build, the left's (else the right's)
// for a partitioned join. Rows come out in no particular order.
func (h *HashJoinExec) Properties() plan.Properties {
	_, probe := h.sides()
	out := plan.Properties{Partitions: probe.Properties().Partitions, Unbounded: probe.Properties().Unbounded}
	keep := func(p plan.ExecutionPlan, supplied bool) bool {
		pp := p.Properties().Partitioning
		if supplied || pp.Kind != plan.KeyPartitioning {
			return false
		}
		for _, c := range pp.Columns {
			if !h.spec.out.HasField(c) {
				return false // projected away: the claim could not be read
			}
		}
		out.Partitioning = pp
		return true
	}
	jt := h.spec.joinType
	switch {
	case out.Partitions == 1:
		out.Partitioning = plan.Partitioning{Kind: plan.SinglePartition}
	case h.mode == HashJoinCollectBuild:
		keep(probe, (probe == h.left && jt.PreservesRight()) || (probe == h.right && jt.PreservesLeft()))
	default:
		if !keep(h.left, jt.PreservesRight()) && jt.OutputsRight() {
			keep(h.right, jt.PreservesLeft())
		}
	}
	return out
}

// Children implements plan.ExecutionPlan.
func (h *HashJoinExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{h.left, h.right} }

// WithNewChildren implements plan.ExecutionPlan.
func (h *HashJoinExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 2 {
		return nil, errChildren(h.Name(), 2, len(children))
	}
	return NewHashJoin(children[0], children[1], h.spec.joinType, h.leftKeys, h.rightKeys, h.options(h.spec.proj))
}

// onString renders the keys as "(a, b), (c, d)".
func (h *HashJoinExec) onString() string {
	ks := make([]string, len(h.leftKeys))
	for i := range h.leftKeys {
		ks[i] = "(" + h.leftKeys[i].String() + ", " + h.rightKeys[i].String() + ")"
	}
	return strings.Join(ks, ", ")
}

// String implements plan.ExecutionPlan, e.g.
// "HashJoinExec: mode=CollectBuild, join_type=Inner, on=[(user_id, id)], build=right".
func (h *HashJoinExec) String() string {
	mode := "Partitioned"
	switch {
	case h.mode == HashJoinCollectBuild:
		mode = "CollectBuild"
	case h.copartitioned:
		mode = "CoPartitioned"
	}
	build := "right"
	if h.spec.buildLeft {
		build = "left"
	}
	return fmt.Sprintf("HashJoinExec: mode=%s, join_type=%s, on=[%s]%s, build=%s%s", mode, h.spec.joinType, h.onString(), h.spec.filterString(), build, h.spec.projectionString())
}

// hashJoinRun is one execution: the budget all partitions share and, for
// a collected build side, the one table they all probe.
type hashJoinRun struct {
	budget *joinBudget
	taken  []bool
	shared *sharedBuild
}

// Execute implements plan.ExecutionPlan.
func (h *HashJoinExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(h, partition); err != nil {
		return nil, err
	}
	task = taskDefaults(task)
	h.mu.Lock()
	if h.run == nil || h.run.taken[partition] {
		n := h.Properties().Partitions
		budget := &joinBudget{limit: h.budget, join: "join on [" + h.onString() + "]"}
		h.run = &hashJoinRun{budget: budget, taken: make([]bool, n)}
		if h.mode == HashJoinCollectBuild {
			h.run.shared = &sharedBuild{total: n}
		}
	}
	run := h.run
	run.taken[partition] = true
	h.mu.Unlock()
	_, probe := h.sides()
	in, err := probe.Execute(ctx, partition, task)
	if err != nil {
		if run.shared != nil {
			run.shared.done(false, true)
		}
		return nil, locate(probe.Name(), partition, err)
	}
	return &hashJoinStream{h: h, run: run, task: task, partition: partition,
		probeLoop: probeLoop{ctx: ctx, probe: &locatedStream{RecordStream: in, op: probe.Name(), partition: partition}}}, nil
}

// makeBuild collects and indexes the build side: partition p of it, or
// every partition when p < 0.
func (h *HashJoinExec) makeBuild(ctx context.Context, p int, task *plan.TaskContext, budget *joinBudget) (*joinBuild, error) {
	build, _ := h.sides()
	var in plan.RecordStream
	var err error
	if p < 0 {
		in, err = coalesce(ctx, build, task)
	} else {
		in, err = build.Execute(ctx, p, task)
		if err == nil {
			in = &locatedStream{RecordStream: in, op: build.Name(), partition: p}
		}
	}
	if err != nil {
		return nil, locate(build.Name(), max(p, 0), err)
	}
	b, err := collectBuild(ctx, in, build.Schema(), task.Allocator, budget)
	in.Close()
	if err != nil {
		return nil, err
	}
	if err := buildTable(b, h.buildEvals, task.Allocator, h.intKey); err != nil {
		b.release()
		return nil, err
	}
	return b, nil
}

// sharedBuild is a collected build side shared by the probe partitions of
// one execution. The first partition to need it builds it; it is released
// once no stream holds it and either every partition has been closed or
// the query was cancelled (no partition will ask for it any more).
type sharedBuild struct {
	mu     sync.Mutex
	built  bool
	build  *joinBuild
	err    error
	refs   int
	closed int
	total  int
}

func (s *sharedBuild) acquire(make func() (*joinBuild, error)) (*joinBuild, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.built {
		s.built = true
		s.build, s.err = make()
	}
	if s.err != nil {
		return nil, s.err
	}
	if s.build == nil {
		return nil, context.Canceled // released after a cancellation
	}
	s.refs++
	return s.build, nil
}

// done records that a stream closed, holding a reference or not.
func (s *sharedBuild) done(held, cancelled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if held {
		s.refs--
	}
	s.closed++
	if s.refs == 0 && (s.closed >= s.total || cancelled) && s.build != nil {
		s.build.release()
		s.build = nil
	}
}

type hashJoinStream struct {
	h         *HashJoinExec
	run       *hashJoinRun
	task      *plan.TaskContext
	partition int
	probeLoop

	build  *joinBuild
	held   bool // a reference to run.shared
	closed bool
}

func (s *hashJoinStream) Schema() *arrow.Schema { return s.h.Schema() }

func (s *hashJoinStream) fail(err error) (plan.Batch, error) {
	return plan.Batch{}, s.state.set(locate(s.h.Name(), s.partition, err))
}

func (s *hashJoinStream) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	if s.prober == nil {
		var err error
		if s.run.shared != nil {
			s.build, err = s.run.shared.acquire(func() (*joinBuild, error) {
				return s.h.makeBuild(s.ctx, -1, s.task, s.run.budget)
			})
			s.held = err == nil
		} else {
			s.build, err = s.h.makeBuild(s.ctx, s.partition, s.task, s.run.budget)
		}
		if err != nil {
			return s.fail(err)
		}
		s.prober = newJoinProber(s.h.spec, s.build, s.task, false)
	}
	_, probe := s.h.sides()
	// With an empty build side nothing can match: the probe side is read
	// only when its rows appear in the output unmatched.
	skip := s.build.n == 0 && !s.h.spec.probePreserved() && s.h.spec.joinType != plan.LeftAntiJoin && s.h.spec.joinType != plan.LeftAntiNullAwareJoin
	return s.probeLoop.next(probe.Schema(), skip, func(b plan.Batch) error {
		return s.prober.start(b, s.h.probeEvals, s.h.intKey)
	}, s.fail)
}

func (s *hashJoinStream) Close() {
	if s.closed {
		return
	}
	s.closed = true
	if s.prober != nil {
		s.prober.release()
	}
	s.probe.Close()
	if s.run.shared != nil {
		s.run.shared.done(s.held, s.ctx.Err() != nil)
	} else if s.build != nil {
		s.build.release()
	}
	s.build = nil
	s.state.set(io.EOF)
}
