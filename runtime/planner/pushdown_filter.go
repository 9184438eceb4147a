package planner

import (
	"fmt"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// pushDownFilters offers every WHERE conjunct that only refers to a scan's
// columns to its provider. Conjuncts answered Exact or Inexact go into
// Scan.Filters; Inexact and Unsupported ones (and those that cannot be
// offered) stay in a Filter above the scan, which disappears when the
// provider took everything exactly.
func pushDownFilters(p logical.Plan) (logical.Plan, error) {
	return transformUp(p, func(n logical.Plan) (logical.Plan, error) {
		f, ok := n.(*logical.Filter)
		if !ok {
			return n, nil
		}
		// Stacked filters are one conjunction; merging them lets the
		// provider see every conjunct at once.
		conjuncts := expr.SplitConjunction(f.Predicate)
		in := f.Input
		for {
			inner, ok := in.(*logical.Filter)
			if !ok {
				break
			}
			conjuncts = append(expr.SplitConjunction(inner.Predicate), conjuncts...)
			in = inner.Input
		}
		scan, ok := in.(*logical.Scan)
		if !ok {
			return rebuildFilter(in, conjuncts), nil
		}
		return pushIntoScan(scan, conjuncts)
	})
}

func pushIntoScan(scan *logical.Scan, conjuncts []expr.Expr) (logical.Plan, error) {
	var offered []expr.Expr
	var offeredAt []int
	for i, c := range conjuncts {
		if pushable(c, scan) {
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
