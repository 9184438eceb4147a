package planner

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Eager aggregation (Yan and Larson's "group-by before join"): the star
// query
//
//	SELECT d.attr, count(*), sum(f.x) FROM fact f JOIN dim d ON f.k = d.k GROUP BY d.attr
//
// aggregates every fact row after the join, which first probes the hash
// table and gathers d.attr (a string, say) for every fact row and then
// groups them by it. Grouping the fact rows by their join key first,
//
//	SELECT d.attr, sum(c), sum(s)
//	FROM (SELECT f.k, count(*) AS c, sum(f.x) AS s FROM fact f GROUP BY f.k) p
//	JOIN dim d ON p.k = d.k GROUP BY d.attr
//
// gives the same answer (each fact row still meets every dimension row it
// met, inside its key's partial row) with the per-row work done by the
// typed grouper on the key, and a join of as many rows as the fact table
// has distinct keys. When the dimension is small (its statistics say at
// most eagerAggregateMaxRows rows), a foreign key into it has at most
// that many distinct values, so the partial aggregate is small too.
//
// The rewrite applies to an aggregate directly over an inner equi-join
// without a residual condition, whose group keys read only the join's
// right side and whose aggregates (count, sum, min, max, not DISTINCT)
// read only its left side, when the partial results re-aggregate to the
// same types.

// eagerAggregateMaxRows is the largest right side eager aggregation
// trusts to keep the partial aggregate small.
const eagerAggregateMaxRows = 100_000

// aggregateBeforeJoins applies eager aggregation wherever it is allowed.
func aggregateBeforeJoins(p logical.Plan) (logical.Plan, error) {
	return transformUp(p, func(n logical.Plan) (logical.Plan, error) {
		if a, ok := n.(*logical.Aggregate); ok {
			if rewritten, ok := eagerAggregate(a); ok {
				return rewritten, nil
			}
		}
		return n, nil
	})
}

func eagerAggregate(a *logical.Aggregate) (logical.Plan, bool) {
	j, ok := a.Input.(*logical.Join)
	if !ok || j.Type != plan.InnerJoin || j.Filter != nil || len(j.Keys) == 0 || len(a.GroupBy) == 0 {
		return nil, false
	}
	if rows := logicalRows(j.Right); rows < 0 || rows > eagerAggregateMaxRows {
		return nil, false
	}
	left, right := namesOf(j.Left.Schema()), namesOf(j.Right.Schema())
	for _, g := range a.GroupBy {
		if !readsOnly(g, right) {
			return nil, false
		}
	}
	partial := &logical.Aggregate{Input: j.Left}
	for i, k := range j.Keys {
		if !readsOnly(k.Left, left) {
			return nil, false
		}
		partial.GroupBy = append(partial.GroupBy, k.Left)
		partial.GroupNames = append(partial.GroupNames, "#eager_key"+strconv.Itoa(i+1))
	}
	final := &logical.Aggregate{GroupBy: a.GroupBy, GroupNames: a.GroupNames, AggNames: a.AggNames}
	for i, ag := range a.Aggs {
		if ag.Distinct || ag.Func == expr.AggAvg || ag.Arg != nil && !readsOnly(ag.Arg, left) {
			return nil, false
		}
		name := "#eager_agg" + strconv.Itoa(i+1)
		partial.Aggs = append(partial.Aggs, ag)
		partial.AggNames = append(partial.AggNames, name)
		merge := expr.AggSum // counts and sums add up
		if ag.Func == expr.AggMin || ag.Func == expr.AggMax {
			merge = ag.Func
		}
		out := &expr.Aggregate{Func: merge, Arg: &expr.Column{Name: name, Type: ag.Type}, Type: ag.Type}
		if merge == expr.AggSum && !sumKeepsType(ag.Type) {
			return nil, false
		}
		final.Aggs = append(final.Aggs, out)
	}
	join := &logical.Join{Left: partial, Right: j.Right, Type: plan.InnerJoin}
	for i, k := range j.Keys {
		join.Keys = append(join.Keys, logical.JoinKey{
			Left:  &expr.Column{Name: partial.GroupNames[i], Type: k.Left.DataType()},
			Right: k.Right,
		})
	}
	final.Input = join
	return final, true
}

// sumKeepsType reports whether sum over values of t has type t, so that
// summing partial counts and sums gives the original aggregate's type:
// bigint and double precision sums do, numeric(38, s) too; an unsigned
// bigint sum is numeric.
func sumKeepsType(t arrow.DataType) bool {
	switch t := t.(type) {
	case *arrow.Int64Type, *arrow.Float64Type:
		return true
	case *arrow.Decimal128Type:
		return t.Precision == 38
	}
	return false
}

// readsOnly reports whether e reads columns, all of them in names.
func readsOnly(e expr.Expr, names nameSet) bool {
	cols := expr.Columns(e)
	for _, c := range cols {
		if !names[c] {
			return false
		}
	}
	return len(cols) > 0
}

// logicalRows is the row count a table's statistics give for p, a scan
// under projections and filters (which keep at most as many rows), or -1
// when unknown.
func logicalRows(p logical.Plan) int64 {
	switch n := p.(type) {
	case *logical.Projection:
		return logicalRows(n.Input)
	case *logical.Filter:
		return logicalRows(n.Input)
	case *logical.Scan:
		if sp, ok := n.Provider.(plan.StatisticsProvider); ok {
			if s := sp.Statistics(); s.Rows >= 0 {
				return s.Rows
			}
		}
	}
	return -1
}
