package planner

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Statistics returns what is known of p's output: p's own statistics when
// it reports them (scans of providers that know their data, and
// StatisticsExec), otherwise an estimate from its inputs: the first
// input's row count for operators with one input (an upper bound for
// filters and limits, which only remove rows), the product of the inputs'
// for the others (the upper bound of a join), never Exact. Rows is -1 when
// nothing is known. The join planner uses it to put the smaller input on
// the build side.
func Statistics(p plan.ExecutionPlan) plan.Statistics {
	if sp, ok := p.(plan.StatisticsProvider); ok {
		return sp.Statistics()
	}
	children := p.Children()
	if len(children) == 0 {
		return plan.Statistics{Rows: -1}
	}
	rows := int64(1)
	for _, c := range children {
		r := Statistics(c).Rows
		if r < 0 {
			return plan.Statistics{Rows: -1}
		}
		if len(children) == 1 {
			return plan.Statistics{Rows: r}
		}
		if r != 0 && rows > (1<<62)/r {
			rows = 1 << 62 // saturate: only the order of magnitude matters
			continue
		}
		rows *= r
	}
	return plan.Statistics{Rows: rows}
}

// fromStatistics answers an aggregate without GROUP BY from its input's
// exact statistics when every aggregate is count(*), count(col) of a
// column whose NULL count is known, or min/max of a column whose extremes
// are known: no row is read. The input must be the scan itself (a filter
// or projection above it would change what the statistics describe); the
// scan's statistics are exact only when every filter it took holds for
// whole partitions (see source.ScanPlan.Statistics). ok is false when
// anything is missing, and the aggregate is planned as usual.
func fromStatistics(n *logical.Aggregate, in plan.ExecutionPlan) (plan.ExecutionPlan, bool) {
	if len(n.GroupBy) != 0 || len(n.Aggs) == 0 {
		return nil, false
	}
	// Statistics can cost a pass over every partition's ranges: ask for
	// them only when every aggregate is of a kind they can answer.
	for _, a := range n.Aggs {
		if !statisticsMayAnswer(a) {
			return nil, false
		}
	}
	sp, ok := in.(plan.StatisticsProvider)
	if !ok {
		return nil, false
	}
	st := sp.Statistics()
	if !st.Exact || st.Rows < 0 {
		return nil, false
	}
	fields := make([]arrow.Field, len(n.Aggs))
	values := make([]expr.Scalar, len(n.Aggs))
	for i, a := range n.Aggs {
		v, ok := aggregateFromStatistics(a, st)
		if !ok || (a.Type != nil && !arrow.TypeEqual(a.Type, v.Type)) {
			return nil, false
		}
		values[i] = v
		fields[i] = arrow.Field{Name: n.AggNames[i], Type: v.Type, Nullable: a.Func != expr.AggCount}
	}
	exec, err := physical.NewStatistics(arrow.NewSchema(fields, nil), values, in.Name())
	if err != nil {
		return nil, false
	}
	return exec, true
}

// statisticsMayAnswer reports whether a is count(*), count, min or max of
// a column (count without DISTINCT): the aggregates exact statistics
// can answer.
func statisticsMayAnswer(a *expr.Aggregate) bool {
	if a.Func == expr.AggCount && a.Arg == nil {
		return true
	}
	if _, ok := a.Arg.(*expr.Column); !ok {
		return false
	}
	switch a.Func {
	case expr.AggCount:
		return !a.Distinct
	case expr.AggMin, expr.AggMax:
		return true
	}
	return false
}

func aggregateFromStatistics(a *expr.Aggregate, st plan.Statistics) (expr.Scalar, bool) {
	if a.Func == expr.AggCount && a.Arg == nil {
		return expr.Int64(st.Rows), true
	}
	col, ok := a.Arg.(*expr.Column)
	if !ok {
		return expr.Scalar{}, false
	}
	cs, ok := st.Columns[col.Name]
	if !ok {
		return expr.Scalar{}, false
	}
	switch a.Func {
	case expr.AggCount:
		if a.Distinct || cs.NullCount < 0 {
			return expr.Scalar{}, false
		}
		return expr.Int64(st.Rows - cs.NullCount), true
	case expr.AggMin, expr.AggMax:
		if st.Rows == 0 || cs.NullCount == st.Rows {
			return expr.Null(col.Type), true // no non-NULL value: the answer is NULL
		}
		v := cs.Min
		if a.Func == expr.AggMax {
			v = cs.Max
		}
		if v.Null || v.Value == nil || !arrow.TypeEqual(v.Type, col.Type) {
			return expr.Scalar{}, false
		}
		return v, true
	}
	return expr.Scalar{}, false
}
