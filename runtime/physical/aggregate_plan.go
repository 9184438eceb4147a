package physical

import (
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// PlanAggregate builds the cheapest correct aggregation of input:
//
//   - one phase per partition (SinglePartitioned) when the input is key-
//     or range-partitioned on columns that are all plain GROUP BY columns
//     (range only on a non-nullable column, since NULLs may be in any
//     partition): no group spans two partitions;
//   - Single when the input has one partition;
//   - otherwise Partial -> RepartitionExec(hash of the group keys,
//     targetPartitions) -> Final, or Partial -> Coalesce -> Final without
//     GROUP BY. count(DISTINCT) cannot be split into partial states, so
//     then the raw rows are repartitioned by the group keys and aggregated
//     SinglePartitioned (or coalesced and aggregated Single without
//     GROUP BY).
//
// The output has the group columns then the aggregates, in order, named
// by groupNames and AggregateExpr.Name. targetPartitions <= 0 means
// GOMAXPROCS.
func PlanAggregate(input plan.ExecutionPlan, groupBy []expr.Expr, groupNames []string, aggs []AggregateExpr, targetPartitions int) (plan.ExecutionPlan, error) {
	if targetPartitions <= 0 {
		targetPartitions = runtime.GOMAXPROCS(0)
	}
	props := input.Properties()
	if targetPartitions > 1 && props.Partitions > 1 {
		// A small input is read by one goroutine (see fanIn.workers), so
		// it is aggregated by one too.
		targetPartitions = min(targetPartitions, workersFor(input))
	}
	if props.Partitions <= 1 {
		return NewHashAggregate(AggregateSingle, input, groupBy, groupNames, aggs)
	}
	if len(groupBy) > 0 && partitionedOnGroupKeys(props.Partitioning, input.Schema(), groupBy) {
		return NewHashAggregate(AggregateSinglePartitioned, input, groupBy, groupNames, aggs)
	}
	distinct := false
	for _, a := range aggs {
		distinct = distinct || (a.Distinct && a.Func != expr.AggMin && a.Func != expr.AggMax)
	}
	switch {
	case targetPartitions == 1 && independentPartitions(input):
		// One core: the partitions are read one after another on the
		// aggregate's goroutine (see fanIn.Push), so a partial aggregate
		// per partition and a final one merging them only add work.
		return NewHashAggregate(AggregateSingle, NewCoalescePartitions(input), groupBy, groupNames, aggs)
	case distinct && len(groupBy) == 0:
		return NewHashAggregate(AggregateSingle, NewCoalescePartitions(input), groupBy, groupNames, aggs)
	case distinct:
		rep, err := NewRepartition(input, groupBy, targetPartitions)
		if err != nil {
			return nil, err
		}
		return NewHashAggregate(AggregateSinglePartitioned, rep, groupBy, groupNames, aggs)
	}
	var partialInput plan.ExecutionPlan = input
	var err error
	if props.Partitions > targetPartitions && independentPartitions(input) {
		// One partial state per core, not per input partition: fewer
		// partial results to hand over and merge (see SharePartitionsExec).
		if partialInput, err = NewSharePartitions(input, targetPartitions); err != nil {
			return nil, err
		}
	}
	partial, err := NewHashAggregate(AggregatePartial, partialInput, groupBy, groupNames, aggs)
	if err != nil {
		return nil, err
	}
	var mid plan.ExecutionPlan
	if len(groupBy) == 0 {
		mid = NewCoalescePartitions(partial)
	} else {
		keys := make([]expr.Expr, len(groupBy))
		for i, n := range groupNames {
			keys[i] = &expr.Column{Name: n, Type: partial.keyTypes[i]}
		}
		if mid, err = NewRepartition(partial, keys, targetPartitions); err != nil {
			return nil, err
		}
	}
	return NewHashAggregate(AggregateFinal, mid, groupBy, groupNames, aggs)
}

// partitionedOnGroupKeys reports whether p promises that rows with equal
// group keys share a partition: its columns are all plain group columns,
// and it keeps equal values together (see groupsTogether).
func partitionedOnGroupKeys(p plan.Partitioning, schema *arrow.Schema, groupBy []expr.Expr) bool {
	if !groupsTogether(p, schema) {
		return false
	}
	cols := map[string]bool{}
	for _, g := range groupBy {
		if c, ok := g.(*expr.Column); ok {
			cols[c.Name] = true
		}
	}
	for _, c := range p.Columns {
		if !cols[c] {
			return false
		}
	}
	return true
}

// groupsTogether reports whether p promises that rows with equal values of
// its columns, NULLs included (GROUP BY puts NULLs in one group), are in
// one partition. Key partitioning does. Range partitioning does only for a
// column without NULLs: NULLs belong to no range and may be in any
// partition.
func groupsTogether(p plan.Partitioning, schema *arrow.Schema) bool {
	if len(p.Columns) == 0 {
		return false
	}
	switch p.Kind {
	case plan.KeyPartitioning:
		return true
	case plan.RangePartitioning:
		for _, c := range p.Columns {
			idx := schema.FieldIndices(c)
			if len(idx) != 1 || schema.Field(idx[0]).Nullable {
				return false
			}
		}
		return true
	}
	return false
}
