// Package planner turns a logical plan into a physical one. It first
// rewrites the logical plan (filter, projection and limit pushdown into the
// scans, each rule in its own file) and then chooses physical operators:
// it drops sorts the input's declared ordering already satisfies, merges
// sorted partitions instead of re-sorting them (or, when they are ordered
// ranges of the first sort key, reads them one after another; see
// range_concat.go), and lets
// physical.PlanAggregate pick single-phase or partial/final aggregation.
package planner

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Options tune physical planning.
type Options struct {
	// TargetPartitions is the number of partitions repartitioning
	// operators (the final phase of an aggregate) produce. Zero or
	// negative means GOMAXPROCS.
	TargetPartitions int
	// JoinMemoryBudget caps the bytes the build side of one join may
	// hold (all partitions together); a larger one fails the query with
	// an error naming the join. Zero means
	// physical.DefaultJoinMemoryBudget, negative no cap.
	JoinMemoryBudget int64
	// BroadcastRows is the largest estimated build side, in rows, that a
	// hash join collects once for all probe partitions instead of
	// repartitioning both inputs (see join.go). Zero means
	// DefaultBroadcastRows, negative never.
	BroadcastRows int64
}

func (o Options) broadcastRows() int64 {
	switch {
	case o.BroadcastRows < 0:
		return -1
	case o.BroadcastRows == 0:
		return DefaultBroadcastRows
	}
	return o.BroadcastRows
}

func (o Options) targetPartitions() int {
	if o.TargetPartitions > 0 {
		return o.TargetPartitions
	}
	return goruntime.GOMAXPROCS(0)
}

// ErrExplain is returned when Plan is given an EXPLAIN node: explaining is
// the caller's job (plan the Explain's input, then format or analyze it).
var ErrExplain = errors.New("planner: EXPLAIN must be unwrapped by the caller before planning")

// Plan optimizes lp and returns its physical plan. The plan always has a
// single output partition (Plan adds a CoalescePartitionsExec on top when
// needed), so that EXPLAIN shows the whole path to the result. lp is not
// modified.
func Plan(ctx context.Context, lp logical.Plan, opts Options) (plan.ExecutionPlan, error) {
	if _, ok := lp.(*logical.Explain); ok {
		return nil, ErrExplain
	}
	opt, err := Optimize(lp)
	if err != nil {
		return nil, err
	}
	return PlanOptimized(ctx, opt, opts)
}

// PlanOptimized is Plan for a logical plan Optimize returned: callers that
// run one statement many times optimize it once. The physical plan is
// still made for every run, since it holds what the providers' Scan
// returned (the partitions listed now, statistics).
func PlanOptimized(ctx context.Context, opt logical.Plan, opts Options) (plan.ExecutionPlan, error) {
	if _, ok := opt.(*logical.Explain); ok {
		return nil, ErrExplain
	}
	pp := &physicalPlanner{ctx: ctx, targetPartitions: opts.targetPartitions(), joinBudget: opts.JoinMemoryBudget, broadcastRows: opts.broadcastRows()}
	out, err := pp.plan(opt)
	if err != nil {
		return nil, err
	}
	root, err := restoreNames(out)
	if err != nil {
		return nil, err
	}
	if root.Properties().Partitions != 1 {
		return physical.NewCoalescePartitions(root), nil
	}
	return root, nil
}

// Optimize applies the logical rewrite rules in order: filter pushdown
// (which decides what filters stay above each scan), then projection
// pushdown (which must see the filters that stayed), then limit pushdown
// (which must know whether a filter stayed). lp is not modified; rewritten
// nodes are copies.
func Optimize(lp logical.Plan) (logical.Plan, error) {
	if lp == nil {
		return nil, errors.New("planner: nil plan")
	}
	p, err := pushDownFilters(lp)
	if err != nil {
		return nil, err
	}
	if p, err = aggregateBeforeJoins(p); err != nil {
		return nil, err
	}
	p, err = pushDownProjections(p)
	if err != nil {
		return nil, err
	}
	return pushDownLimits(p), nil
}

// Explain renders a physical plan as an indented tree.
func Explain(p plan.ExecutionPlan) string { return physical.Explain(p) }

// withInput returns a shallow copy of a single-input node reading from in.
func withInput(p logical.Plan, in logical.Plan) (logical.Plan, error) {
	switch n := p.(type) {
	case *logical.Filter:
		c := *n
		c.Input = in
		return &c, nil
	case *logical.Projection:
		c := *n
		c.Input = in
		return &c, nil
	case *logical.Aggregate:
		c := *n
		c.Input = in
		return &c, nil
	case *logical.Sort:
		c := *n
		c.Input = in
		return &c, nil
	case *logical.Limit:
		c := *n
		c.Input = in
		return &c, nil
	case *logical.Explain:
		c := *n
		c.Input = in
		return &c, nil
	case *logical.Repeat:
		c := *n
		c.Input = in
		return &c, nil
	case *logical.Window:
		c := *n
		c.Input = in
		return &c, nil
	}
	return nil, fmt.Errorf("planner: unsupported logical node %T", p)
}

// copyScan returns a copy of s whose slices can be changed without
// touching s.
func copyScan(s *logical.Scan) *logical.Scan {
	c := *s
	if s.Projection != nil {
		c.Projection = append([]int(nil), s.Projection...)
	}
	c.Filters = append([]expr.Expr(nil), s.Filters...)
	return &c
}

// transformUp rewrites the tree bottom-up: children first, then fn on the
// node rebuilt over the rewritten children.
func transformUp(p logical.Plan, fn func(logical.Plan) (logical.Plan, error)) (logical.Plan, error) {
	if u, ok := p.(*logical.Union); ok {
		return transformUnion(u, fn)
	}

	if s, ok := p.(*logical.Scan); ok {
		return fn(s)
	}
	if j, ok := p.(*logical.Join); ok {
		l, err := transformUp(j.Left, fn)
		if err != nil {
			return nil, err
		}
		r, err := transformUp(j.Right, fn)
		if err != nil {
			return nil, err
		}
		c := *j
		c.Left, c.Right = l, r
		return fn(&c)
	}
	children := p.Children()
	if len(children) != 1 {
		return nil, fmt.Errorf("planner: unsupported logical node %T with %d inputs", p, len(children))
	}
	in, err := transformUp(children[0], fn)
	if err != nil {
		return nil, err
	}
	n, err := withInput(p, in)
	if err != nil {
		return nil, err
	}
	return fn(n)
}
