package sql

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

// Name scopes.
//
// A FROM clause makes the columns of its items (tables, subqueries, CTE
// references) visible by name, unqualified or qualified by the item's
// alias (or table name when it has none). Expressions in the plan refer to
// columns by name, so every column of every item gets an internal name
// that is unique in the statement: its own name when no other item of the
// statement has a column of that name, else qualifier.name (the ones
// users read in EXPLAIN: `e.id = u.id`). A single-table query keeps the
// table's names, and its plans are unchanged.

// scopeColumn is one column a FROM item makes visible.
type scopeColumn struct {
	name     string // as SQL refers to it
	internal string // its name in the plan
	typ      arrow.DataType
}

// relation is one FROM item.
type relation struct {
	qual    string // the alias, else the table name ("" for an unaliased subquery)
	table   string // the table's name, when the item is a table
	aliased bool
	pos     int
	cols    []scopeColumn
}

// starItem is one column * expands to.
type starItem struct {
	name string
	e    expr.Expr
}

// merged is a column of a JOIN ... USING (or NATURAL JOIN): the one name
// stands for the equal columns of both inputs.
type merged struct {
	name string
	e    expr.Expr // nil for a FULL join (it would be COALESCE of both)
}

// scope is what a FROM clause (or one JOIN inside it) makes visible.
type scope struct {
	rels   []*relation
	merged map[string]merged
	// hidden lists, per relation, the columns a USING merged away: an
	// unqualified name finds the merged column instead.
	hidden map[*relation]map[string]bool
	star   []starItem
	// outer is the scope of the query a subquery is nested in.
	outer *scope
}

func newScope() *scope {
	return &scope{merged: map[string]merged{}, hidden: map[*relation]map[string]bool{}}
}

// leafScope is the scope of one FROM item.
func leafScope(r *relation) *scope {
	s := newScope()
	s.rels = []*relation{r}
	for _, c := range r.cols {
		s.star = append(s.star, starItem{name: c.name, e: &expr.Column{Name: c.internal, Type: c.typ}})
	}
	return s
}

// join is the scope of two FROM items side by side (before USING).
func joinScopes(l, r *scope) *scope {
	s := newScope()
	s.rels = append(append(s.rels, l.rels...), r.rels...)
	for _, m := range []map[string]merged{l.merged, r.merged} {
		for k, v := range m {
			if _, dup := s.merged[k]; dup {
				// The same name merged on both sides: it is ambiguous.
				s.merged[k] = merged{name: k, e: ambiguousMerge}
				continue
			}
			s.merged[k] = v
		}
	}
	for _, h := range []map[*relation]map[string]bool{l.hidden, r.hidden} {
		for rel, cols := range h {
			s.hidden[rel] = cols
		}
	}
	s.star = append(append(s.star, l.star...), r.star...)
	return s
}

// ambiguousMerge marks a merged name both sides of a join provide.
var ambiguousMerge = &expr.Literal{Value: expr.Null(arrow.Null)}

func (s *scope) relation(qual string) *relation {
	for _, r := range s.rels {
		if r.qual == qual && qual != "" {
			return r
		}
	}
	return nil
}

// hasColumn reports whether an unqualified name is a column of the scope.
func (s *scope) hasColumn(name string) bool {
	if _, ok := s.merged[name]; ok {
		return true
	}
	for _, r := range s.rels {
		for _, c := range r.cols {
			if c.name == name {
				return true
			}
		}
	}
	return false
}

// columnNames lists the scope's column names, for suggestions.
func (s *scope) columnNames() []string {
	var out []string
	for _, r := range s.rels {
		for _, c := range r.cols {
			out = append(out, c.name)
		}
	}
	return out
}

// resolveColumn binds a column reference, qualified (qual != "") or not,
// in b's scope and then the enclosing ones.
func (b *binder) resolveColumn(qual, name string, pos int) (expr.Expr, error) {
	for s, depth := b.scope, 0; s != nil; s, depth = s.outer, depth+1 {
		e, found, err := b.resolveIn(s, qual, name, pos)
		if err != nil {
			return nil, err
		}
		if found {
			if depth > 0 {
				b.noteOuter(e, depth, pos)
			}
			return e, nil
		}
	}
	s := b.scope
	if qual != "" {
		if r := s.relation(qual); r != nil || len(s.rels) == 0 {
			names := []string{}
			if r != nil {
				for _, c := range r.cols {
					names = append(names, c.name)
				}
			}
			return nil, b.errorf(pos, "unknown column %s%s", quote(qual+"."+name), suggest(name, names))
		}
		for _, r := range s.rels {
			if r.aliased && r.table == qual {
				return nil, b.errorf(pos, "invalid reference to FROM-clause entry for table %s; use %s", quote(qual), quote(r.qual))
			}
		}
		var quals []string
		for _, r := range s.rels {
			if r.qual != "" {
				quals = append(quals, r.qual)
			}
		}
		return nil, b.errorf(pos, "missing FROM-clause entry for table %s%s", quote(qual), suggest(qual, quals))
	}
	return nil, b.errorf(pos, "unknown column %s%s", quote(name), suggest(name, s.columnNames()))
}

// resolveIn looks a column up in one scope.
func (b *binder) resolveIn(s *scope, qual, name string, pos int) (expr.Expr, bool, error) {
	if qual != "" {
		r := s.relation(qual)
		if r == nil {
			return nil, false, nil
		}
		var found *scopeColumn
		for i, c := range r.cols {
			if c.name != name {
				continue
			}
			if found != nil {
				return nil, false, b.errorf(pos, "column reference %s is ambiguous", quote(qual+"."+name))
			}
			found = &r.cols[i]
		}
		if found == nil {
			return nil, false, nil
		}
		return b.columnExpr(*found, pos), true, nil
	}
	var hits []expr.Expr
	if m, ok := s.merged[name]; ok {
		switch {
		case m.e == ambiguousMerge:
			return nil, false, b.errorf(pos, "column reference %s is ambiguous", quote(name))
		case m.e == nil:
			return nil, false, b.unsupported(pos, "an unqualified reference to the column %s of a FULL JOIN ... USING (qualify it with a table name)", quote(name))
		}
		hits = append(hits, m.e)
		b.exprNames[m.e] = name
	}
	for _, r := range s.rels {
		if s.hidden[r][name] {
			continue
		}
		for _, c := range r.cols {
			if c.name == name {
				hits = append(hits, b.columnExpr(c, pos))
			}
		}
	}
	switch len(hits) {
	case 0:
		return nil, false, nil
	case 1:
		if c, ok := hits[0].(*expr.Column); ok {
			b.colPos[c] = pos
		}
		return hits[0], true, nil
	}
	return nil, false, b.errorf(pos, "column reference %s is ambiguous", quote(name))
}

func (b *binder) columnExpr(c scopeColumn, pos int) *expr.Column {
	col := &expr.Column{Name: c.internal, Type: c.typ}
	b.colPos[col] = pos
	b.visible[c.internal] = c.name
	return col
}

// noteOuter records a reference to a column of an enclosing query, which
// only a correlated subquery the binder can decorrelate may make.
func (b *binder) noteOuter(e expr.Expr, depth, pos int) {
	if b.outerRefs == nil {
		b.outerRefs = map[string]int{}
	}
	for _, c := range expr.Columns(e) {
		if _, seen := b.outerRefs[c]; !seen {
			b.outerRefs[c] = pos
		}
	}
	_ = depth
}

// nameColumns gives the columns of the FROM items of one FROM clause
// their internal names (see above): a name no other item of the clause
// and no column named so far in the statement has stays; others are
// qualified.
func (b *binder) nameColumns(rels []*relation) {
	count := map[string]int{}
	for _, r := range rels {
		seen := map[string]bool{}
		for _, c := range r.cols {
			if !seen[c.name] {
				count[c.name]++
				seen[c.name] = true
			}
		}
	}
	for _, r := range rels {
		for i := range r.cols {
			c := &r.cols[i]
			name := c.name
			if count[name] > 1 || b.taken[name] {
				q := r.qual
				if q == "" {
					q = "subquery"
				}
				name = q + "." + c.name
			}
			if b.taken[name] {
				base := name
				for k := 2; b.taken[name]; k++ {
					name = base + "#" + strconv.Itoa(k)
				}
			}
			b.taken[name] = true
			c.internal = name
		}
	}
}

// displayName is how messages and default output names call an internal
// column name.
func (b *binder) displayName(internal string) string {
	if v, ok := b.visible[internal]; ok {
		return v
	}
	return internal
}
