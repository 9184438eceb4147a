package planner

import (
	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Ordered concatenation of range partitions.
//
// When the input is range-partitioned on c (every value of c in partition
// i lies below every value in partition i+1) and each partition is already
// ordered by the ORDER BY keys, whose first is c, reading the partitions
// one after another is globally sorted: physical.OrderedConcatExec does
// that instead of a k-way SortPreservingMergeExec, and under LIMIT it
// never opens the partitions it does not reach. For ORDER BY c DESC, each
// partition ordered by c DESC, it reads them in reverse.
//
// NULLs are the catch. Range partitioning promises nothing about rows
// whose c is NULL: they may be in any partition (memtable and generated
// providers both say so). Partitions each sorted c ASC NULLS LAST,
// concatenated, would put NULLs in the middle; NULLS FIRST would put them
// after values of earlier partitions. So the rewrite applies only when c
// provably holds no NULL: its field is non-nullable, or a filter below the
// sort rejects NULL for it (WHERE c > x, c IS NOT NULL). The operator
// still checks every batch and fails rather than misorder rows when a
// provider breaks its non-nullable promise.
//
// Later ORDER BY keys are sound too: ranges are disjoint (verify mode
// checks that no value of c appears in two partitions), so rows tied on c
// all come from one partition, whose ordering already breaks the ties.

// rangeOrdered reports whether the input described by props, whose
// partitions are each ordered by keys (the caller checked), can be
// concatenated in partition order (reversed for a descending first key)
// instead of merged.
func rangeOrdered(props plan.Properties, keys []logical.SortExpr, nonNull func(string) bool) bool {
	if props.Partitions <= 1 || len(keys) == 0 {
		return false
	}
	part := props.Partitioning
	if part.Kind != plan.RangePartitioning || len(part.Columns) != 1 {
		return false
	}
	c, ok := keys[0].Expr.(*expr.Column)
	return ok && c.Name == part.Columns[0] && nonNull(c.Name)
}

// nonNullColumns reports, for in's output, whether a column provably holds
// no NULL: the schema declares it non-nullable (a provider's promise, like
// its ordering) or a filter below guarantees it.
func nonNullColumns(in planned) func(string) bool {
	schema := in.exec.Schema()
	return func(name string) bool {
		if in.nonNull[name] {
			return true
		}
		idx := schema.FieldIndices(name)
		return len(idx) == 1 && !schema.Field(idx[0]).Nullable
	}
}

// filterNonNull adds to have the columns a row passing pred cannot hold
// NULL in: those whose domain (domain.Analyze, which is sound) excludes
// NULL. have is not modified.
func filterNonNull(have map[string]bool, pred expr.Expr) map[string]bool {
	out, copied := have, false
	for c, d := range domain.Analyze(expr.SplitConjunction(pred)) {
		if d.NullAllowed() || out[c] {
			continue
		}
		if !copied {
			out, copied = copyNames(have), true
		}
		out[c] = true
	}
	return out
}

// projectNonNull maps non-NULL columns through a projection that passes
// them through, under their output names.
func projectNonNull(have map[string]bool, exprs []expr.Expr, names []string) map[string]bool {
	var out map[string]bool
	for i, e := range exprs {
		if c, ok := e.(*expr.Column); ok && have[c.Name] {
			if out == nil {
				out = map[string]bool{}
			}
			out[names[i]] = true
		}
	}
	return out
}

func copyNames(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
