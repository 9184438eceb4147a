package sql

import (
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

// GROUPING SETS, ROLLUP and CUBE.
//
// GROUP BY a, ROLLUP (b, c) groups by each of (a, b, c), (a, b) and (a):
// the GROUP BY list is the cross product of its items' sets. The query is
// planned as the UNION ALL of one aggregate per set, each grouping the
// same input by its set's keys and outputting NULL for the others, so
// HAVING, the select list and ORDER BY read the union as they read a
// plain aggregate. The input is read once per set.

// maxGroupingSets bounds the expansion (CUBE of n keys is 2^n sets).
const maxGroupingSets = 4096

// bindGroupBy binds the GROUP BY clause: the distinct key expressions, in
// order, and, when it has grouping sets, each set as a list of keys (nil
// when there are none: one set of every key).
func (b *binder) bindGroupBy(clause []*pg.Node, items []item) ([]expr.Expr, [][]expr.Expr, error) {
	var groups []expr.Expr
	seen := map[string]bool{}
	add := func(e expr.Expr) {
		if k := e.String(); !seen[k] {
			seen[k] = true
			groups = append(groups, e)
		}
	}
	product := [][]expr.Expr{nil}
	hasSets := false
	for _, g := range clause {
		var sets [][]expr.Expr
		if gs := g.GetGroupingSet(); gs != nil {
			hasSets = true
			var err error
			if sets, err = b.expandGroupingSet(gs, items); err != nil {
				return nil, nil, err
			}
		} else {
			e, err := b.bindGroupItem(g, items)
			if err != nil {
				return nil, nil, err
			}
			sets = [][]expr.Expr{{e}}
		}
		if len(product)*len(sets) > maxGroupingSets {
			return nil, nil, b.errorf(nodeLocation(g), "too many grouping sets (more than %d)", maxGroupingSets)
		}
		var next [][]expr.Expr
		for _, p := range product {
			for _, s := range sets {
				next = append(next, append(append([]expr.Expr(nil), p...), s...))
			}
		}
		product = next
	}
	for _, set := range product {
		for _, e := range set {
			add(e)
		}
	}
	if !hasSets {
		return groups, nil, nil
	}
	return groups, product, nil
}

// expandGroupingSet returns the sets of one ROLLUP, CUBE, GROUPING SETS,
// () or parenthesised list.
func (b *binder) expandGroupingSet(gs *pg.GroupingSet, items []item) ([][]expr.Expr, error) {
	// elements binds the content as a list of elements, each a list of
	// keys (a parenthesised list inside ROLLUP or CUBE is one element).
	elements := func() ([][]expr.Expr, error) {
		var out [][]expr.Expr
		for _, n := range gs.Content {
			if inner := n.GetGroupingSet(); inner != nil {
				if inner.Kind != pg.GroupingSetKind_GROUPING_SET_SIMPLE && inner.Kind != pg.GroupingSetKind_GROUPING_SET_EMPTY {
					return nil, b.unsupported(int(inner.Location), "grouping sets nested in ROLLUP or CUBE")
				}
				sets, err := b.expandGroupingSet(inner, items)
				if err != nil {
					return nil, err
				}
				out = append(out, sets[0])
				continue
			}
			keys, err := b.groupKeys(n, items)
			if err != nil {
				return nil, err
			}
			out = append(out, keys)
		}
		return out, nil
	}
	switch gs.Kind {
	case pg.GroupingSetKind_GROUPING_SET_EMPTY:
		return [][]expr.Expr{nil}, nil
	case pg.GroupingSetKind_GROUPING_SET_SIMPLE:
		els, err := elements()
		if err != nil {
			return nil, err
		}
		var set []expr.Expr
		for _, e := range els {
			set = append(set, e...)
		}
		return [][]expr.Expr{set}, nil
	case pg.GroupingSetKind_GROUPING_SET_ROLLUP:
		els, err := elements()
		if err != nil {
			return nil, err
		}
		sets := make([][]expr.Expr, 0, len(els)+1)
		for n := len(els); n >= 0; n-- {
			var set []expr.Expr
			for _, e := range els[:n] {
				set = append(set, e...)
			}
			sets = append(sets, set)
		}
		return sets, nil
	case pg.GroupingSetKind_GROUPING_SET_CUBE:
		els, err := elements()
		if err != nil {
			return nil, err
		}
		if len(els) > 12 {
			return nil, b.errorf(int(gs.Location), "CUBE is limited to 12 elements")
		}
		var sets [][]expr.Expr
		for mask := (1 << len(els)) - 1; mask >= 0; mask-- {
			var set []expr.Expr
			for i, e := range els {
				if mask&(1<<i) != 0 {
					set = append(set, e...)
				}
			}
			sets = append(sets, set)
		}
		return sets, nil
	case pg.GroupingSetKind_GROUPING_SET_SETS:
		var sets [][]expr.Expr
		for _, n := range gs.Content {
			if inner := n.GetGroupingSet(); inner != nil {
				more, err := b.expandGroupingSet(inner, items)
				if err != nil {
					return nil, err
				}
				sets = append(sets, more...)
				continue
			}
			set, err := b.groupKeys(n, items)
			if err != nil {
				return nil, err
			}
			sets = append(sets, set)
		}
		return sets, nil
	}
	return nil, b.unsupported(int(gs.Location), "this grouping set")
}

// groupKeys binds one element of a grouping set: a parenthesised list
// (a row, to the parser) is several keys, anything else one.
func (b *binder) groupKeys(n *pg.Node, items []item) ([]expr.Expr, error) {
	args := []*pg.Node{n}
	if row := n.GetRowExpr(); row != nil {
		args = row.Args
	}
	keys := make([]expr.Expr, len(args))
	for i, a := range args {
		e, err := b.bindGroupItem(a, items)
		if err != nil {
			return nil, err
		}
		keys[i] = e
	}
	return keys, nil
}

// groupingSetsUnion replaces agg, grouping by every key, by the UNION ALL
// of one aggregate per set, each with agg's output columns (NULL for the
// keys it does not group by).
func groupingSetsUnion(agg *logical.Aggregate, sets [][]expr.Expr) logical.Plan {
	names := append(append([]string(nil), agg.GroupNames...), agg.AggNames...)
	u := &logical.Union{Names: names}
	for _, set := range sets {
		in := map[string]bool{}
		for _, e := range set {
			in[e.String()] = true
		}
		one := &logical.Aggregate{Input: agg.Input, Aggs: agg.Aggs, AggNames: agg.AggNames}
		proj := &logical.Projection{Input: one, Names: names}
		for i, g := range agg.GroupBy {
			if in[g.String()] {
				one.GroupBy = append(one.GroupBy, g)
				one.GroupNames = append(one.GroupNames, agg.GroupNames[i])
				proj.Exprs = append(proj.Exprs, &expr.Column{Name: agg.GroupNames[i], Type: g.DataType()})
			} else {
				proj.Exprs = append(proj.Exprs, &expr.Literal{Value: expr.Null(g.DataType())})
			}
		}
		for i, a := range agg.Aggs {
			proj.Exprs = append(proj.Exprs, &expr.Column{Name: agg.AggNames[i], Type: a.DataType()})
		}
		u.Inputs = append(u.Inputs, proj)
	}
	return u
}
