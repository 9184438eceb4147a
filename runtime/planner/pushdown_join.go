package planner

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Filters and joins.
//
// rewriteJoin decides, for every conjunct of a WHERE above a join and of
// the join's own ON condition, where it may be evaluated without changing
// the result:
//
//   - a WHERE conjunct on one input's columns goes into that input unless
//     the join supplies NULLs for that input's unmatched rows (the right of
//     a LEFT JOIN): there it would keep rows the WHERE removes;
//   - an ON conjunct on one input's columns goes into that input unless
//     the join preserves that input (the left of a LEFT JOIN keeps rows
//     for which ON is false); a semi join's left input may take one, since
//     a left row failing it never matches;
//   - a WHERE conjunct on both inputs of an inner join joins its ON;
//   - ON equalities between an expression of each input become the join's
//     keys, what is left its residual filter.
//
// Join-key domains: a conjunct pushed into one input that reads only one
// plain key column is also given, rewritten to the paired key column, to
// the other input when that input's unmatched rows are not output. It
// removes only rows that cannot match: a row matching one that satisfies
// the conjunct holds the same key value. So `events e JOIN regions r ON
// e.region = r.name WHERE r.name IN ('a', 'b')` also pushes `region IN
// ('a', 'b')` into the events scan, which prunes its partitions.

type side int

const (
	noSide side = iota
	leftSide
	rightSide
	bothSides
)

func sideOf(e expr.Expr, left, right nameSet) side {
	s := noSide
	for _, c := range expr.Columns(e) {
		switch {
		case left[c]:
			if s == rightSide {
				return bothSides
			}
			s = leftSide
		case right[c]:
			if s == leftSide {
				return bothSides
			}
			s = rightSide
		default:
			return bothSides // an outer reference: keep it where it is
		}
	}
	return s
}

func evaluable(e expr.Expr) bool {
	ok := true
	expr.Walk(e, func(x expr.Expr) bool {
		switch x.(type) {
		case *expr.Aggregate, *expr.Param:
			ok = false
		}
		return ok
	})
	return ok
}

// rewriteJoin places the conjuncts above (a WHERE directly over j) and j's
// own condition, and returns the rewritten join under what must stay above.
func rewriteJoin(j *logical.Join, above []expr.Expr) (logical.Plan, error) {
	left, right := namesOf(j.Left.Schema()), namesOf(j.Right.Schema())
	jt := j.Type
	var toLeft, toRight, stay, on []expr.Expr
	for _, c := range above {
		if !evaluable(c) {
			stay = append(stay, c)
			continue
		}
		switch sideOf(c, left, right) {
		case leftSide:
			if jt.PreservesRight() {
				stay = append(stay, c)
			} else {
				toLeft = append(toLeft, c)
			}
		case rightSide:
			if jt.PreservesLeft() || !jt.OutputsRight() {
				stay = append(stay, c)
			} else {
				toRight = append(toRight, c)
			}
		case bothSides:
			if jt == plan.InnerJoin {
				on = append(on, c)
			} else {
				stay = append(stay, c)
			}
		default:
			stay = append(stay, c)
		}
	}
	var residual []expr.Expr
	if j.Filter != nil {
		for _, c := range expr.SplitConjunction(j.Filter) {
			if !evaluable(c) {
				residual = append(residual, c)
				continue
			}
			switch sideOf(c, left, right) {
			case leftSide:
				if jt == plan.InnerJoin || jt == plan.RightJoin || jt == plan.LeftSemiJoin {
					toLeft = append(toLeft, c)
					continue
				}
			case rightSide:
				if jt == plan.InnerJoin || jt == plan.LeftJoin || jt == plan.LeftSemiJoin || jt == plan.LeftAntiJoin {
					toRight = append(toRight, c)
					continue
				}
			}
			on = append(on, c)
		}
	}
	keys := append([]logical.JoinKey(nil), j.Keys...)
	for _, c := range on {
		if k, ok := equiKey(c, left, right); ok {
			keys = append(keys, k)
			continue
		}
		residual = append(residual, c)
	}
	// Key domains.
	leftTakes := jt == plan.InnerJoin || jt == plan.RightJoin || jt == plan.LeftSemiJoin
	rightTakes := jt == plan.InnerJoin || jt == plan.LeftJoin || jt == plan.LeftSemiJoin || jt == plan.LeftAntiJoin
	var extraLeft, extraRight []expr.Expr
	for _, k := range keys {
		lc, lok := k.Left.(*expr.Column)
		rc, rok := k.Right.(*expr.Column)
		if !lok || !rok || !arrow.TypeEqual(lc.Type, rc.Type) {
			continue
		}
		if rightTakes {
			extraRight = append(extraRight, transfer(toLeft, lc, rc)...)
		}
		if leftTakes {
			extraLeft = append(extraLeft, transfer(toRight, rc, lc)...)
		}
	}
	toLeft = appendNew(toLeft, extraLeft)
	toRight = appendNew(toRight, extraRight)
	out := &logical.Join{Left: j.Left, Right: j.Right, Type: jt, Keys: keys}
	if len(residual) > 0 {
		out.Filter = expr.Conjunction(residual)
	}
	var err error
	if len(toLeft) > 0 {
		if out.Left, err = pushConjuncts(j.Left, toLeft); err != nil {
			return nil, err
		}
	}
	if len(toRight) > 0 {
		if out.Right, err = pushConjuncts(j.Right, toRight); err != nil {
			return nil, err
		}
	}
	return rebuildFilter(out, stay), nil
}

// equiKey recognises `l = r` with l over the left input and r over the
// right (or the other way round), both reading some column.
func equiKey(c expr.Expr, left, right nameSet) (logical.JoinKey, bool) {
	b, ok := c.(*expr.Binary)
	if !ok || b.Op != expr.OpEq || !arrow.TypeEqual(b.L.DataType(), b.R.DataType()) || b.L.DataType().ID() == arrow.NULL {
		return logical.JoinKey{}, false
	}
	ls, rs := sideOf(b.L, left, right), sideOf(b.R, left, right)
	switch {
	case ls == leftSide && rs == rightSide:
		return logical.JoinKey{Left: b.L, Right: b.R}, true
	case ls == rightSide && rs == leftSide:
		return logical.JoinKey{Left: b.R, Right: b.L}, true
	}
	return logical.JoinKey{}, false
}

// transfer rewrites the conjuncts that read only column from (and no
// other column) to read to instead.
func transfer(conjuncts []expr.Expr, from, to *expr.Column) []expr.Expr {
	var out []expr.Expr
	for _, c := range conjuncts {
		cols := expr.Columns(c)
		if len(cols) != 1 || cols[0] != from.Name {
			continue
		}
		m, err := substitute(c, map[string]expr.Expr{from.Name: to})
		if err == nil {
			out = append(out, m)
		}
	}
	return out
}

// appendNew appends the conjuncts of extra not already in list.
func appendNew(list, extra []expr.Expr) []expr.Expr {
	seen := map[string]bool{}
	for _, c := range list {
		seen[c.String()] = true
	}
	for _, c := range extra {
		if !seen[c.String()] {
			seen[c.String()] = true
			list = append(list, c)
		}
	}
	return list
}

// substitute replaces column references by the expressions of repl.
func substitute(e expr.Expr, repl map[string]expr.Expr) (expr.Expr, error) {
	if c, ok := e.(*expr.Column); ok {
		if r, ok := repl[c.Name]; ok {
			return r, nil
		}
		return c, nil
	}
	kids := e.Children()
	if len(kids) == 0 {
		return e, nil
	}
	mapped := make([]expr.Expr, len(kids))
	changed := false
	for i, k := range kids {
		m, err := substitute(k, repl)
		if err != nil {
			return nil, err
		}
		mapped[i] = m
		changed = changed || m != k
	}
	if !changed {
		return e, nil
	}
	return expr.WithChildren(e, mapped)
}
