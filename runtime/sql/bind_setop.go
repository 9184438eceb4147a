package sql

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

// Set operations. UNION ALL is a logical.Union of its two inputs. UNION
// groups that by every column, which removes duplicates and treats NULLs
// as equal, as set operations do. INTERSECT and EXCEPT tag each input's
// rows (a 1 in one marker column, NULL in the other), group by every
// column and count the markers: a group is in the intersection when both
// counts are positive, in the difference when only the left's is. The
// ALL forms of INTERSECT and EXCEPT return each distinct row min(m, n)
// and m - n times (m, n its counts on each side) through logical.Repeat.
//
// Inputs are cast to the common type of each column, as PostgreSQL's
// UNION type resolution does; the result takes the left input's column
// names. ORDER BY, LIMIT and OFFSET written after the last input apply to
// the whole operation and may name result columns only.

// setOpNames are the keywords of set operations, for messages.
var setOpNames = map[pg.SetOperation]string{
	pg.SetOperation_SETOP_UNION:     "UNION",
	pg.SetOperation_SETOP_INTERSECT: "INTERSECT",
	pg.SetOperation_SETOP_EXCEPT:    "EXCEPT",
}

// setOpResult is a planned set operation: its plan outputs the columns
// named internal (unique), shown to the user as names.
type setOpResult struct {
	plan     logical.Plan
	internal []string
	names    []string
	types    []arrow.DataType
}

// planSetOp plans `left op right [ORDER BY ...] [LIMIT ...]`.
func (b *binder) planSetOp(s *pg.SelectStmt, cat Catalog, stmtPos int, lp *limitParams) (logical.Plan, error) {
	if s.WithClause != nil {
		if err := b.pushWith(s.WithClause); err != nil {
			return nil, err
		}
		defer b.popWith()
	}
	if s.IntoClause != nil {
		return nil, b.unsupported(keywordPos(b.sql, stmtPos, "INTO"), "SELECT INTO")
	}
	if len(s.LockingClause) > 0 {
		return nil, b.unsupported(keywordPos(b.sql, stmtPos, "FOR"), "FOR UPDATE/SHARE")
	}
	if s.LimitOption == pg.LimitOption_LIMIT_OPTION_WITH_TIES {
		return nil, b.unsupported(keywordPos(b.sql, stmtPos, "TIES"), "FETCH ... WITH TIES")
	}
	res, err := b.setOpBody(s, cat, stmtPos)
	if err != nil {
		return nil, err
	}
	out := res.plan
	if len(s.SortClause) > 0 {
		if out, err = b.setOpOrderBy(s, res); err != nil {
			return nil, err
		}
	}
	if out, err = b.planLimit(s, out, lp); err != nil {
		return nil, err
	}
	if !equalStrings(res.internal, res.names) {
		final := &logical.Projection{Input: out, Names: res.names}
		for i, n := range res.internal {
			final.Exprs = append(final.Exprs, &expr.Column{Name: n, Type: res.types[i]})
		}
		out = final
	}
	return out, nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// setOpBody plans the operation itself, without ORDER BY and LIMIT.
func (b *binder) setOpBody(s *pg.SelectStmt, cat Catalog, stmtPos int) (setOpResult, error) {
	name := setOpNames[s.Op]
	opPos := b.setOpKeyword(s, stmtPos, name)
	if s.Larg == nil || s.Rarg == nil {
		return setOpResult{}, b.errorf(opPos, "%s needs two queries", name)
	}
	left, err := b.planBranch(s.Larg, cat, stmtPos)
	if err != nil {
		return setOpResult{}, err
	}
	right, err := b.planBranch(s.Rarg, cat, stmtPos)
	if err != nil {
		return setOpResult{}, err
	}
	ls, rs := left.Schema(), right.Schema()
	rpos := targetPositions(s.Rarg)
	posOf := func(i int) int {
		if i < len(rpos) {
			return rpos[i]
		}
		if len(rpos) > 0 {
			return rpos[0]
		}
		return opPos
	}
	if ls.NumFields() != rs.NumFields() {
		return setOpResult{}, b.errorf(posOf(0), "each %s query must have the same number of columns (%d and %d)", name, ls.NumFields(), rs.NumFields())
	}
	res := setOpResult{}
	for i := 0; i < ls.NumFields(); i++ {
		lt, rt := ls.Field(i).Type, rs.Field(i).Type
		t, ok := setOpType(lt, rt)
		if !ok {
			return setOpResult{}, b.errorf(posOf(i), "%s types %s and %s cannot be matched", name, typeName(lt), typeName(rt))
		}
		res.names = append(res.names, ls.Field(i).Name)
		res.types = append(res.types, t)
	}
	res.internal = uniqueNames(res.names)
	if left, err = b.adaptBranch(left, res, nil, opPos); err != nil {
		return setOpResult{}, err
	}
	if right, err = b.adaptBranch(right, res, nil, posOf(0)); err != nil {
		return setOpResult{}, err
	}
	if s.Op == pg.SetOperation_SETOP_UNION {
		var p logical.Plan = &logical.Union{Inputs: []logical.Plan{left, right}, Names: res.internal}
		if !s.All {
			p = groupAll(p, res, nil)
		}
		res.plan = p
		return res, nil
	}
	// INTERSECT / EXCEPT: tag the rows of each side.
	lmark, rmark, nmark := markerNames(res.internal)
	i64 := arrow.PrimitiveTypes.Int64
	one, none := expr.Int64(1), expr.Null(i64)
	left = withMarkers(left, lmark, rmark, one, none)
	right = withMarkers(right, lmark, rmark, none, one)
	union := &logical.Union{Inputs: []logical.Plan{left, right}, Names: append(append([]string{}, res.internal...), lmark, rmark)}
	counts := []*expr.Aggregate{
		{Func: expr.AggCount, Arg: &expr.Column{Name: lmark, Type: i64}, Type: i64},
		{Func: expr.AggCount, Arg: &expr.Column{Name: rmark, Type: i64}, Type: i64},
	}
	agg := groupAll(union, res, counts)
	cnt := func(k int) expr.Expr { return &expr.Column{Name: agg.AggNames[k], Type: i64} }
	if s.All {
		// Each distinct row min(m, n) times (INTERSECT ALL) or m - n
		// times (EXCEPT ALL), m and n its counts on the left and right.
		var times expr.Expr = &expr.Func{Name: "least", Args: []expr.Expr{cnt(0), cnt(1)}, Type: i64}
		if s.Op == pg.SetOperation_SETOP_EXCEPT {
			times = &expr.Binary{Op: expr.OpSub, L: cnt(0), R: cnt(1), Type: i64}
		}
		proj := &logical.Projection{Input: agg, Names: append(append([]string{}, res.internal...), nmark)}
		for i, n := range res.internal {
			proj.Exprs = append(proj.Exprs, &expr.Column{Name: n, Type: res.types[i]})
		}
		proj.Exprs = append(proj.Exprs, times)
		res.plan = &logical.Repeat{Input: proj, Count: nmark}
		return res, nil
	}
	boolean := arrow.FixedWidthTypes.Boolean
	zero := &expr.Literal{Value: expr.Int64(0)}
	inLeft := &expr.Binary{Op: expr.OpGt, L: cnt(0), R: zero, Type: boolean}
	rightOp := expr.OpGt
	if s.Op == pg.SetOperation_SETOP_EXCEPT {
		rightOp = expr.OpEq
	}
	keep := &expr.Binary{Op: expr.OpAnd, L: inLeft, R: &expr.Binary{Op: rightOp, L: cnt(1), R: zero, Type: boolean}, Type: boolean}
	proj := &logical.Projection{Input: &logical.Filter{Input: agg, Predicate: keep}, Names: res.internal}
	for i, n := range res.internal {
		proj.Exprs = append(proj.Exprs, &expr.Column{Name: n, Type: res.types[i]})
	}
	res.plan = proj
	return res, nil
}

// setOpKeyword finds the position of the operation's keyword after its
// left input, for messages.
func (b *binder) setOpKeyword(s *pg.SelectStmt, stmtPos int, name string) int {
	from := stmtPos
	if pos := targetPositions(s.Rarg); len(pos) > 0 {
		// The keyword is the last occurrence before the right input.
		for p := stmtPos; p >= 0 && p < pos[0]; {
			q := findKeyword(b.sql, p, name)
			if q < 0 || q >= pos[0] {
				break
			}
			from, p = q, q+len(name)
		}
		return from
	}
	return keywordPos(b.sql, stmtPos, name)
}

// planBranch plans one input of a set operation as a query of its own
// (with its own name scope; CTEs of the WITH around it stay visible).
func (b *binder) planBranch(s *pg.SelectStmt, _ Catalog, stmtPos int) (logical.Plan, error) {
	return b.planSubquery(s, stmtPos)
}

// targetPositions lists where the select list items of a query (its
// leftmost query, for a set operation) are written.
func targetPositions(s *pg.SelectStmt) []int {
	for s != nil && s.Op != pg.SetOperation_SETOP_NONE {
		s = s.Larg
	}
	if s == nil {
		return nil
	}
	out := make([]int, 0, len(s.TargetList))
	for _, t := range s.TargetList {
		out = append(out, nodeLocation(t))
	}
	return out
}

// setOpType is the type a column of both inputs is converted to: the
// common type, or the other side's for an input that is NULL there.
func setOpType(l, r arrow.DataType) (arrow.DataType, bool) {
	switch {
	case l.ID() == arrow.NULL && r.ID() == arrow.NULL:
		return arrow.BinaryTypes.String, true // unknown resolves to text
	case l.ID() == arrow.NULL:
		return r, true
	case r.ID() == arrow.NULL:
		return l, true
	}
	return commonType(l, r)
}

// uniqueNames makes repeated names distinct (a, a -> a, a#2) so plan
// nodes can refer to each column by name.
func uniqueNames(names []string) []string {
	out := make([]string, len(names))
	seen := map[string]bool{}
	for i, n := range names {
		u := n
		for k := 2; seen[u]; k++ {
			u = fmt.Sprintf("%s#%d", n, k)
		}
		seen[u] = true
		out[i] = u
	}
	return out
}

// markerNames picks the names of the two tag columns and of the
// repetition count, distinct from the data columns.
func markerNames(cols []string) (string, string, string) {
	taken := map[string]bool{}
	for _, c := range cols {
		taken[c] = true
	}
	pick := func(base string) string {
		n := base
		for k := 2; taken[n]; k++ {
			n = fmt.Sprintf("%s%d", base, k)
		}
		taken[n] = true
		return n
	}
	return pick("#left"), pick("#right"), pick("#times")
}

// adaptBranch gives an input's columns the operation's internal names and
// types: its top projection is rewritten in place (its names may repeat,
// so they cannot be referred to), any other plan gets a projection.
func (b *binder) adaptBranch(p logical.Plan, res setOpResult, _ []string, pos int) (logical.Plan, error) {
	if proj, ok := p.(*logical.Projection); ok {
		c := &logical.Projection{Input: proj.Input, Names: res.internal, Exprs: make([]expr.Expr, len(proj.Exprs))}
		for i, e := range proj.Exprs {
			ce, err := b.convertColumn(e, res.types[i], pos)
			if err != nil {
				return nil, err
			}
			c.Exprs[i] = ce
		}
		return c, nil
	}
	schema := p.Schema()
	seen := map[string]bool{}
	c := &logical.Projection{Input: p, Names: res.internal}
	for i, f := range schema.Fields() {
		if seen[f.Name] {
			return nil, b.unsupported(pos, "a set operation input with two output columns named %s", quote(f.Name))
		}
		seen[f.Name] = true
		ce, err := b.convertColumn(&expr.Column{Name: f.Name, Type: f.Type}, res.types[i], pos)
		if err != nil {
			return nil, err
		}
		c.Exprs = append(c.Exprs, ce)
	}
	return c, nil
}

// convertColumn converts an input column to the operation's type.
func (b *binder) convertColumn(e expr.Expr, t arrow.DataType, pos int) (expr.Expr, error) {
	from := e.DataType()
	switch {
	case arrow.TypeEqual(from, t):
		return e, nil
	case from.ID() == arrow.NULL:
		return &expr.Literal{Value: expr.Null(t)}, nil
	}
	if lit, ok := e.(*expr.Literal); ok {
		v, err := castScalar(lit.Value, t)
		if err != nil {
			return nil, b.errorf(pos, "%v", err)
		}
		return &expr.Literal{Value: v}, nil
	}
	if !canCast(from, t) {
		return nil, b.errorf(pos, "cannot cast type %s to %s", typeName(from), typeName(t))
	}
	return &expr.Cast{E: e, To: t}, nil
}

// withMarkers appends the two tag columns to an input.
func withMarkers(p logical.Plan, lname, rname string, l, r expr.Scalar) logical.Plan {
	proj := p.(*logical.Projection) // adaptBranch always returns one
	c := &logical.Projection{Input: proj.Input, Names: append(append([]string{}, proj.Names...), lname, rname)}
	c.Exprs = append(append([]expr.Expr{}, proj.Exprs...), &expr.Literal{Value: l}, &expr.Literal{Value: r})
	return c
}

// groupAll groups p by the operation's columns, computing aggs.
func groupAll(p logical.Plan, res setOpResult, aggs []*expr.Aggregate) *logical.Aggregate {
	agg := &logical.Aggregate{Input: p, GroupNames: res.internal, Aggs: aggs}
	for i, n := range res.internal {
		agg.GroupBy = append(agg.GroupBy, &expr.Column{Name: n, Type: res.types[i]})
	}
	for _, a := range aggs {
		agg.AggNames = append(agg.AggNames, a.String())
	}
	return agg
}

// setOpOrderBy binds ORDER BY of a set operation: result column names and
// ordinals only, as PostgreSQL requires.
func (b *binder) setOpOrderBy(s *pg.SelectStmt, res setOpResult) (logical.Plan, error) {
	items := make([]item, len(res.names))
	for i := range items {
		items[i] = item{e: &expr.Column{Name: res.internal[i], Type: res.types[i]}, name: res.names[i]}
	}
	sort := &logical.Sort{Input: res.plan}
	for _, n := range s.SortClause {
		sb := n.GetSortBy()
		if sb == nil {
			return nil, b.errorf(nodeLocation(n), "unexpected ORDER BY entry")
		}
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return nil, b.unsupported(int(sb.Location), "ORDER BY ... USING")
		}
		idx, err := b.orderTarget(sb.Node, items)
		if err != nil {
			return nil, err
		}
		if idx < 0 {
			return nil, b.errorf(nodeLocation(sb.Node), "invalid %s ORDER BY clause: only result column names and positions can be used, not expressions", strings.Join([]string{"UNION", "INTERSECT", "EXCEPT"}, "/"))
		}
		if t := res.types[idx]; !orderable(t) {
			return nil, b.errorf(nodeLocation(sb.Node), "could not identify an ordering operator for type %s", typeName(t))
		}
		desc := sb.SortbyDir == pg.SortByDir_SORTBY_DESC
		nullsFirst := desc
		switch sb.SortbyNulls {
		case pg.SortByNulls_SORTBY_NULLS_FIRST:
			nullsFirst = true
		case pg.SortByNulls_SORTBY_NULLS_LAST:
			nullsFirst = false
		}
		sort.Keys = append(sort.Keys, logical.SortExpr{Expr: items[idx].e, Descending: desc, NullsFirst: nullsFirst})
	}
	return sort, nil
}
