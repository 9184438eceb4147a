package sql

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Subqueries in expressions.
//
// A WHERE conjunct (possibly under NOT) that is EXISTS (...), x IN (...)
// or x NOT IN (...) becomes a join of the query's FROM with the subquery:
// EXISTS and IN a semi join, NOT EXISTS an anti join and NOT IN a
// null-aware anti join (PostgreSQL's answers: no row when the subquery
// yields a NULL, every row when it yields none). A subquery may refer to
// the columns of the query around it in its WHERE clause: those
// conjuncts, typically equalities (`u.id = e.user_id`), become the join's
// condition, and the planner turns equalities into hash keys.
//
// A scalar subquery, (SELECT one column ...) anywhere in an expression,
// must not refer to the query around it; it becomes a LeftSingleJoin that
// pairs every row with the subquery's one row (NULL when it has none, an
// error when it has more).

// scalarSub is a bound scalar subquery waiting to be joined in.
type scalarSub struct {
	plan   logical.Plan
	column string
	clause string
	// on joins a decorrelated subquery (see subquery_scalar.go) to the
	// rows of the query around it; nil for an uncorrelated one.
	on  expr.Expr
	pos int
}

// semiForm recognises a WHERE conjunct that is a subquery test, with the
// NOT around it.
func semiForm(n *pg.Node) (*pg.SubLink, bool, bool) {
	negated := false
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_NOT_EXPR && len(be.Args) == 1 {
		n, negated = be.Args[0], true
	}
	sl := n.GetSubLink()
	if sl == nil {
		return nil, false, false
	}
	switch sl.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		return sl, negated, true
	case pg.SubLinkType_ANY_SUBLINK:
		if op := opName(sl.OperName); op == "" || op == "=" {
			return sl, negated, true
		}
	}
	return nil, false, false
}

// conjunctsOf splits a parse tree at its top-level ANDs.
func conjunctsOf(n *pg.Node) []*pg.Node {
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_AND_EXPR {
		var out []*pg.Node
		for _, a := range be.Args {
			out = append(out, conjunctsOf(a)...)
		}
		return out
	}
	return []*pg.Node{n}
}

// bindWhere binds the WHERE clause over input: subquery tests become
// joins of input, the rest the returned predicate (nil when none is left).
func (b *binder) bindWhere(where *pg.Node, input logical.Plan) (logical.Plan, expr.Expr, error) {
	conjuncts := conjunctsOf(where)
	semi := false
	for _, c := range conjuncts {
		_, _, ok := semiForm(c)
		semi = semi || ok
	}
	if !semi {
		p, err := b.bindPredicate(where, "WHERE")
		return input, p, err
	}
	var preds []expr.Expr
	for _, c := range conjuncts {
		if sl, negated, ok := semiForm(c); ok {
			j, err := b.bindSemiJoin(sl, negated, input)
			if err != nil {
				return nil, nil, err
			}
			input = j
			continue
		}
		p, err := b.bindPredicate(c, "AND")
		if err != nil {
			return nil, nil, err
		}
		preds = append(preds, p)
	}
	if len(preds) == 0 {
		return input, nil, nil
	}
	return input, expr.Conjunction(preds), nil
}

// bindSemiJoin joins input with the subquery of an EXISTS or IN test.
func (b *binder) bindSemiJoin(sl *pg.SubLink, negated bool, input logical.Plan) (logical.Plan, error) {
	pos := int(sl.Location)
	sel := sl.Subselect.GetSelectStmt()
	if sel == nil {
		return nil, b.unsupported(pos, "this subquery")
	}
	var test bound
	if sl.SubLinkType == pg.SubLinkType_ANY_SUBLINK {
		var err error
		if test, err = b.bindExpr(sl.Testexpr); err != nil {
			return nil, err
		}
		if rc := sl.Testexpr.GetRowExpr(); rc != nil {
			return nil, b.unsupported(pos, "IN with a row of several values")
		}
	}
	right, correlated, out, err := b.bindCorrelated(sel, sl.SubLinkType == pg.SubLinkType_ANY_SUBLINK, pos)
	if err != nil {
		return nil, err
	}
	j := &logical.Join{Left: input, Right: right, Type: plan.LeftSemiJoin}
	if negated {
		j.Type = plan.LeftAntiJoin
	}
	var conds []expr.Expr
	if out != nil {
		es, t, err := b.unify("=", pos, test, bound{e: out, pos: pos})
		if err != nil {
			return nil, err
		}
		if t.ID() != 0 && !orderable(t) {
			return nil, b.errorf(pos, "operator does not exist: %s = %s", test.describe(), typeName(out.DataType()))
		}
		if negated {
			if len(correlated) > 0 {
				return nil, b.unsupported(pos, "NOT IN with a correlated subquery")
			}
			j.Type = plan.LeftAntiNullAwareJoin
			j.Keys = []logical.JoinKey{{Left: es[0], Right: es[1]}}
		} else {
			conds = append(conds, &expr.Binary{Op: expr.OpEq, L: es[0], R: es[1], Type: arrow.FixedWidthTypes.Boolean})
		}
	}
	conds = append(conds, correlated...)
	if len(conds) > 0 {
		j.Filter = expr.Conjunction(conds)
	}
	return j, nil
}

// bindCorrelated binds the subquery of an EXISTS or IN test, which may
// refer to the enclosing query's columns in the conjuncts of its WHERE
// clause; those are returned apart (they join the two). For IN (oneColumn
// set) it also returns the subquery's one output expression.
func (b *binder) bindCorrelated(sel *pg.SelectStmt, oneColumn bool, pos int) (logical.Plan, []expr.Expr, expr.Expr, error) {
	simple := len(sel.GroupClause) == 0 && sel.HavingClause == nil && len(sel.DistinctClause) == 0 &&
		sel.LimitCount == nil && sel.LimitOffset == nil && len(sel.SortClause) == 0 && sel.WithClause == nil &&
		(sel.Op == pg.SetOperation_SET_OPERATION_UNDEFINED || sel.Op == pg.SetOperation_SETOP_NONE) && len(sel.FromClause) > 0 && !targetsAggregate(sel)
	if !simple {
		// Any other subquery is planned on its own; it may not refer to
		// the query around it.
		p, err := b.planSubquery(sel, pos)
		if err != nil {
			return nil, nil, nil, err
		}
		if !oneColumn {
			return p, nil, nil, nil
		}
		fields := p.Schema().Fields()
		if len(fields) != 1 {
			return nil, nil, nil, b.errorf(pos, "subquery has too many columns")
		}
		name := b.freshName("subquery")
		p = &logical.Projection{Input: p, Exprs: []expr.Expr{&expr.Column{Name: fields[0].Name, Type: fields[0].Type}}, Names: []string{name}}
		return p, nil, &expr.Column{Name: name, Type: fields[0].Type}, nil
	}
	if err := b.checkShape(sel, pos); err != nil {
		return nil, nil, nil, err
	}
	saved := b.save()
	defer b.restore(saved)
	b.inAgg, b.sawAgg, b.sawWindow, b.windows = false, false, false, nil
	input, err := b.bindFrom(sel.FromClause, pos)
	if err != nil {
		return nil, nil, nil, err
	}
	var inner, correlated []expr.Expr
	if sel.WhereClause != nil {
		b.clause, b.aggAllowed = "WHERE", false
		for _, c := range conjunctsOf(sel.WhereClause) {
			if sl, negated, ok := semiForm(c); ok {
				b.outerRefs = nil
				if input, err = b.bindSemiJoin(sl, negated, input); err != nil {
					return nil, nil, nil, err
				}
				if len(b.outerRefs) > 0 {
					return nil, nil, nil, b.unsupported(int(sl.Location), "a subquery referring to a query two levels up")
				}
				continue
			}
			b.outerRefs = nil
			p, err := b.bindPredicate(c, "WHERE")
			if err != nil {
				return nil, nil, nil, err
			}
			if len(b.outerRefs) > 0 {
				correlated = append(correlated, p)
			} else {
				inner = append(inner, p)
			}
		}
	}
	input = b.attachScalars(input, func(scalarSub) bool { return true })
	if len(inner) > 0 {
		input = &logical.Filter{Input: input, Predicate: expr.Conjunction(inner)}
	}
	if !oneColumn {
		return input, correlated, nil, nil
	}
	if len(sel.TargetList) != 1 {
		return nil, nil, nil, b.errorf(pos, "subquery has too many columns")
	}
	rt := sel.TargetList[0].GetResTarget()
	if rt == nil || rt.Val == nil || rt.Val.GetColumnRef() != nil && rt.Val.GetColumnRef().Fields[len(rt.Val.GetColumnRef().Fields)-1].GetAStar() != nil {
		return nil, nil, nil, b.unsupported(pos, "IN (SELECT * ...)")
	}
	b.clause, b.aggAllowed = "SELECT", false
	b.outerRefs = nil
	x, err := b.bindExpr(rt.Val)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(b.outerRefs) > 0 {
		return nil, nil, nil, b.unsupported(x.pos, "a subquery whose select list refers to the query around it")
	}
	if b.sawWindow {
		return nil, nil, nil, b.unsupported(x.pos, "window functions in an IN or EXISTS subquery's select list (move the subquery into FROM)")
	}
	e, err := b.finish(x)
	if err != nil {
		return nil, nil, nil, err
	}
	return input, correlated, e, nil
}

// targetsAggregate reports whether a select list calls an aggregate
// (by name; the binder checks properly later).
func targetsAggregate(sel *pg.SelectStmt) bool {
	found := false
	for _, t := range sel.TargetList {
		walkFuncCalls(t, func(fc *pg.FuncCall) {
			switch opName(fc.Funcname) {
			case "count", "sum", "min", "max", "avg":
				found = true
			}
		})
	}
	return found
}

// walkFuncCalls calls fn for the function calls of a select-list entry.
func walkFuncCalls(n *pg.Node, fn func(*pg.FuncCall)) {
	if n == nil {
		return
	}
	switch v := n.Node.(type) {
	case *pg.Node_ResTarget:
		walkFuncCalls(v.ResTarget.Val, fn)
	case *pg.Node_FuncCall:
		fn(v.FuncCall)
		for _, a := range v.FuncCall.Args {
			walkFuncCalls(a, fn)
		}
	case *pg.Node_AExpr:
		walkFuncCalls(v.AExpr.Lexpr, fn)
		walkFuncCalls(v.AExpr.Rexpr, fn)
	case *pg.Node_TypeCast:
		walkFuncCalls(v.TypeCast.Arg, fn)
	}
}

// bindScalarSubquery binds (SELECT x ...) used as a value.
func (b *binder) bindScalarSubquery(sl *pg.SubLink) (bound, error) {
	pos := int(sl.Location)
	sel := sl.Subselect.GetSelectStmt()
	if sel == nil {
		return bound{}, b.unsupported(pos, "this subquery")
	}
	p, err := b.planSubquery(sel, pos)
	if err != nil {
		if correlatableScalar(sel) {
			if x, correlated, cerr := b.bindCorrelatedScalar(sel, pos); correlated {
				return x, cerr
			}
		}
		return bound{}, err
	}
	fields := p.Schema().Fields()
	if len(fields) != 1 {
		return bound{}, b.errorf(pos, "subquery must return only one column")
	}
	name := b.freshName("scalar")
	p = &logical.Projection{Input: p, Exprs: []expr.Expr{&expr.Column{Name: fields[0].Name, Type: fields[0].Type}}, Names: []string{name}}
	b.scalars = append(b.scalars, scalarSub{plan: p, column: name, clause: b.clause})
	col := &expr.Column{Name: name, Type: fields[0].Type}
	b.colPos[col] = pos
	b.visible[name] = fields[0].Name
	b.scalarCols[name] = true
	return bound{e: col, pos: pos}, nil
}

// freshName returns an internal column name no column of the statement
// has.
func (b *binder) freshName(prefix string) string {
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s#%d", prefix, i)
		if !b.taken[n] {
			b.taken[n] = true
			return n
		}
	}
}

// attachScalars joins the scalar subqueries bound in the given clauses to
// input, and forgets them.
func (b *binder) attachScalars(input logical.Plan, keep func(scalarSub) bool) logical.Plan {
	var rest []scalarSub
	for _, s := range b.scalars {
		if !keep(s) {
			rest = append(rest, s)
			continue
		}
		if s.on != nil {
			input = &logical.Join{Left: input, Right: s.plan, Type: plan.LeftJoin, Filter: s.on}
			continue
		}
		input = &logical.Join{Left: input, Right: s.plan, Type: plan.LeftSingleJoin}
	}
	b.scalars = rest
	return input
}

// readsBelowAggregate reports whether a group key or an aggregate call's
// argument reads column.
func readsBelowAggregate(column string, groups []expr.Expr, items []item, having expr.Expr) bool {
	reads := func(e expr.Expr) bool {
		for _, c := range expr.Columns(e) {
			if c == column {
				return true
			}
		}
		return false
	}
	for _, g := range groups {
		if reads(g) {
			return true
		}
	}
	inAgg := false
	check := func(e expr.Expr) {
		expr.Walk(e, func(x expr.Expr) bool {
			if a, ok := x.(*expr.Aggregate); ok && a.Arg != nil && reads(a.Arg) {
				inAgg = true
			}
			return !inAgg
		})
	}
	for _, it := range items {
		check(it.e)
	}
	if having != nil {
		check(having)
	}
	return inAgg
}
