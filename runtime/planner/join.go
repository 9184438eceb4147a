package planner

import (
	"fmt"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// DefaultBroadcastRows is the largest estimated build side (in rows) a
// hash join collects once and shares with every probe partition instead
// of repartitioning both inputs.
const DefaultBroadcastRows = 1 << 17

// Join strategy.
//
// A join with equality keys is a HashJoinExec; without, a
// NestedLoopJoinExec. The build side (the one held in memory) is the
// smaller input by the row counts the plans' Statistics report, the
// right one when they are unknown or equal; semi, anti and scalar
// subquery joins always build on the right (the subquery). Then, in this
// order:
//
//  1. co-partitioned: both inputs are key-partitioned on the join keys in
//     a compatible way (see coPartitioned), so partition i of one can
//     only match partition i of the other: the join runs partition by
//     partition, with no repartition;
//  2. both inputs have one partition: one partitioned join of one
//     partition;
//  3. collect-build (broadcast): the build side has at most
//     BroadcastRows rows (by its statistics) and its unmatched rows are
//     not output; or the join is a NOT IN, which must see the whole build
//     side. The build side is collected once and every probe partition
//     joins against it;
//  4. otherwise both inputs are repartitioned on the keys into
//     TargetPartitions partitions and joined partition by partition.
func (pp *physicalPlanner) join(n *logical.Join) (planned, error) {
	l, err := pp.plan(n.Left)
	if err != nil {
		return planned{}, err
	}
	r, err := pp.plan(n.Right)
	if err != nil {
		return planned{}, err
	}
	left, right := l.exec, r.exec
	for _, k := range n.Keys {
		if err := checkRefs(l.names, "join key", k.Left); err != nil {
			return planned{}, err
		}
		if err := checkRefs(r.names, "join key", k.Right); err != nil {
			return planned{}, err
		}
	}
	if err := checkRefs(l.names, "join condition", n.Filter); err != nil {
		return planned{}, err
	}
	if err := checkRefs(r.names, "join condition", n.Filter); err != nil {
		return planned{}, err
	}
	jt := n.Type
	buildLeft := false
	lrows, rrows := estimateRows(left), estimateRows(right)
	if jt.OutputsRight() && jt != plan.LeftSingleJoin && lrows >= 0 && rrows >= 0 && lrows < rrows {
		buildLeft = true
	}
	buildPreserved := (buildLeft && jt.PreservesLeft()) || (!buildLeft && jt.PreservesRight())
	if len(n.Keys) == 0 {
		build, probe := right, left
		if buildLeft {
			build, probe = left, right
		}
		_ = build
		if buildPreserved && probe.Properties().Partitions > 1 {
			if buildLeft {
				right = physical.NewCoalescePartitions(right)
			} else {
				left = physical.NewCoalescePartitions(left)
			}
		}
		j, err := physical.NewNestedLoopJoin(left, right, jt, n.Filter, buildLeft, pp.joinBudget)
		if err != nil {
			return planned{}, err
		}
		return planned{exec: j}, nil
	}
	lk := make([]expr.Expr, len(n.Keys))
	rk := make([]expr.Expr, len(n.Keys))
	for i, k := range n.Keys {
		lk[i], rk[i] = k.Left, k.Right
	}
	opts := physical.HashJoinOptions{BuildLeft: buildLeft, Filter: n.Filter, MemoryBudget: pp.joinBudget}
	buildRows := rrows
	if buildLeft {
		buildRows = lrows
	}
	lp, rp := left.Properties(), right.Properties()
	switch {
	case jt == plan.LeftAntiNullAwareJoin:
		opts.Mode = physical.HashJoinCollectBuild
	case coPartitioned(left, right, lk, rk):
		opts.Mode, opts.CoPartitioned = physical.HashJoinPartitioned, true
	case lp.Partitions <= 1 && rp.Partitions <= 1:
		opts.Mode = physical.HashJoinPartitioned
		if lp.Partitions != rp.Partitions {
			// One side has no partition at all (an empty plan): give the
			// join one of each.
			left, right = onePartition(left), onePartition(right)
		}
	case !buildPreserved && buildRows >= 0 && buildRows <= pp.broadcastRows:
		opts.Mode = physical.HashJoinCollectBuild
	default:
		opts.Mode = physical.HashJoinPartitioned
		if left, err = physical.NewRepartition(left, lk, pp.targetPartitions); err != nil {
			return planned{}, err
		}
		if right, err = physical.NewRepartition(right, rk, pp.targetPartitions); err != nil {
			return planned{}, err
		}
	}
	j, err := physical.NewHashJoin(left, right, jt, lk, rk, opts)
	if err != nil {
		return planned{}, fmt.Errorf("planning join: %w", err)
	}
	return planned{exec: j}, nil
}

func onePartition(p plan.ExecutionPlan) plan.ExecutionPlan {
	if p.Properties().Partitions == 1 {
		return p
	}
	return physical.NewCoalescePartitions(p)
}

// estimateRows returns how many rows p produces, -1 when unknown: the
// statistics of the plan (a scan), or of the input of an operator that
// never adds rows.
func estimateRows(p plan.ExecutionPlan) int64 {
	if sp, ok := p.(plan.StatisticsProvider); ok {
		if s := sp.Statistics(); s.Rows >= 0 {
			return s.Rows
		}
		return -1
	}
	switch p.(type) {
	case *physical.FilterExec, *physical.ProjectionExec, *physical.RepartitionExec, *physical.CoalescePartitionsExec,
		*physical.HashAggregateExec, *physical.GlobalLimitExec, *physical.LocalLimitExec, *physical.SortExec:
		return estimateRows(p.Children()[0])
	}
	return -1
}

// narrowJoin makes a hash join directly below a projection or an
// aggregate output only the columns exprs read, so that it never gathers
// the build columns nobody reads (the join's key columns, mostly).
func narrowJoin(in planned, exprs ...expr.Expr) planned {
	j, ok := in.exec.(*physical.HashJoinExec)
	if !ok || in.names.visible != nil || len(in.names.ambiguous) > 0 {
		return in
	}
	need := nameSet{}.with(exprs...)
	var cols []int
	for i, f := range j.Schema().Fields() {
		if need[f.Name] {
			cols = append(cols, i)
		}
	}
	if len(cols) == j.Schema().NumFields() {
		return in
	}
	narrow, err := j.WithProjection(cols)
	if err != nil {
		return in // keep every column: correct, only slower
	}
	in.exec = narrow
	return in
}

// aggArgs are the expressions aggregates read.
func aggArgs(aggs []*expr.Aggregate) []expr.Expr {
	var out []expr.Expr
	for _, a := range aggs {
		out = append(out, a)
	}
	return out
}
