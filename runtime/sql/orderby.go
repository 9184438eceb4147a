package sql

import (
	"fmt"

	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"
)

// sortRef is one ORDER BY key, referring to an output column (possibly a
// hidden one added for the sort).
type sortRef struct {
	item       int
	descending bool
	nullsFirst bool
}

// bindOrderBy resolves ORDER BY keys against the select list: an integer
// is an ordinal, a bare name an output column first (as in PostgreSQL),
// and anything else an expression over the input, which reuses a select
// list entry computing the same thing or else becomes a hidden column.
func (b *binder) bindOrderBy(sorts []*pg.Node, items []item, distinct bool) ([]item, []sortRef, error) {
	visible := len(items)
	refs := make([]sortRef, 0, len(sorts))
	for _, n := range sorts {
		sb := n.GetSortBy()
		if sb == nil {
			return nil, nil, b.errorf(nodeLocation(n), "unexpected ORDER BY entry")
		}
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return nil, nil, b.unsupported(int(sb.Location), "ORDER BY ... USING")
		}
		ref := sortRef{descending: sb.SortbyDir == pg.SortByDir_SORTBY_DESC}
		// PostgreSQL's defaults: NULLS LAST ascending, NULLS FIRST descending.
		ref.nullsFirst = ref.descending
		switch sb.SortbyNulls {
		case pg.SortByNulls_SORTBY_NULLS_FIRST:
			ref.nullsFirst = true
		case pg.SortByNulls_SORTBY_NULLS_LAST:
			ref.nullsFirst = false
		}
		idx, err := b.orderTarget(sb.Node, items[:visible])
		if err != nil {
			return nil, nil, err
		}
		if idx < 0 {
			x, err := b.bindExpr(sb.Node)
			if err != nil {
				return nil, nil, err
			}
			e, err := b.finish(x)
			if err != nil {
				return nil, nil, err
			}
			key := e.String()
			for i, it := range items {
				if it.e.String() == key {
					idx = i
					break
				}
			}
			if idx < 0 {
				if distinct {
					return nil, nil, b.errorf(nodeLocation(sb.Node), "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
				}
				items = append(items, item{e: e, name: uniqueName(b.defaultName(e), items), pos: x.pos, hidden: true})
				idx = len(items) - 1
			}
		}
		if t := items[idx].e.DataType(); t.ID() != 0 && !orderable(t) {
			return nil, nil, b.errorf(nodeLocation(sb.Node), "could not identify an ordering operator for type %s", typeName(t))
		}
		refs = append(refs, ref)
		refs[len(refs)-1].item = idx
	}
	return items, refs, nil
}

// orderTarget resolves an ordinal or an output column name; -1 means the
// key is an expression to bind.
func (b *binder) orderTarget(n *pg.Node, visible []item) (int, error) {
	if c := n.GetAConst(); c != nil {
		iv := c.GetIval()
		if iv == nil {
			return 0, b.errorf(int(c.Location), "non-integer constant in ORDER BY")
		}
		k := int(iv.GetIval())
		if k < 1 || k > len(visible) {
			return 0, b.errorf(int(c.Location), "ORDER BY position %d is not in select list", k)
		}
		return k - 1, nil
	}
	name, ok := bareName(n)
	if !ok {
		return -1, nil
	}
	found := -1
	for i, it := range visible {
		if it.name != name {
			continue
		}
		if found >= 0 && visible[found].e.String() != it.e.String() {
			return 0, b.errorf(nodeLocation(n), "ORDER BY %s is ambiguous", quote(name))
		}
		if found < 0 {
			found = i
		}
	}
	return found, nil
}

// uniqueName makes a hidden column's name differ from every other output
// name, so sort keys and the final projection refer to it unambiguously.
func uniqueName(name string, items []item) string {
	taken := func(n string) bool {
		for _, it := range items {
			if it.name == n {
				return true
			}
		}
		return false
	}
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s#%d", name, i); !taken(n) {
			return n
		}
	}
}

// disambiguateSortKeys gives a sort key's column a unique internal name when
// another output column has the same name but computes something else
// (SELECT a AS x, b AS x ... ORDER BY 2), so the sort refers to exactly one
// column; the final projection restores the names the user wrote. It
// reports whether it renamed anything.
func disambiguateSortKeys(items []item, refs []sortRef) bool {
	renamed := false
	for _, r := range refs {
		it := &items[r.item]
		for j := range items {
			if j == r.item || items[j].name != it.name || items[j].e.String() == it.e.String() {
				continue
			}
			if it.display == "" {
				it.display = it.name
			}
			it.name = uniqueName(it.name, items)
			renamed = true
			break
		}
	}
	return renamed
}
