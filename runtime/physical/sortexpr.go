package physical

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// SortExpr is one key of a sort: an expression, its direction and where
// NULLs go.
type SortExpr struct {
	Expr       expr.Expr
	Descending bool
	NullsFirst bool
}

// String renders the key like plan.SortKey: "a ASC", "b DESC",
// "c ASC NULLS FIRST" (PostgreSQL's defaults, nulls last ascending and
// first descending, are left implicit).
func (s SortExpr) String() string {
	name := "<nil>"
	if s.Expr != nil {
		name = s.Expr.String()
	}
	return plan.SortKey{Column: name, Descending: s.Descending, NullsFirst: s.NullsFirst}.String()
}

func sortExprsString(keys []SortExpr) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// orderingOf returns keys as the plan ordering they produce, cut at the
// first key that is not a plain column (an ordering only names columns).
func orderingOf(keys []SortExpr) []plan.SortKey {
	var out []plan.SortKey
	for _, k := range keys {
		c, ok := k.Expr.(*expr.Column)
		if !ok {
			break
		}
		out = append(out, plan.SortKey{Column: c.Name, Descending: k.Descending, NullsFirst: k.NullsFirst})
	}
	return out
}

// sortKeys is a sort's key list bound to its input schema.
type sortKeys struct {
	keys  []SortExpr
	evals []evaluator
}

func bindSortKeys(op string, keys []SortExpr, schema *arrow.Schema) (*sortKeys, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no sort keys", op)
	}
	sk := &sortKeys{keys: keys, evals: make([]evaluator, len(keys))}
	for i, k := range keys {
		if k.Expr == nil {
			return nil, fmt.Errorf("%s: sort key %d has no expression", op, i)
		}
		if err := checkKeyType(k.Expr.DataType()); err != nil {
			return nil, fmt.Errorf("%s: sort key %s: %w", op, k.Expr, err)
		}
		ev, err := compileEval(k.Expr, schema)
		if err != nil {
			return nil, fmt.Errorf("%s: sort key %s: %w", op, k.Expr, err)
		}
		sk.evals[i] = ev
	}
	return sk, nil
}

// encode writes the comparable key of every selected row of b into out
// (row i of out is the i-th selected row).
func (sk *sortKeys) encode(mem memory.Allocator, b plan.Batch, out *encodedRows) error {
	cols := make([]keyColumn, len(sk.evals))
	defer func() {
		for _, c := range cols {
			if c.arr != nil {
				c.arr.Release()
			}
		}
	}()
	for i, ev := range sk.evals {
		arr, sel, err := ev.eval(mem, b)
		if err != nil {
			return err
		}
		cols[i] = keyColumn{arr: arr, sel: sel, desc: sk.keys[i].Descending, nullsFirst: sk.keys[i].NullsFirst}
	}
	return encodeRows(out, cols, b.NumRows())
}
