package planner

import (
	"fmt"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/physical"
)

// window plans a logical.Window. WindowExec needs every window partition
// inside one input partition and each input partition in the window's
// ORDER BY order; the planner adds only what the input does not already
// provide:
//
//   - PARTITION BY keys: nothing when the input is key-partitioned on a
//     subset of them (a table declared partitioned by region answers
//     PARTITION BY region as it is), a RepartitionExec on the keys
//     otherwise;
//   - no PARTITION BY: the rows are brought into one partition, merged in
//     window order when the partitions are sorted;
//   - ORDER BY: nothing when the input's ordering (a table's declared
//     ordering, or a sort below) satisfies it, a per-partition SortExec
//     otherwise. Window partitions need not be contiguous (WindowExec
//     groups rows by key itself), so sorting by the ORDER BY alone is
//     enough.
func (pp *physicalPlanner) window(n *logical.Window) (planned, error) {
	spec := n.Funcs[0]
	keys := make([]logical.SortExpr, len(spec.OrderBy))
	for i, o := range spec.OrderBy {
		keys[i] = logical.SortExpr{Expr: o.Expr, Descending: o.Descending, NullsFirst: o.NullsFirst}
	}
	var in planned
	var err error
	if len(spec.PartitionBy) == 0 && len(keys) > 0 {
		in, err = pp.sort(&logical.Sort{Input: n.Input, Keys: keys}, -1)
	} else {
		in, err = pp.plan(n.Input)
	}
	if err != nil {
		return planned{}, err
	}
	for _, f := range n.Funcs {
		if err := checkRefs(in.names, f.String(), f.Children()...); err != nil {
			return planned{}, err
		}
	}
	exec := in.exec
	props := exec.Properties()
	if props.Unbounded {
		return planned{}, fmt.Errorf("cannot compute window functions over an unbounded input (%s)", exec.Name())
	}
	ordering := in.ordering
	sortKeys := make([]physical.SortExpr, len(keys))
	for i, k := range keys {
		sortKeys[i] = physical.SortExpr{Expr: k.Expr, Descending: k.Descending, NullsFirst: k.NullsFirst}
	}
	switch {
	case len(spec.PartitionBy) == 0:
		if props.Partitions > 1 { // no ORDER BY either: any one partition will do
			exec, ordering = physical.NewCoalescePartitions(exec), nil
		}
	default:
		if props.Partitions > 1 && !physical.PartitionedOn(props.Partitioning, exec.Schema(), spec.PartitionBy) {
			if exec, err = physical.NewRepartition(exec, spec.PartitionBy, pp.targetPartitions); err != nil {
				return planned{}, err
			}
			ordering = nil
		}
		if len(keys) > 0 && !orderingSatisfies(ordering, keys, nonNullColumns(in)) {
			if exec, err = physical.NewSort(exec, sortKeys, -1, true); err != nil {
				return planned{}, err
			}
			ordering = sortOrdering(keys)
		}
	}
	funcs := make([]physical.WindowExpr, len(n.Funcs))
	for i, f := range n.Funcs {
		funcs[i] = physical.WindowExpr{Func: f.Func, Args: f.Args, Frame: f.Frame, Name: n.Names[i], Type: f.Type}
	}
	w, err := physical.NewWindow(exec, spec.PartitionBy, sortKeys, funcs)
	if err != nil {
		return planned{}, err
	}
	names := in.names
	if names.visible != nil {
		names.visible = append(append([]string(nil), names.visible...), n.Names...)
	}
	return planned{exec: w, ordering: ordering, names: names, nonNull: in.nonNull}, nil
}

// pushThroughWindow pushes below a Window the conjuncts that read only
// its PARTITION BY columns: they keep or drop whole window partitions, so
// every remaining row sees the same partition and the same function
// values. Any other conjunct would change what the functions see and
// stays above.
func pushThroughWindow(n *logical.Window, conjuncts []expr.Expr) (logical.Plan, error) {
	keys := map[string]bool{}
	for _, k := range n.Funcs[0].PartitionBy {
		if c, ok := k.(*expr.Column); ok {
			keys[c.Name] = true
		}
	}
	var below, above []expr.Expr
	for _, c := range conjuncts {
		cols := expr.Columns(c)
		ok := len(cols) > 0
		for _, name := range cols {
			ok = ok && keys[name]
		}
		if ok {
			below = append(below, c)
		} else {
			above = append(above, c)
		}
	}
	if len(below) == 0 {
		return rebuildFilter(n, conjuncts), nil
	}
	in, err := pushConjuncts(n.Input, below)
	if err != nil {
		return nil, err
	}
	c := *n
	c.Input = in
	return rebuildFilter(&c, above), nil
}

// windowChildNeeds is what a Window needs of its input to output the
// columns in required: those of required it passes through, and every
// column its functions read.
func windowChildNeeds(n *logical.Window, required nameSet) nameSet {
	outputs := map[string]bool{}
	for _, name := range n.Names {
		outputs[name] = true
	}
	needs := nameSet{}
	for name := range required {
		if !outputs[name] {
			needs[name] = true
		}
	}
	for _, f := range n.Funcs {
		needs = needs.with(f.Children()...)
	}
	return needs
}
