package planner

import (
	"fmt"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// pushDownFilters moves every WHERE conjunct as far down as it can go:
// through projections (rewritten in terms of their input), into the
// inputs of joins (see pushdown_join.go), and finally to the provider of a
// scan whose columns it reads. Conjuncts a provider answers Exact or
// Inexact go into Scan.Filters; Inexact and Unsupported ones (and those
// that cannot be offered) stay in a Filter above the scan, which
// disappears when the provider took everything exactly.
func pushDownFilters(p logical.Plan) (logical.Plan, error) {
	return transformUp(p, func(n logical.Plan) (logical.Plan, error) {
		switch x := n.(type) {
		case *logical.Filter:
			return pushConjuncts(x.Input, expr.SplitConjunction(x.Predicate))
		case *logical.Join:
			return rewriteJoin(x, nil)
		}
		return n, nil
	})
}

// pushConjuncts places conjuncts (all TRUE for a row to be kept) over in,
// as deep as each may go. The subtrees of in have been rewritten already.
func pushConjuncts(in logical.Plan, conjuncts []expr.Expr) (logical.Plan, error) {
	switch n := in.(type) {
	case *logical.Filter:
		// Stacked filters are one conjunction; merging them lets the
		// provider see every conjunct at once.
		return pushConjuncts(n.Input, append(expr.SplitConjunction(n.Predicate), conjuncts...))
	case *logical.Scan:
		return pushIntoScan(n, conjuncts)
	case *logical.Join:
		return rewriteJoin(n, conjuncts)
	case *logical.Projection:
		return pushThroughProjection(n, conjuncts)
	case *logical.Window:
		return pushThroughWindow(n, conjuncts)
	}
	return rebuildFilter(in, conjuncts), nil
}

// pushThroughProjection rewrites the conjuncts over the projection's
// input (a column becomes the expression the projection computes for it)
// and pushes them below it. Projections the SQL front end puts over a
// table or subquery to rename its columns are the common case.
func pushThroughProjection(p *logical.Projection, conjuncts []expr.Expr) (logical.Plan, error) {
	repl := make(map[string]expr.Expr, len(p.Exprs))
	dup := map[string]bool{}
	for i, name := range p.Names {
		if _, seen := repl[name]; seen {
			dup[name] = true
		}
		repl[name] = p.Exprs[i]
	}
	var below, above []expr.Expr
	for _, c := range conjuncts {
		ok := evaluable(c)
		for _, col := range expr.Columns(c) {
			if _, known := repl[col]; !known || dup[col] {
				ok = false
			}
		}
		var m expr.Expr
		if ok {
			var err error
			if m, err = substitute(c, repl); err != nil || !evaluable(m) {
				ok = false
			}
		}
		if ok {
			below = append(below, m)
		} else {
			above = append(above, c)
		}
	}
	if len(below) == 0 {
		return rebuildFilter(p, conjuncts), nil
	}
	in, err := pushConjuncts(p.Input, below)
	if err != nil {
		return nil, err
	}
	c := *p
	c.Input = in
	return rebuildFilter(&c, above), nil
}

func pushIntoScan(scan *logical.Scan, conjuncts []expr.Expr) (logical.Plan, error) {
	// A conjunct the scan holds already (pushed by an earlier rewrite,
	// Inexact, so it also stayed above) is not offered twice.
	held := map[string]bool{}
	for _, f := range scan.Filters {
		held[f.String()] = true
	}
	var offered []expr.Expr
	var offeredAt []int
	for i, c := range conjuncts {
		if pushable(c, scan) && !held[c.String()] {
			offered = append(offered, c)
			offeredAt = append(offeredAt, i)
		}
	}
	if len(offered) == 0 {
		return rebuildFilter(scan, conjuncts), nil
	}
	answers, err := supportsFilters(scan, offered)
	if err != nil {
		return nil, err
	}
	taken := make([]bool, len(conjuncts))
	out := copyScan(scan)
	for i, a := range answers {
		switch a {
		case plan.Exact:
			taken[offeredAt[i]] = true
			out.Filters = append(out.Filters, offered[i])
		case plan.Inexact:
			out.Filters = append(out.Filters, offered[i])
		}
	}
	var kept []expr.Expr
	for i, c := range conjuncts {
		if !taken[i] {
			kept = append(kept, c)
		}
	}
	return rebuildFilter(out, kept), nil
}

// supportsFilters asks the provider and checks its answer, so that a buggy
// provider yields an error naming it rather than a wrong plan or a panic.
func supportsFilters(scan *logical.Scan, filters []expr.Expr) (answers []plan.FilterPushdown, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("table %s: SupportsFilters panicked: %v", scan.Table, r)
		}
	}()
	answers, err = scan.Provider.SupportsFilters(filters)
	if err != nil {
		return nil, fmt.Errorf("table %s: SupportsFilters: %w", scan.Table, err)
	}
	if len(answers) != len(filters) {
		return nil, fmt.Errorf("table %s: SupportsFilters returned %d answers for %d filters", scan.Table, len(answers), len(filters))
	}
	for i, a := range answers {
		if a != plan.Exact && a != plan.Inexact && a != plan.Unsupported {
			return nil, fmt.Errorf("table %s: SupportsFilters returned invalid answer %d for filter %s", scan.Table, int(a), filters[i])
		}
	}
	return answers, nil
}

// pushable reports whether c may be offered to the scan's provider: it
// must read at least one column (a constant predicate says nothing about
// the table), every column it reads must be the table's, and it must be
// evaluable (no aggregate, no unbound parameter).
func pushable(c expr.Expr, scan *logical.Scan) bool {
	schema := scan.Provider.Schema()
	cols := 0
	ok := true
	expr.Walk(c, func(e expr.Expr) bool {
		switch x := e.(type) {
		case *expr.Column:
			cols++
			if !schema.HasField(x.Name) {
				ok = false
			}
		case *expr.Aggregate, *expr.Param:
			ok = false
		}
		return ok
	})
	return ok && cols > 0
}

func rebuildFilter(in logical.Plan, conjuncts []expr.Expr) logical.Plan {
	if len(conjuncts) == 0 {
		return in
	}
	return &logical.Filter{Input: in, Predicate: expr.Conjunction(conjuncts)}
}
