package planner

import (
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// orderingSatisfies reports whether rows already ordered by have are
// ordered by want: want must be a prefix of have, key by key the same
// column, direction and NULL placement (which does not matter for a column
// nonNull reports as holding no NULL). Only plain column keys can match a
// declared ordering, which names columns.
func orderingSatisfies(have []plan.SortKey, want []logical.SortExpr, nonNull func(string) bool) bool {
	if len(want) == 0 {
		return true
	}
	if len(want) > len(have) {
		return false
	}
	for i, k := range want {
		c, ok := k.Expr.(*expr.Column)
		if !ok {
			return false
		}
		h := have[i]
		if h.Column != c.Name || h.Descending != k.Descending {
			return false
		}
		if h.NullsFirst != k.NullsFirst && !nonNull(c.Name) {
			return false
		}
	}
	return true
}

// projectOrdering maps an input ordering through a projection: a key
// survives (under its output name) while the projection passes its column
// through; the ordering is cut at the first key it drops, since later keys
// only order rows within ties of the dropped one.
func projectOrdering(in []plan.SortKey, exprs []expr.Expr, names []string) []plan.SortKey {
	var out []plan.SortKey
	for _, k := range in {
		name, ok := passedThrough(k.Column, exprs, names)
		if !ok {
			break
		}
		k.Column = name
		out = append(out, k)
	}
	return out
}

func passedThrough(col string, exprs []expr.Expr, names []string) (string, bool) {
	for i, e := range exprs {
		if c, ok := e.(*expr.Column); ok && c.Name == col {
			return names[i], true
		}
	}
	return "", false
}

// sortOrdering is the ordering a sort establishes, as column keys: the
// prefix of its keys that are plain columns.
func sortOrdering(keys []logical.SortExpr) []plan.SortKey {
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
