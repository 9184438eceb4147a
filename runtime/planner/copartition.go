package planner

import (
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Co-partitioned joins.
//
// Two inputs are compatible, and a join runs partition i against
// partition i without repartitioning, when all of this holds:
//
//   - both declare KeyPartitioning (Properties) with the same number of
//     partitions, more than one;
//   - their key columns pair up through the join keys: the j-th key
//     column of the left input and the j-th key column of the right input
//     are the two sides of one equality key (plain columns), for every j;
//     so the partition keys are a subset of the join keys;
//   - every partition i of both inputs declares, through
//     plan.PartitionBounds, the one value of each key column its rows hold
//     (a ColumnBound with Key set), and partition i of the left input
//     declares the same values as partition i of the right input.
//
// Then every pair of matching rows, holding equal values of the partition
// keys, is in partitions of the same index. Partition counts or
// declarations that differ (one side pruned to fewer partitions, a
// provider that does not declare its key values, hash-partitioned tables
// whose partitions hold many keys) fall back to repartitioning. The
// declarations are read through operators that keep rows in their
// partitions (filters and projections, following renames).
func coPartitioned(left, right plan.ExecutionPlan, lk, rk []expr.Expr) bool {
	lp, rp := left.Properties(), right.Properties()
	if lp.Partitioning.Kind != plan.KeyPartitioning || rp.Partitioning.Kind != plan.KeyPartitioning ||
		lp.Partitions != rp.Partitions || lp.Partitions < 2 ||
		len(lp.Partitioning.Columns) != len(rp.Partitioning.Columns) || len(lp.Partitioning.Columns) == 0 {
		return false
	}
	pair := map[string]string{}
	for i := range lk {
		lc, lok := lk[i].(*expr.Column)
		rc, rok := rk[i].(*expr.Column)
		if lok && rok {
			pair[lc.Name] = rc.Name
		}
	}
	for j, c := range lp.Partitioning.Columns {
		if pair[c] != rp.Partitioning.Columns[j] {
			return false
		}
	}
	lb, ok := boundsOf(left)
	if !ok {
		return false
	}
	rb, ok := boundsOf(right)
	if !ok {
		return false
	}
	for i := range lp.Partitions {
		lv, ok := keyValues(lb, i, lp.Partitioning.Columns)
		if !ok {
			return false
		}
		rv, ok := keyValues(rb, i, rp.Partitioning.Columns)
		if !ok {
			return false
		}
		for j := range lv {
			if !sameKey(lv[j], rv[j]) {
				return false
			}
		}
	}
	return true
}

// sameKey compares two declared key values: NULL only equals NULL.
func sameKey(a, b expr.Scalar) bool {
	if plan.Unset(a) || plan.Unset(b) {
		return plan.Unset(a) && plan.Unset(b)
	}
	return expr.Equal(a, b)
}

// partitionBounds reads the declarations of a plan's partitions under the
// names the plan outputs.
type partitionBounds struct {
	pb     plan.PartitionBounds
	rename map[string]string // output name -> the declaring plan's name
}

// boundsOf finds the plan declaring p's partitions, through filters and
// projections (which keep every row in its partition).
func boundsOf(p plan.ExecutionPlan) (partitionBounds, bool) {
	var rename map[string]string // nil: names are unchanged so far
	for {
		if pb, ok := p.(plan.PartitionBounds); ok {
			return partitionBounds{pb: pb, rename: rename}, true
		}
		switch x := p.(type) {
		case *physical.FilterExec:
			p = x.Children()[0]
		case *physical.ProjectionExec:
			fields := x.Schema().Fields()
			below := map[string]string{} // this projection's output -> its input
			for i, e := range x.Exprs() {
				if c, ok := e.(*expr.Column); ok {
					below[fields[i].Name] = c.Name
				}
			}
			next := map[string]string{}
			if rename == nil {
				next = below
			} else {
				for top, mid := range rename {
					if b, ok := below[mid]; ok {
						next[top] = b
					}
				}
			}
			rename = next
			p = x.Children()[0]
		default:
			return partitionBounds{}, false
		}
	}
}

// keyValues returns the declared values of cols (output names) in
// partition i.
func keyValues(b partitionBounds, i int, cols []string) ([]expr.Scalar, bool) {
	bounds, ok := b.pb.PartitionBounds(i)
	if !ok {
		return nil, false
	}
	out := make([]expr.Scalar, len(cols))
	for j, c := range cols {
		name := c
		if b.rename != nil {
			n, ok := b.rename[c]
			if !ok {
				return nil, false
			}
			name = n
		}
		found := false
		for _, cb := range bounds {
			if cb.Column == name && cb.Key {
				out[j], found = cb.Min, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return out, true
}
