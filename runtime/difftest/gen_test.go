package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/sqllogictest"
)

// kind is a result column's value family; SQLite has no booleans, so the
// comparison needs to know which integers are truth values.
type kind byte

const (
	kindInt    kind = 'i'
	kindFloat  kind = 'f'
	kindString kind = 's'
	kindBool   kind = 'b'
)

// column of the random table. Values are kept small and floats on a
// 0.5 grid so sums are exact in both engines and nothing overflows.
type column struct {
	name     string
	typ      arrow.DataType
	sqlite   string
	kind     kind
	nullable bool
}

var columns = []column{
	{"k", arrow.PrimitiveTypes.Int64, "INTEGER", kindInt, false},
	{"a", arrow.PrimitiveTypes.Int64, "INTEGER", kindInt, true},
	{"f", arrow.PrimitiveTypes.Float64, "REAL", kindFloat, true},
	{"s", arrow.BinaryTypes.String, "TEXT", kindString, true},
	{"b", arrow.FixedWidthTypes.Boolean, "INTEGER", kindBool, true},
}

// Lower-case only: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
var words = []string{"", "a", "b", "c", "ab", "ba", "abc", "bca", "cab"}

func (c column) random(r *rand.Rand) expr.Scalar {
	if c.nullable && r.IntN(6) == 0 {
		return expr.Null(c.typ)
	}
	switch c.kind {
	case kindInt:
		if c.name == "k" {
			return expr.Int64(int64(r.IntN(8)))
		}
		return expr.Int64(int64(r.IntN(41) - 20))
	case kindFloat:
		return expr.Float64(float64(r.IntN(21)-10) / 2)
	case kindString:
		return expr.String(words[r.IntN(len(words))])
	}
	return expr.Bool(r.IntN(2) == 0)
}

// randomTable returns rows and a random layout whose declarations the
// sqllogictest builder makes true.
func randomTable(r *rand.Rand, name string) *sqllogictest.TableDef {
	t := &sqllogictest.TableDef{Name: name}
	for _, c := range columns {
		t.Columns = append(t.Columns, sqllogictest.Column{Name: c.name, Type: c.typ, Nullable: c.nullable})
	}
	n := r.IntN(60)
	if r.IntN(10) == 0 {
		n = 0
	}
	for range n {
		row := make([]expr.Scalar, len(columns))
		for i, c := range columns {
			row[i] = c.random(r)
		}
		t.Rows = append(t.Rows, row)
	}
	l := sqllogictest.Layout{
		Partitions: 1 + r.IntN(5),
		Pushdown:   []plan.FilterPushdown{plan.Exact, plan.Inexact, plan.Unsupported}[r.IntN(3)],
		BatchRows:  []int{0, 1, 4, 16}[r.IntN(4)],
	}
	switch r.IntN(3) {
	case 1:
		l.Key = []string{"k"}
	case 2:
		l.Range = []string{"k", "a"}[r.IntN(2)]
	}
	if r.IntN(2) == 0 {
		c := columns[r.IntN(len(columns))].name
		desc := r.IntN(2) == 0
		l.Ordering = []plan.SortKey{{Column: c, Descending: desc, NullsFirst: r.IntN(2) == 0}}
	}
	if l.Partitions > 2 && r.IntN(3) == 0 {
		l.Empty = []int{r.IntN(l.Partitions)}
	}
	t.Layout = l
	return t
}

// query is one generated statement and the kinds of its result columns.
type query struct {
	sql     string
	kinds   []kind
	ordered bool // ORDER BY makes the result a list, not a multiset
}

type gen struct {
	r     *rand.Rand
	table string
}

func (g *gen) pick(items ...string) string { return items[g.r.IntN(len(items))] }

func (g *gen) literal(c column) string {
	switch c.kind {
	case kindInt:
		return fmt.Sprint(g.r.IntN(41) - 20)
	case kindFloat:
		return fmt.Sprintf("%.1f", float64(g.r.IntN(21)-10)/2)
	case kindString:
		return "'" + words[g.r.IntN(len(words))] + "'"
	}
	return "true"
}

var (
	numericCols = []column{columns[0], columns[1], columns[2]}
	ops         = []string{"=", "<>", "<", "<=", ">", ">="}
)

// predicate builds a random WHERE/HAVING-free condition of the given depth.
func (g *gen) predicate(depth int) string {
	if depth > 0 && g.r.IntN(3) > 0 {
		switch g.r.IntN(3) {
		case 0:
			return "(" + g.predicate(depth-1) + " AND " + g.predicate(depth-1) + ")"
		case 1:
			return "(" + g.predicate(depth-1) + " OR " + g.predicate(depth-1) + ")"
		default:
			return "NOT (" + g.predicate(depth-1) + ")"
		}
	}
	c := columns[g.r.IntN(len(columns))]
	switch g.r.IntN(9) {
	case 6:
		// Scalar functions both engines define alike.
		return g.pick("lower(s) = 'ab'", "length(s) > 1", "coalesce(a, 0) > "+g.literal(columns[1]),
			"substr(s, 2, 1) = 'b'", "s || 'x' = 'ax'", "a IS DISTINCT FROM k", "s IS NOT DISTINCT FROM 'ab'", "CASE WHEN a > 0 THEN k ELSE -k END < 3", "nullif(a, 0) IS NULL")
	case 0:
		return c.name + g.pick(" IS NULL", " IS NOT NULL")
	case 1:
		if c.kind == kindBool {
			return g.pick("b", "NOT b")
		}
		items := make([]string, 1+g.r.IntN(4))
		for i := range items {
			items[i] = g.literal(c)
			if g.r.IntN(8) == 0 {
				items[i] = "NULL"
			}
		}
		return c.name + g.pick(" IN (", " NOT IN (") + strings.Join(items, ", ") + ")"
	case 2:
		if c.kind == kindBool {
			return "b IS NOT NULL"
		}
		return c.name + g.pick(" BETWEEN ", " NOT BETWEEN ") + g.literal(c) + " AND " + g.literal(c)
	case 3:
		return "s" + g.pick(" LIKE ", " NOT LIKE ") + g.pick("'a%'", "'%b'", "'%a%'", "'_'", "'a_'", "'ab'", "'%'", "''", "'_b%'")
	case 4:
		x, y := numericCols[g.r.IntN(3)], numericCols[g.r.IntN(3)]
		return x.name + " " + ops[g.r.IntN(len(ops))] + " " + y.name
	case 5:
		x := numericCols[g.r.IntN(3)]
		return x.name + " + " + numericCols[g.r.IntN(3)].name + " " + ops[g.r.IntN(len(ops))] + " " + g.literal(x)
	}
	if c.kind == kindBool {
		return g.pick("b", "NOT b", "b = true", "b <> false")
	}
	return c.name + " " + ops[g.r.IntN(len(ops))] + " " + g.literal(c)
}

func (g *gen) where() string {
	if g.r.IntN(4) == 0 {
		return ""
	}
	return " WHERE " + g.predicate(2)
}

// orderBy orders by every output position (so the order is total over
// distinguishable rows), in random sequence and directions, with explicit
// null placement because the engines' defaults differ.
func (g *gen) orderBy(n int) string {
	pos := g.r.Perm(n)
	keys := make([]string, n)
	for i, p := range pos {
		keys[i] = fmt.Sprintf("%d%s%s", p+1, g.pick(" ASC", " DESC"), g.pick(" NULLS FIRST", " NULLS LAST"))
	}
	s := " ORDER BY " + strings.Join(keys, ", ")
	if g.r.IntN(2) == 0 {
		s += fmt.Sprintf(" LIMIT %d", g.r.IntN(12))
		if g.r.IntN(2) == 0 {
			s += fmt.Sprintf(" OFFSET %d", g.r.IntN(8))
		}
	}
	return s
}

func (g *gen) query() query {
	switch g.r.IntN(8) {
	case 0, 1:
		return g.projection()
	case 2:
		return g.setOperation()
	case 3:
		return g.join()
	case 4:
		return g.subquery()
	case 5:
		return g.window()
	}
	return g.aggregate()
}

// window computes a window function over a random partitioning and
// order. The table has no unique column, so only functions whose value
// does not depend on how ties are broken are generated: ranks, and
// aggregates over the default frame (which takes in every peer) or the
// whole partition.
func (g *gen) window() query {
	fns := []struct {
		call string
		kind kind
	}{
		{"rank()", kindInt}, {"dense_rank()", kindInt}, {"count(*)", kindInt}, {"count(a)", kindInt},
		{"sum(a)", kindInt}, {"max(a)", kindInt}, {"min(s)", kindString}, {"sum(f)", kindFloat},
		{"cume_dist()", kindFloat}, {"percent_rank()", kindFloat},
	}
	fn := fns[g.r.IntN(len(fns))]
	spec := g.pick("", "PARTITION BY k", "PARTITION BY s", "PARTITION BY b", "PARTITION BY k, s", "PARTITION BY a % 3")
	order := g.pick("", "ORDER BY a ASC NULLS FIRST", "ORDER BY a DESC NULLS LAST", "ORDER BY s NULLS FIRST, a NULLS LAST", "ORDER BY f DESC NULLS FIRST", "ORDER BY k")
	if order != "" {
		spec = strings.TrimSpace(spec + " " + order)
		if g.r.IntN(4) == 0 && fn.call != "rank()" && fn.call != "dense_rank()" && fn.call != "cume_dist()" && fn.call != "percent_rank()" {
			spec += " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
		}
	}
	q := query{sql: "SELECT k, a, s, " + fn.call + " OVER (" + spec + ") FROM " + g.table + g.where(),
		kinds: []kind{kindInt, kindInt, kindString, fn.kind}}
	if g.r.IntN(3) == 0 {
		// A condition above the window: the planner pushes those on
		// PARTITION BY columns below it and must keep the others above.
		q.sql = "SELECT * FROM (" + q.sql + ") w WHERE " + g.pick("k <= 3", "s = 'ab'", "k IN (1, 2) AND a > 0", "a IS NULL", "k = 2 OR s = 'a'")
	}
	if g.r.IntN(2) == 0 {
		q.sql += g.orderBy(4)
		q.ordered = true
	}
	return q
}

// side is one input of a generated join: the table filtered at random,
// its columns renamed so the two inputs' names differ (which also
// exercises pushdown through subqueries).
func (g *gen) side(n int) string {
	return fmt.Sprintf("(SELECT k AS k%d, a AS a%d, s AS s%d FROM %s%s)", n, n, n, g.table, g.where())
}

// join joins two filtered copies of the table with every join type, on
// equality keys (with or without a residual condition) or on conditions
// without one (nested-loop joins), or as a comma join with the condition
// in WHERE.
func (g *gen) join() query {
	conds := []string{"x.k1 = y.k2", "x.k1 = y.k2 AND x.a1 < y.a2", "x.a1 = y.a2", "x.s1 = y.s2", "x.k1 = y.k2 AND x.s1 = y.s2",
		"x.k1 < y.k2", "x.k1 = y.k2 OR x.a1 = y.a2"}
	cond := conds[g.r.IntN(len(conds))]
	from := g.side(1) + " x " + g.pick("JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN") + " " + g.side(2) + " y ON " + cond
	if g.r.IntN(5) == 0 {
		from = g.side(1) + " x, " + g.side(2) + " y WHERE " + cond
	}
	if g.r.IntN(3) == 0 {
		q := query{sql: "SELECT count(*), sum(x.a1), max(y.s2) FROM " + from, kinds: []kind{kindInt, kindInt, kindString}}
		return q
	}
	if g.r.IntN(4) == 0 {
		// Grouped by the right side, aggregating the left: the shape eager
		// aggregation rewrites (inner equi-joins only).
		return query{sql: "SELECT y.s2, count(*), sum(x.a1), min(x.k1), count(x.a1) FROM " + from + " GROUP BY y.s2",
			kinds: []kind{kindString, kindInt, kindInt, kindInt, kindInt}}
	}
	q := query{sql: "SELECT x.k1, x.a1, y.a2, y.s2 FROM " + from, kinds: []kind{kindInt, kindInt, kindInt, kindString}}
	if g.r.IntN(2) == 0 {
		q.sql += g.orderBy(4)
		q.ordered = true
	}
	return q
}

// subquery filters the table with an IN, NOT IN, EXISTS or NOT EXISTS
// subquery (semi and anti joins, NOT IN with SQL's NULL semantics), or
// compares with a scalar subquery.
func (g *gen) subquery() query {
	col := g.pick("k", "a")
	var cond string
	switch g.r.IntN(6) {
	case 5:
		// A correlated scalar subquery (decorrelated into a join with
		// the aggregate grouped by the key).
		cond = "a " + ops[g.r.IntN(len(ops))] + " (SELECT " + g.pick("min(a)", "max(k)", "count(*) - 3", "sum(a)", "count(a)") + " FROM " + g.table +
			" y WHERE y.k = x.k" + g.pick("", " AND y.s = x.s", " AND y.a < 5", " AND x.a = y.a") + ")"
	case 0:
		cond = col + " IN (SELECT " + g.pick("k", "a") + " FROM " + g.table + g.where() + ")"
	case 1:
		cond = col + " NOT IN (SELECT " + g.pick("k", "a") + " FROM " + g.table + g.where() + ")"
	case 2, 3:
		cond = g.pick("EXISTS", "NOT EXISTS") + " (SELECT 1 FROM " + g.table + " y WHERE y.k = x.k" +
			g.pick("", " AND y.a > x.a", " AND y.s = x.s", " AND y.a IS NULL") + ")"
	default:
		cond = "a " + ops[g.r.IntN(len(ops))] + " (SELECT " + g.pick("min(a)", "max(k)", "count(*) - 10", "sum(a)") + " FROM " + g.table + g.where() + ")"
	}
	q := query{sql: "SELECT x.k, x.a, x.s FROM " + g.table + " x WHERE " + cond, kinds: []kind{kindInt, kindInt, kindString}}
	if g.r.IntN(2) == 0 {
		q.sql += g.orderBy(3)
		q.ordered = true
	}
	return q
}

// setOperation combines two selects of the table with UNION [ALL],
// INTERSECT or EXCEPT (SQLite compares whole rows with NULL equal to NULL,
// as PostgreSQL does), column kinds matching position by position.
func (g *gen) setOperation() query {
	shapes := [][2][]string{
		{{"a"}, {"k"}}, {{"s"}, {"s"}}, {{"a", "s"}, {"k", "s"}}, {{"k", "b"}, {"a", "b"}}, {{"f"}, {"f"}},
	}
	shape := shapes[g.r.IntN(len(shapes))]
	kindOf := map[string]kind{}
	for _, c := range columns {
		kindOf[c.name] = c.kind
	}
	var kinds []kind
	for _, c := range shape[0] {
		kinds = append(kinds, kindOf[c])
	}
	op := g.pick(" UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT ")
	q := query{kinds: kinds, sql: "SELECT " + strings.Join(shape[0], ", ") + " FROM " + g.table + g.where() +
		op + "SELECT " + strings.Join(shape[1], ", ") + " FROM " + g.table + g.where()}
	if g.r.IntN(2) == 0 {
		q.sql += g.orderBy(len(kinds))
		q.ordered = true
	}
	return q
}

func (g *gen) projection() query {
	var items []string
	var kinds []kind
	for range 1 + g.r.IntN(3) {
		switch g.r.IntN(5) {
		case 0:
			x, y := numericCols[g.r.IntN(3)], numericCols[g.r.IntN(3)]
			k := kindInt
			if x.kind == kindFloat || y.kind == kindFloat {
				k = kindFloat
			}
			items = append(items, x.name+g.pick(" + ", " - ", " * ")+y.name)
			kinds = append(kinds, k)
		case 1:
			x := numericCols[g.r.IntN(3)]
			items = append(items, "-"+x.name)
			kinds = append(kinds, x.kind)
		case 2:
			// Conditional expressions and functions with the same
			// semantics in SQLite (no GREATEST, round or trim(... FROM)).
			switch g.r.IntN(6) {
			case 0:
				items = append(items, "CASE WHEN "+g.predicate(1)+" THEN a WHEN a IS NULL THEN k ELSE "+g.literal(columns[1])+" END")
			case 1:
				items = append(items, g.pick("coalesce(a, k)", "coalesce(a, NULL, "+g.literal(columns[1])+")", "nullif(a, "+g.literal(columns[1])+")"))
			case 2:
				items = append(items, g.pick("abs(a)", "length(s)", "a % 7", "CASE k WHEN 1 THEN a WHEN 2 THEN 0 END"))
			default:
				items = append(items, g.pick("lower(s)", "upper(s)", "s || 'x'", "coalesce(s, 'none')", "replace(s, 'a', 'x')",
					fmt.Sprintf("substr(s, %d, %d)", 1+g.r.IntN(3), g.r.IntN(4)), "ltrim(s, 'a')", "rtrim(s, 'b')", "nullif(s, 'ab')"))
				kinds = append(kinds, kindString)
				continue
			}
			kinds = append(kinds, kindInt)
		default:
			c := columns[g.r.IntN(len(columns))]
			items = append(items, c.name)
			kinds = append(kinds, c.kind)
		}
	}
	ordered := g.r.IntN(2) == 0
	q := query{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + g.table + g.where(), kinds: kinds}
	if ordered {
		q.sql += g.orderBy(len(items))
		q.ordered = true
	}
	return q
}

var groupCols = []column{columns[0], columns[1], columns[3], columns[4]}

func (g *gen) aggregate() query {
	var items []string
	var kinds []kind
	nGroups := g.r.IntN(3)
	var groups []string
	for _, i := range g.r.Perm(len(groupCols))[:nGroups] {
		groups = append(groups, groupCols[i].name)
		items = append(items, groupCols[i].name)
		kinds = append(kinds, groupCols[i].kind)
	}
	for range 1 + g.r.IntN(3) {
		c := columns[g.r.IntN(4)] // no aggregates over bool
		switch g.r.IntN(7) {
		case 0:
			items = append(items, "count(*)")
			kinds = append(kinds, kindInt)
		case 1:
			items = append(items, "count("+c.name+")")
			kinds = append(kinds, kindInt)
		case 2:
			items = append(items, "count(DISTINCT "+c.name+")")
			kinds = append(kinds, kindInt)
		case 3, 4:
			fn := g.pick("min", "max")
			items = append(items, fn+"("+c.name+")")
			kinds = append(kinds, c.kind)
		case 5:
			x := numericCols[g.r.IntN(3)]
			items = append(items, "sum("+x.name+")")
			kinds = append(kinds, x.kind)
		default:
			x := numericCols[g.r.IntN(3)]
			items = append(items, "avg("+x.name+")")
			kinds = append(kinds, kindFloat)
		}
	}
	having := len(groups) > 0 && g.r.IntN(3) == 0
	ordered := len(groups) > 0 && g.r.IntN(2) == 0
	q := query{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + g.table + g.where(), kinds: kinds}
	if len(groups) > 0 {
		q.sql += " GROUP BY " + strings.Join(groups, ", ")
		if having {
			q.sql += fmt.Sprintf(" HAVING count(*) %s %d", g.pick(">", "<=", "="), g.r.IntN(5))
		}
		if ordered {
			q.sql += g.orderBy(len(items))
			q.ordered = true
		}
	}
	return q
}
