package sql

import (
	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

// Correlated scalar subqueries.
//
// (SELECT agg(...) FROM t WHERE t.k = o.k AND <local>) evaluates an
// aggregate over the rows of t matching each outer row. It is
// decorrelated, as DuckDB and DataFusion do, into a LEFT JOIN of the outer
// query with
//
//	SELECT t.k, agg(...) AS v, true AS m FROM t WHERE <local> GROUP BY t.k
//
// on o.k = t.k: every key has at most one row, so the join keeps one row
// per outer row, and a NULL or unmatched key finds none. An outer row
// without a match must see the aggregate of no rows, which is not NULL
// for every expression (count(*) is 0, count(*) + 1 is 1): that value is
// computed at bind time, and the subquery's value is
// CASE WHEN m IS NULL THEN <value over no rows> ELSE v END.
//
// Only equality correlations in the subquery's WHERE can be decorrelated
// this way, and the subquery must aggregate (so that it returns one row);
// anything else is an error naming it.

// correlatableScalar reports whether sel has the shape decorrelation
// handles: one select-list entry over a FROM, without GROUP BY, HAVING,
// DISTINCT, ORDER BY, LIMIT, WITH or a set operation. (Whether it
// aggregates is checked once it is bound, so that a correlated subquery
// that does not gets an error saying so.)
func correlatableScalar(sel *pg.SelectStmt) bool {
	return len(sel.TargetList) == 1 && len(sel.FromClause) > 0 &&
		len(sel.GroupClause) == 0 && sel.HavingClause == nil && len(sel.DistinctClause) == 0 &&
		sel.LimitCount == nil && sel.LimitOffset == nil && len(sel.SortClause) == 0 && sel.WithClause == nil &&
		len(sel.WindowClause) == 0 &&
		(sel.Op == pg.SetOperation_SET_OPERATION_UNDEFINED || sel.Op == pg.SetOperation_SETOP_NONE)
}

// bindCorrelatedScalar binds sel as a correlated scalar subquery. ok is
// false when sel does not refer to the query around it after all (the
// caller then reports its own error).
func (b *binder) bindCorrelatedScalar(sel *pg.SelectStmt, pos int) (out bound, ok bool, err error) {
	saved := b.save()
	clause := b.clause
	b.inAgg, b.sawAgg, b.sawWindow, b.windows, b.scalars = false, false, false, nil, nil
	input, err := b.bindFrom(sel.FromClause, pos)
	if err != nil {
		b.restore(saved)
		return bound{}, false, err
	}
	var inner, keys, outerKeys []expr.Expr
	if sel.WhereClause != nil {
		b.clause, b.aggAllowed = "WHERE", false
		for _, c := range conjunctsOf(sel.WhereClause) {
			b.outerRefs = nil
			p, err := b.bindPredicate(c, "WHERE")
			if err != nil {
				b.restore(saved)
				return bound{}, false, err
			}
			if len(b.outerRefs) == 0 {
				inner = append(inner, p)
				continue
			}
			k, o, good := correlationKey(p, b.outerRefs)
			if !good {
				b.restore(saved)
				return bound{}, true, b.unsupported(nodeLocation(c), "a correlated scalar subquery compared with the query around it other than by equality")
			}
			keys, outerKeys = append(keys, k), append(outerKeys, o)
		}
	}
	if len(keys) == 0 {
		b.restore(saved)
		return bound{}, false, nil
	}
	input = b.attachScalars(input, func(scalarSub) bool { return true })
	if len(inner) > 0 {
		input = &logical.Filter{Input: input, Predicate: expr.Conjunction(inner)}
	}
	rt := sel.TargetList[0].GetResTarget()
	b.clause, b.aggAllowed = "SELECT", true
	b.outerRefs = nil
	x, err := b.bindExpr(rt.Val)
	if err == nil && len(b.outerRefs) > 0 {
		err = b.unsupported(x.pos, "a correlated subquery whose select list refers to the query around it")
	}
	if err == nil && b.sawWindow {
		err = b.unsupported(x.pos, "window functions in a correlated subquery")
	}
	var e expr.Expr
	if err == nil {
		e, err = b.finish(x)
	}
	if err == nil && !b.sawAgg {
		err = b.unsupported(x.pos, "a correlated scalar subquery without an aggregate")
	}
	if err != nil {
		b.restore(saved)
		return bound{}, true, err
	}
	agg, outs := buildAggregate(input, keys, []item{{e: e}}, nil)
	value, err := b.toAggOutput(e, outs)
	if err != nil {
		b.restore(saved)
		return bound{}, true, err
	}
	empty, err := valueOverNoRows(e)
	if err != nil {
		b.restore(saved)
		return bound{}, true, b.errorf(x.pos, "%v", err)
	}
	b.restore(saved)

	valueName, matchName := b.freshName("scalar"), b.freshName("matched")
	proj := &logical.Projection{Input: agg}
	var on []expr.Expr
	for i, k := range keys {
		kc, err := b.toAggOutput(k, outs)
		if err != nil {
			return bound{}, true, err
		}
		name := b.freshName("key")
		proj.Exprs, proj.Names = append(proj.Exprs, kc), append(proj.Names, name)
		on = append(on, &expr.Binary{Op: expr.OpEq, L: outerKeys[i], R: &expr.Column{Name: name, Type: kc.DataType()}, Type: arrow.FixedWidthTypes.Boolean})
	}
	proj.Exprs = append(proj.Exprs, value, &expr.Literal{Value: expr.Bool(true)})
	proj.Names = append(proj.Names, valueName, matchName)
	b.scalars = append(b.scalars, scalarSub{plan: proj, column: valueName, clause: clause, on: expr.Conjunction(on), pos: pos})

	col := &expr.Column{Name: valueName, Type: e.DataType()}
	b.colPos[col] = pos
	b.visible[valueName] = e.String()
	b.scalarCols[valueName] = true
	var result expr.Expr = col
	if !empty.Null {
		matched := &expr.Column{Name: matchName, Type: arrow.FixedWidthTypes.Boolean}
		b.scalarCols[matchName] = true
		result = &expr.Case{Whens: []expr.When{{Cond: &expr.IsNull{E: matched}, Result: &expr.Literal{Value: empty}}}, Else: col, Type: e.DataType()}
		b.exprNames[result] = e.String()
	}
	return bound{e: result, pos: pos}, true, nil
}

// correlationKey splits `inner = outer` (either way round) into the side
// over the subquery's columns and the side over the enclosing query's.
func correlationKey(p expr.Expr, outer map[string]int) (innerSide, outerSide expr.Expr, ok bool) {
	bin, isEq := p.(*expr.Binary)
	if !isEq || bin.Op != expr.OpEq {
		return nil, nil, false
	}
	reads := func(e expr.Expr) (in, out int) {
		for _, c := range expr.Columns(e) {
			if _, o := outer[c]; o {
				out++
			} else {
				in++
			}
		}
		return in, out
	}
	li, lo := reads(bin.L)
	ri, ro := reads(bin.R)
	switch {
	case li > 0 && lo == 0 && ro > 0 && ri == 0:
		return bin.L, bin.R, true
	case ri > 0 && ro == 0 && lo > 0 && li == 0:
		return bin.R, bin.L, true
	}
	return nil, nil, false
}

// valueOverNoRows evaluates e, an expression over aggregates, for an
// empty input: count is 0 and every other aggregate NULL.
func valueOverNoRows(e expr.Expr) (expr.Scalar, error) {
	c, err := mapExpr(e, func(x expr.Expr) (expr.Expr, error) {
		if a, ok := x.(*expr.Aggregate); ok {
			if a.Func == expr.AggCount {
				return &expr.Literal{Value: expr.Int64(0)}, nil
			}
			return &expr.Literal{Value: expr.Null(a.Type)}, nil
		}
		return x, nil
	})
	if err != nil {
		return expr.Scalar{}, err
	}
	return expr.EvalScalar(c)
}
