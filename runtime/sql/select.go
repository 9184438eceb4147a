package sql

import (
	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

// limitParams records LIMIT/OFFSET given as $n, which logical.Limit (plain
// ints) cannot hold; Bind fills them in.
type limitParams struct {
	fetch, offset int // $n, or 0
}

// planSelect builds the logical plan of a single-table SELECT in the
// canonical order Limit -> Sort -> Projection -> Filter(HAVING) ->
// Aggregate -> Filter(WHERE) -> Scan. ORDER BY keys missing from the
// select list are computed as hidden projection columns and projected away
// above the Limit, so Limit stays directly above Sort for top-N.
func (b *binder) planSelect(s *pg.SelectStmt, cat Catalog, stmtPos int, lp *limitParams) (logical.Plan, error) {
	if s.Op != pg.SetOperation_SETOP_NONE {
		return b.planSetOp(s, cat, stmtPos, lp)
	}
	if err := b.checkShape(s, stmtPos); err != nil {
		return nil, err
	}
	if s.WithClause != nil {
		if err := b.pushWith(s.WithClause); err != nil {
			return nil, err
		}
		defer b.popWith()
	}
	input, err := b.bindFrom(s.FromClause, stmtPos)
	if err != nil {
		return nil, err
	}
	if err := b.setWindowClause(s.WindowClause); err != nil {
		return nil, err
	}

	b.clause, b.aggAllowed = "SELECT", true
	items, err := b.bindTargets(s.TargetList, stmtPos)
	if err != nil {
		return nil, err
	}

	var where expr.Expr
	if s.WhereClause != nil {
		b.clause, b.aggAllowed = "WHERE", false
		if input, where, err = b.bindWhere(s.WhereClause, input); err != nil {
			return nil, err
		}
	}

	b.clause, b.aggAllowed = "GROUP BY", false
	groups, sets, err := b.bindGroupBy(s.GroupClause, items)
	if err != nil {
		return nil, err
	}

	var having expr.Expr
	if s.HavingClause != nil {
		b.clause, b.aggAllowed = "HAVING", true
		if having, err = b.bindPredicate(s.HavingClause, "HAVING"); err != nil {
			return nil, err
		}
	}

	distinctOn := distinctOnExprs(s.DistinctClause)
	distinct := len(s.DistinctClause) > 0 && distinctOn == nil
	b.clause, b.aggAllowed = "ORDER BY", true
	items, refs, err := b.bindOrderBy(s.SortClause, items, distinct)
	if err != nil {
		return nil, err
	}
	var onRefs []sortRef
	if distinctOn != nil {
		b.clause = "DISTINCT ON"
		if items, onRefs, err = b.bindDistinctOn(distinctOn, items, refs); err != nil {
			return nil, err
		}
	}

	aggregated := len(groups) > 0 || having != nil || b.sawAgg
	if distinct && !aggregated && !b.sawWindow {
		// SELECT DISTINCT a, b is SELECT a, b GROUP BY a, b.
		for _, it := range items {
			groups = append(groups, it.e)
		}
		aggregated, distinct = true, false
	}
	// Scalar subqueries join in below the WHERE filter, or, in an
	// aggregating query, above the aggregate unless a group key or an
	// aggregate's argument reads them.
	if aggregated {
		for _, s := range b.scalars {
			if s.on != nil && s.clause != "WHERE" {
				return nil, b.unsupported(s.pos, "a correlated subquery in %s of an aggregate query", s.clause)
			}
		}
	}
	input = b.attachScalars(input, func(s scalarSub) bool {
		return !aggregated || s.clause == "WHERE" || s.clause == "GROUP BY" || readsBelowAggregate(s.column, groups, items, having)
	})
	if where != nil {
		input = &logical.Filter{Input: input, Predicate: where}
	}
	if aggregated {
		agg, outs := buildAggregate(input, groups, items, having)
		var grouped logical.Plan = agg
		if sets != nil {
			grouped = groupingSetsUnion(agg, sets)
		}
		input = b.attachScalars(grouped, func(scalarSub) bool { return true })
		for i := range items {
			if items[i].e, err = b.toAggOutput(items[i].e, outs); err != nil {
				return nil, err
			}
		}
		if having != nil {
			if having, err = b.toAggOutput(having, outs); err != nil {
				return nil, err
			}
			input = &logical.Filter{Input: input, Predicate: having}
		}
	}

	if b.sawWindow {
		// Window functions see the rows after WHERE, GROUP BY and
		// HAVING, and before DISTINCT, ORDER BY and LIMIT.
		if input, err = buildWindows(input, items); err != nil {
			return nil, err
		}
	}
	if onRefs != nil {
		input = firstOfEach(input, items, onRefs, refs)
	}

	renamed := disambiguateSortKeys(items, refs)
	proj := &logical.Projection{Input: input}
	visible := 0
	for _, it := range items {
		proj.Exprs = append(proj.Exprs, it.e)
		proj.Names = append(proj.Names, it.name)
		if !it.hidden {
			visible++
		}
	}
	var out logical.Plan = proj
	if distinct {
		// DISTINCT over an aggregate query groups the projected rows again.
		if out, err = b.distinctOver(proj, items); err != nil {
			return nil, err
		}
	}

	if len(refs) > 0 {
		sort := &logical.Sort{Input: out}
		for _, r := range refs {
			it := items[r.item]
			sort.Keys = append(sort.Keys, logical.SortExpr{
				Expr:       &expr.Column{Name: it.name, Type: it.e.DataType()},
				Descending: r.descending,
				NullsFirst: r.nullsFirst,
			})
		}
		out = sort
	}

	if out, err = b.planLimit(s, out, lp); err != nil {
		return nil, err
	}

	if visible < len(items) || renamed {
		final := &logical.Projection{Input: out}
		for _, it := range items[:visible] {
			final.Exprs = append(final.Exprs, &expr.Column{Name: it.name, Type: it.e.DataType()})
			name := it.name
			if it.display != "" {
				name = it.display
			}
			final.Names = append(final.Names, name)
		}
		out = final
	}
	return out, nil
}

func (b *binder) bindPredicate(n *pg.Node, clause string) (expr.Expr, error) {
	x, err := b.bindExpr(n)
	if err != nil {
		return nil, err
	}
	return b.mustBool(x, clause)
}

// buildAggregate collects the distinct group keys and aggregate calls of
// the query. Outputs are named by their SQL text, so expressions above
// refer to `region` and `count(*)`.
func buildAggregate(input logical.Plan, groups []expr.Expr, items []item, having expr.Expr) (*logical.Aggregate, aggOutputs) {
	agg := &logical.Aggregate{Input: input}
	outs := aggOutputs{}
	for _, g := range groups {
		key := g.String()
		if _, dup := outs[key]; dup {
			continue
		}
		outs[key] = key
		agg.GroupBy = append(agg.GroupBy, g)
		agg.GroupNames = append(agg.GroupNames, key)
	}
	collect := func(e expr.Expr) {
		expr.Walk(e, func(x expr.Expr) bool {
			a, ok := x.(*expr.Aggregate)
			if !ok {
				return true
			}
			key := a.String()
			if _, dup := outs[key]; !dup {
				outs[key] = key
				agg.Aggs = append(agg.Aggs, a)
				agg.AggNames = append(agg.AggNames, key)
			}
			return false
		})
	}
	for _, it := range items {
		collect(it.e)
	}
	collect(having)
	return agg, outs
}

// distinctOver groups the projection's rows by all its columns.
func (b *binder) distinctOver(proj *logical.Projection, items []item) (logical.Plan, error) {
	seen := map[string]bool{}
	agg := &logical.Aggregate{Input: proj}
	for i, name := range proj.Names {
		if seen[name] {
			return nil, b.unsupported(items[i].pos, "SELECT DISTINCT with two output columns named %s", quote(name))
		}
		seen[name] = true
		agg.GroupBy = append(agg.GroupBy, &expr.Column{Name: name, Type: proj.Exprs[i].DataType()})
		agg.GroupNames = append(agg.GroupNames, name)
	}
	return agg, nil
}

// planLimit adds LIMIT/OFFSET. Each is an integer constant, ALL/NULL (no
// limit), or a parameter whose value Bind supplies.
func (b *binder) planLimit(s *pg.SelectStmt, input logical.Plan, lp *limitParams) (logical.Plan, error) {
	if s.LimitCount == nil && s.LimitOffset == nil {
		return input, nil
	}
	b.clause, b.aggAllowed = "LIMIT", false
	fetch, fp, err := b.limitValue(s.LimitCount, "LIMIT", -1)
	if err != nil {
		return nil, err
	}
	b.clause = "OFFSET"
	offset, op, err := b.limitValue(s.LimitOffset, "OFFSET", 0)
	if err != nil {
		return nil, err
	}
	lp.fetch, lp.offset = fp, op
	return &logical.Limit{Input: input, Offset: int(offset), Fetch: int(fetch)}, nil
}

func (b *binder) limitValue(n *pg.Node, what string, none int64) (int64, int, error) {
	if n == nil {
		return none, 0, nil
	}
	x, err := b.bindExpr(n)
	if err != nil {
		return 0, 0, err
	}
	e, err := b.coerce(x, arrow.PrimitiveTypes.Int64)
	if err != nil {
		return 0, 0, err
	}
	switch v := e.(type) {
	case *expr.Literal:
		if v.Value.Null {
			return none, 0, nil
		}
		if n := v.Value.Int64Value(); n >= 0 {
			return n, 0, nil
		}
		return 0, 0, b.errorf(x.pos, "%s must not be negative", what)
	case *expr.Param:
		return none, v.Index, nil
	}
	return 0, 0, b.errorf(x.pos, "%s must be an integer constant or a parameter", what)
}
