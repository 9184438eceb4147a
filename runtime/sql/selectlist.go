package sql

import (
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
)

// item is one output column of the query's projection.
type item struct {
	e      expr.Expr // as bound, before aggregates are replaced by their outputs
	name   string
	pos    int
	hidden bool // an ORDER BY key that is not in the select list
	// display is the name the user sees when name had to be made unique
	// internally (see disambiguateSortKeys); "" when name is it.
	display string
}

// bindTargets binds the select list, expanding * and t.*.
func (b *binder) bindTargets(targets []*pg.Node, stmtPos int) ([]item, error) {
	if len(targets) == 0 {
		return nil, b.unsupported(stmtPos, "SELECT without columns")
	}
	var items []item
	for _, t := range targets {
		rt := t.GetResTarget()
		if rt == nil || rt.Val == nil {
			return nil, b.errorf(nodeLocation(t), "unexpected select list entry")
		}
		pos := int(rt.Location)
		if len(rt.Indirection) > 0 {
			return nil, b.unsupportedPlural(pos, "subscripts and field selection")
		}
		if star, err := b.expandStar(rt.Val); err != nil {
			return nil, err
		} else if star != nil {
			items = append(items, star...)
			continue
		}
		x, err := b.bindDepth(rt.Val, 0)
		if err != nil {
			return nil, err
		}
		e, err := b.finish(x)
		if err != nil {
			return nil, err
		}
		name := rt.Name
		if name == "" {
			// Named as written: SELECT 1 + 2 is "1 + 2", not "3".
			name = b.defaultName(e)
			if tc := rt.Val.GetTypeCast(); tc != nil && isConstant(e) {
				// A cast of a constant is folded into a literal at bind
				// time; PostgreSQL heads it with the type's name
				// (SELECT CAST(2.5 AS int) is column "int4").
				name = castHeader(tc, name)
			}
		}
		if e, err = b.fold(e); err != nil {
			return nil, err
		}
		items = append(items, item{e: e, name: name, pos: pos})
	}
	return items, nil
}

// expandStar returns the columns of * or t.*, or nil when n is not a star.
func (b *binder) expandStar(n *pg.Node) ([]item, error) {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) == 0 || cr.Fields[len(cr.Fields)-1].GetAStar() == nil {
		return nil, nil
	}
	pos := int(cr.Location)
	var star []starItem
	switch len(cr.Fields) {
	case 1:
		star = b.scope.star
	case 2:
		qual := cr.Fields[0].GetString_().GetSval()
		r := b.scope.relation(qual)
		if r == nil {
			_, err := b.resolveColumn(qual, "*", pos)
			return nil, err
		}
		star = leafScope(r).star
	default:
		return nil, b.errorf(pos, "improper qualified name (too many dotted names)")
	}
	items := make([]item, 0, len(star))
	for _, it := range star {
		if it.e == nil {
			return nil, b.unsupported(pos, "* over a FULL JOIN ... USING (list the columns, qualified)")
		}
		e := it.e
		if c, ok := e.(*expr.Column); ok {
			col := &expr.Column{Name: c.Name, Type: c.Type}
			b.colPos[col] = pos
			e = col
		}
		items = append(items, item{e: e, name: it.name, pos: pos})
	}
	return items, nil
}

// defaultName names an unaliased output column: a column keeps its name
// (as SQL calls it, not its internal name), anything else is named by its
// SQL text (`count(*)`, `amount * 2`), as DataFusion does; PostgreSQL's
// "?column?" would make names collide.
func (b *binder) defaultName(e expr.Expr) string {
	if n, ok := b.exprNames[e]; ok {
		return n
	}
	if c, ok := e.(*expr.Column); ok {
		return b.displayName(c.Name)
	}
	return e.String()
}

func containsAggregate(e expr.Expr) bool {
	found := false
	expr.Walk(e, func(x expr.Expr) bool {
		if _, ok := x.(*expr.Aggregate); ok {
			found = true
		}
		return !found
	})
	return found
}

// bindGroupItem binds one GROUP BY entry. As in PostgreSQL a bare name is
// an input column first and an output alias second, and an integer is an
// ordinal of the select list.
func (b *binder) bindGroupItem(g *pg.Node, items []item) (expr.Expr, error) {
	var e expr.Expr
	if c := g.GetAConst(); c != nil && c.GetIval() != nil {
		k := int(c.GetIval().GetIval())
		if k < 1 || k > len(items) {
			return nil, b.errorf(nodeLocation(g), "GROUP BY position %d is not in select list", k)
		}
		e = items[k-1].e
	} else if name, ok := bareName(g); ok && !b.scope.hasColumn(name) {
		for _, it := range items {
			if it.name == name {
				e = it.e
				break
			}
		}
	}
	if e == nil {
		x, err := b.bindExpr(g)
		if err != nil {
			return nil, err
		}
		if e, err = b.finish(x); err != nil {
			return nil, err
		}
	}
	if containsAggregate(e) {
		return nil, b.errorf(nodeLocation(g), "aggregate functions are not allowed in GROUP BY")
	}
	return e, nil
}

// bareName returns the name of an unqualified column reference.
func bareName(n *pg.Node) (string, bool) {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) != 1 || cr.Fields[0].GetString_() == nil {
		return "", false
	}
	return cr.Fields[0].GetString_().GetSval(), true
}

// castHeader is PostgreSQL's name for the column of a cast: the last part
// of the type's name as the parser resolved it (int4 for int, numeric,
// timestamptz, date), or fallback when it has none.
func castHeader(tc *pg.TypeCast, fallback string) string {
	if tc.TypeName == nil || len(tc.TypeName.Names) == 0 {
		return fallback
	}
	if n := tc.TypeName.Names[len(tc.TypeName.Names)-1].GetString_().GetSval(); n != "" {
		return n
	}
	return fallback
}
