package sql

import (
	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

// DISTINCT ON (e1, ...) keeps the first row, in ORDER BY order, of each
// set of rows with equal e1, ...: it is row_number() OVER (PARTITION BY
// e1, ... ORDER BY <the ORDER BY>) = 1, and is planned as that window and
// a filter, after the window functions and before ORDER BY and LIMIT.

// distinctOnExprs returns the expressions of DISTINCT ON, or nil for no
// DISTINCT or plain DISTINCT (whose clause is one empty node).
func distinctOnExprs(clause []*pg.Node) []*pg.Node {
	if len(clause) == 0 || len(clause) == 1 && clause[0].GetNode() == nil {
		return nil
	}
	return clause
}

// bindDistinctOn binds the DISTINCT ON expressions as ORDER BY keys are
// bound (an ordinal, an output name or an expression, which may become a
// hidden column) and checks PostgreSQL's rule that they match the leading
// ORDER BY keys, in any order.
func (b *binder) bindDistinctOn(on []*pg.Node, items []item, order []sortRef) ([]item, []sortRef, error) {
	sorts := make([]*pg.Node, len(on))
	for i, n := range on {
		sorts[i] = &pg.Node{Node: &pg.Node_SortBy{SortBy: &pg.SortBy{Node: n, Location: int32(nodeLocation(n))}}}
	}
	items, refs, err := b.bindOrderBy(sorts, items, false)
	if err != nil {
		return nil, nil, err
	}
	if len(order) > 0 {
		leading := map[string]bool{}
		for i := 0; i < len(order) && i < len(refs); i++ {
			leading[items[order[i].item].e.String()] = true
		}
		for i, r := range refs {
			if len(order) < len(refs) || !leading[items[r.item].e.String()] {
				return nil, nil, b.errorf(nodeLocation(on[i]), "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
			}
		}
	}
	return items, refs, nil
}

// distinctOnColumn names the row number DISTINCT ON filters on.
const distinctOnColumn = "#distinct_on"

// firstOfEach keeps the first row of each DISTINCT ON group of input.
func firstOfEach(input logical.Plan, items []item, on, order []sortRef) logical.Plan {
	w := &expr.Window{Func: expr.WinRowNumber, Frame: expr.DefaultFrame, Type: arrow.PrimitiveTypes.Int64}
	for _, r := range on {
		w.PartitionBy = append(w.PartitionBy, items[r.item].e)
	}
	for _, r := range order {
		w.OrderBy = append(w.OrderBy, expr.WindowOrder{Expr: items[r.item].e, Descending: r.descending, NullsFirst: r.nullsFirst})
	}
	win := &logical.Window{Input: input, Funcs: []*expr.Window{w}, Names: []string{distinctOnColumn}}
	first := &expr.Binary{Op: expr.OpEq, L: &expr.Column{Name: distinctOnColumn, Type: w.Type}, R: &expr.Literal{Value: expr.Int64(1)}, Type: arrow.FixedWidthTypes.Boolean}
	return &logical.Filter{Input: win, Predicate: first}
}
