package sql

import (
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// fromLeaf is one table, subquery or CTE reference of a FROM clause.
type fromLeaf struct {
	plan logical.Plan
	rel  *relation
}

// bindFrom resolves the FROM clause: its items (tables, subqueries, CTE
// references) joined as written, comma-separated items cross-joined
// (the planner turns WHERE equalities between them into join keys). It
// sets b.scope to what the clause makes visible, nested in the scope it
// was called in (for a correlated subquery).
func (b *binder) bindFrom(from []*pg.Node, stmtPos int) (logical.Plan, error) {
	if len(from) == 0 {
		return nil, b.unsupported(stmtPos, "SELECT without FROM")
	}
	outer := b.scope
	var leaves []*fromLeaf
	for _, item := range from {
		if err := b.collectLeaves(item, &leaves); err != nil {
			return nil, err
		}
	}
	rels := make([]*relation, len(leaves))
	for i, l := range leaves {
		rels[i] = l.rel
		for _, prev := range rels[:i] {
			if prev.qual != "" && prev.qual == l.rel.qual {
				return nil, b.errorf(l.rel.pos, "table name %s specified more than once", quote(l.rel.qual))
			}
		}
	}
	b.nameColumns(rels)
	for _, l := range leaves {
		l.plan = renameLeaf(l.plan, l.rel)
	}
	next := 0
	var out logical.Plan
	var sc *scope
	for _, item := range from {
		p, s, err := b.bindFromTree(item, leaves, &next, outer)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out, sc = p, s
			continue
		}
		out = &logical.Join{Left: out, Right: p, Type: plan.InnerJoin}
		sc = joinScopes(sc, s)
	}
	sc.outer = outer
	b.scope = sc
	return out, nil
}

// renameLeaf gives a leaf's output columns their internal names, with a
// projection that only renames (the planner pushes through it).
func renameLeaf(p logical.Plan, r *relation) logical.Plan {
	fields := p.Schema().Fields()
	same := true
	for i, c := range r.cols {
		same = same && fields[i].Name == c.internal
	}
	if same {
		return p
	}
	proj := &logical.Projection{Input: p}
	for i, c := range r.cols {
		proj.Exprs = append(proj.Exprs, &expr.Column{Name: fields[i].Name, Type: fields[i].Type})
		proj.Names = append(proj.Names, c.internal)
	}
	return proj
}

// collectLeaves binds the tables and subqueries of one FROM item, in
// order.
func (b *binder) collectLeaves(item *pg.Node, leaves *[]*fromLeaf) error {
	switch v := item.Node.(type) {
	case *pg.Node_RangeVar:
		leaf, err := b.bindRangeVar(v.RangeVar)
		if err != nil {
			return err
		}
		*leaves = append(*leaves, leaf)
		return nil
	case *pg.Node_JoinExpr:
		j := v.JoinExpr
		if j.Alias != nil {
			return b.unsupportedPlural(b.joinPos(j), "aliases of a JOIN")
		}
		if err := b.collectLeaves(j.Larg, leaves); err != nil {
			return err
		}
		return b.collectLeaves(j.Rarg, leaves)
	case *pg.Node_RangeSubselect:
		rs := v.RangeSubselect
		pos := nodeLocation(item)
		if rs.Lateral {
			return b.unsupported(keywordPos(b.sql, 0, "LATERAL"), "LATERAL")
		}
		sel := rs.Subquery.GetSelectStmt()
		if sel == nil {
			return b.unsupported(pos, "this subquery in FROM")
		}
		p, err := b.planSubquery(sel, nodeLocation(rs.Subquery))
		if err != nil {
			return err
		}
		rel := &relation{pos: pos}
		var colnames []*pg.Node
		if rs.Alias != nil {
			rel.qual, rel.aliased = rs.Alias.Aliasname, true
			colnames = rs.Alias.Colnames
		}
		if err := b.relationColumns(rel, p, colnames, pos); err != nil {
			return err
		}
		*leaves = append(*leaves, &fromLeaf{plan: p, rel: rel})
		return nil
	case *pg.Node_RangeFunction:
		return b.unsupportedPlural(nodeLocation(item), "set-returning functions in FROM")
	case *pg.Node_RangeTableSample:
		return b.unsupported(nodeLocation(item), "TABLESAMPLE")
	}
	return b.unsupported(nodeLocation(item), "FROM item %s", nodeTypeName(item))
}

// relationColumns lists the output columns of p as rel's, renamed by
// column aliases when given.
func (b *binder) relationColumns(rel *relation, p logical.Plan, colnames []*pg.Node, pos int) error {
	fields := p.Schema().Fields()
	if len(colnames) > len(fields) {
		return b.errorf(pos, "%s has %d columns available but %d columns specified", quote(rel.qual), len(fields), len(colnames))
	}
	for i, f := range fields {
		name := f.Name
		if i < len(colnames) {
			name = colnames[i].GetString_().GetSval()
		}
		rel.cols = append(rel.cols, scopeColumn{name: name, typ: f.Type})
	}
	return nil
}

// joinPos is where a JOIN is written: its keyword after the left input.
func (b *binder) joinPos(j *pg.JoinExpr) int {
	if pos := findKeyword(b.sql, max(nodeLocation(j.Larg), 0), "JOIN"); pos >= 0 {
		return pos
	}
	return max(nodeLocation(j.Larg), 0)
}

// bindRangeVar binds a table name: a CTE of an enclosing WITH, else a
// table of the catalog.
func (b *binder) bindRangeVar(rv *pg.RangeVar) (*fromLeaf, error) {
	pos := int(rv.Location)
	if rv.Catalogname != "" || rv.Schemaname != "" {
		return nil, b.unsupportedPlural(pos, "schema-qualified table names")
	}
	rel := &relation{qual: rv.Relname, table: rv.Relname, pos: pos}
	var colnames []*pg.Node
	if rv.Alias != nil {
		rel.qual, rel.aliased = rv.Alias.Aliasname, true
		colnames = rv.Alias.Colnames
	}
	if cte, limit := b.lookupCTE(rv.Relname); cte != nil {
		p, err := b.planCTE(cte, limit)
		if err != nil {
			return nil, err
		}
		if err := b.relationColumns(rel, p, colnames, pos); err != nil {
			return nil, err
		}
		return &fromLeaf{plan: p, rel: rel}, nil
	}
	cat := b.cat
	if cat == nil {
		return nil, b.errorf(pos, "unknown table %s (no catalog)", quote(rv.Relname))
	}
	provider, ok := cat.Table(rv.Relname)
	if !ok || provider == nil {
		return nil, b.errorf(pos, "unknown table %s%s", quote(rv.Relname), suggest(rv.Relname, cat.TableNames()))
	}
	schema := provider.Schema()
	if schema == nil {
		return nil, b.errorf(pos, "table %s has no schema", quote(rv.Relname))
	}
	scan := &logical.Scan{Table: rv.Relname, Provider: provider, Limit: plan.NoLimit}
	if err := b.relationColumns(rel, scan, colnames, pos); err != nil {
		return nil, err
	}
	return &fromLeaf{plan: scan, rel: rel}, nil
}

// bindFromTree builds the joins of one FROM item over its leaves (bound
// and named already, taken in order from leaves[*next]).
func (b *binder) bindFromTree(item *pg.Node, leaves []*fromLeaf, next *int, outer *scope) (logical.Plan, *scope, error) {
	j := item.GetJoinExpr()
	if j == nil {
		l := leaves[*next]
		*next++
		return l.plan, leafScope(l.rel), nil
	}
	left, ls, err := b.bindFromTree(j.Larg, leaves, next, outer)
	if err != nil {
		return nil, nil, err
	}
	right, rs, err := b.bindFromTree(j.Rarg, leaves, next, outer)
	if err != nil {
		return nil, nil, err
	}
	pos := b.joinPos(j)
	var jt plan.JoinType
	switch j.Jointype {
	case pg.JoinType_JOIN_INNER:
		jt = plan.InnerJoin
	case pg.JoinType_JOIN_LEFT:
		jt = plan.LeftJoin
	case pg.JoinType_JOIN_RIGHT:
		jt = plan.RightJoin
	case pg.JoinType_JOIN_FULL:
		jt = plan.FullJoin
	default:
		return nil, nil, b.unsupported(pos, "join type %s", j.Jointype)
	}
	s := joinScopes(ls, rs)
	s.outer = outer
	join := &logical.Join{Left: left, Right: right, Type: jt}
	var using []string
	if j.IsNatural {
		for _, it := range ls.star {
			for _, r := range rs.star {
				if it.name == r.name {
					using = append(using, it.name)
					break
				}
			}
		}
	}
	for _, u := range j.UsingClause {
		using = append(using, u.GetString_().GetSval())
	}
	if len(using) > 0 {
		upos := keywordPos(b.sql, pos, "USING")
		if j.IsNatural {
			upos = pos
		}
		if err := b.bindUsing(join, s, ls, rs, using, upos); err != nil {
			return nil, nil, err
		}
	}
	if j.Quals != nil {
		saved, clause, agg := b.scope, b.clause, b.aggAllowed
		b.scope, b.clause, b.aggAllowed = s, "JOIN/ON", false
		pred, err := b.bindPredicate(j.Quals, "JOIN/ON")
		b.scope, b.clause, b.aggAllowed = saved, clause, agg
		if err != nil {
			return nil, nil, err
		}
		join.Filter = pred
	}
	return join, s, nil
}

// bindUsing adds the keys of JOIN ... USING (names) and merges each pair
// of columns into one name.
func (b *binder) bindUsing(join *logical.Join, s, ls, rs *scope, names []string, pos int) error {
	seen := map[string]bool{}
	var mergedStar []starItem
	for _, name := range names {
		if seen[name] {
			return b.errorf(pos, "column name %s appears more than once in USING clause", quote(name))
		}
		seen[name] = true
		side := func(sc *scope, which string) (bound, error) {
			e, found, err := b.resolveIn(sc, "", name, pos)
			if err != nil {
				return bound{}, err
			}
			if !found {
				return bound{}, b.errorf(pos, "column %s specified in USING clause does not exist in %s table", quote(name), which)
			}
			return bound{e: e, pos: pos}, nil
		}
		l, err := side(ls, "left")
		if err != nil {
			return err
		}
		r, err := side(rs, "right")
		if err != nil {
			return err
		}
		es, t, err := b.unify("=", pos, l, r)
		if err != nil {
			return err
		}
		if t.ID() != 0 && !orderable(t) {
			return b.errorf(pos, "operator does not exist: %s = %s", l.describe(), r.describe())
		}
		join.Keys = append(join.Keys, logical.JoinKey{Left: es[0], Right: es[1]})
		m := merged{name: name}
		switch join.Type {
		case plan.InnerJoin, plan.LeftJoin:
			m.e = es[0]
		case plan.RightJoin:
			m.e = es[1]
		default: // FULL: whichever side has the row
			m.e = &expr.Func{Name: "coalesce", Args: []expr.Expr{es[0], es[1]}, Type: es[0].DataType()}
		}
		s.merged[name] = m
		for _, rel := range s.rels {
			if s.hidden[rel] == nil {
				s.hidden[rel] = map[string]bool{}
			}
			s.hidden[rel][name] = true
		}
		mergedStar = append(mergedStar, starItem{name: name, e: m.e})
	}
	star := mergedStar
	for _, it := range s.star {
		if !seen[it.name] {
			star = append(star, it)
		}
	}
	s.star = star
	return nil
}

// planSubquery binds a subquery of the FROM clause (or a CTE's body) as a
// statement of its own: it sees no column of the query around it.
func (b *binder) planSubquery(sel *pg.SelectStmt, pos int) (logical.Plan, error) {
	saved := b.save()
	// A nested query starts afresh: the enclosing query's aggregates do
	// not make it an aggregate query, nor do its scalar subqueries join in.
	b.scope, b.taken, b.scalars = nil, map[string]bool{}, nil
	b.inAgg, b.sawAgg, b.sawWindow, b.windows = false, false, false, nil
	defer b.restore(saved)
	var lp limitParams
	p, err := b.planSelect(sel, b.cat, max(pos, 0), &lp)
	if err != nil {
		return nil, err
	}
	if lp.fetch > 0 || lp.offset > 0 {
		return nil, b.unsupportedPlural(max(pos, 0), "parameters in LIMIT or OFFSET of a subquery")
	}
	return p, nil
}

// binderState is what binding a nested query changes.
type binderState struct {
	scope      *scope
	taken      map[string]bool
	clause     string
	aggAllowed bool
	inAgg      bool
	sawAgg     bool
	sawWindow  bool
	windows    map[string]*pg.WindowDef
	outerRefs  map[string]int
	scalars    []scalarSub
}

func (b *binder) save() binderState {
	return binderState{scope: b.scope, taken: b.taken, clause: b.clause, aggAllowed: b.aggAllowed, inAgg: b.inAgg, sawAgg: b.sawAgg, sawWindow: b.sawWindow, windows: b.windows, outerRefs: b.outerRefs, scalars: b.scalars}
}

func (b *binder) restore(s binderState) {
	b.scope, b.taken, b.clause, b.aggAllowed, b.inAgg, b.sawAgg, b.outerRefs = s.scope, s.taken, s.clause, s.aggAllowed, s.inAgg, s.sawAgg, s.outerRefs
	b.scalars, b.sawWindow, b.windows = s.scalars, s.sawWindow, s.windows
}

// cteFrame is the WITH clause of one SELECT; while the body of its i-th
// CTE is bound, only the ones before it are visible.
type cteFrame struct {
	ctes    []*pg.CommonTableExpr
	visible int
}

func (b *binder) pushWith(w *pg.WithClause) error {
	if w.Recursive {
		return b.unsupported(int(w.Location), "WITH RECURSIVE")
	}
	f := &cteFrame{}
	for _, n := range w.Ctes {
		c := n.GetCommonTableExpr()
		if c == nil {
			return b.errorf(nodeLocation(n), "unexpected WITH entry")
		}
		for _, prev := range f.ctes {
			if prev.Ctename == c.Ctename {
				return b.errorf(int(c.Location), "WITH query name %s specified more than once", quote(c.Ctename))
			}
		}
		if c.Ctequery.GetSelectStmt() == nil {
			return b.unsupported(int(c.Location), "WITH holding a statement other than SELECT")
		}
		f.ctes = append(f.ctes, c)
	}
	f.visible = len(f.ctes)
	b.ctes = append(b.ctes, f)
	return nil
}

func (b *binder) popWith() { b.ctes = b.ctes[:len(b.ctes)-1] }

// lookupCTE finds the visible CTE called name, innermost WITH first, and
// returns the frames visible to its body.
func (b *binder) lookupCTE(name string) (*pg.CommonTableExpr, int) {
	for fi := len(b.ctes) - 1; fi >= 0; fi-- {
		f := b.ctes[fi]
		for i, c := range f.ctes[:f.visible] {
			if c.Ctename == name {
				b.cteIndex = i
				return c, fi
			}
		}
	}
	return nil, 0
}

// planCTE binds a CTE's body where it is referenced (each reference
// reads its own copy), seeing only the CTEs defined before it.
func (b *binder) planCTE(c *pg.CommonTableExpr, frame int) (logical.Plan, error) {
	f := b.ctes[frame]
	savedFrames, savedVisible := b.ctes, f.visible
	b.ctes = b.ctes[:frame+1]
	f.visible = b.cteIndex
	defer func() { b.ctes, f.visible = savedFrames, savedVisible }()
	p, err := b.planSubquery(c.Ctequery.GetSelectStmt(), nodeLocation(c.Ctequery))
	if err != nil {
		return nil, err
	}
	if len(c.Aliascolnames) > 0 {
		fields := p.Schema().Fields()
		if len(c.Aliascolnames) > len(fields) {
			return nil, b.errorf(int(c.Location), "WITH query %s has %d columns available but %d columns specified", quote(c.Ctename), len(fields), len(c.Aliascolnames))
		}
		proj := &logical.Projection{Input: p}
		for i, f := range fields {
			name := f.Name
			if i < len(c.Aliascolnames) {
				name = c.Aliascolnames[i].GetString_().GetSval()
			}
			proj.Exprs = append(proj.Exprs, &expr.Column{Name: f.Name, Type: f.Type})
			proj.Names = append(proj.Names, name)
		}
		return proj, nil
	}
	return p, nil
}
