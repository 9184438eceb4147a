package source

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Ops is a set of filter operators, one bit per spec op.
type Ops uint16

// The filter operators a spec may list for a column.
const (
	OpEq        Ops = 1 << iota // col = v
	OpNe                        // col <> v
	OpLt                        // col < v
	OpLe                        // col <= v
	OpGt                        // col > v
	OpGe                        // col >= v
	OpIn                        // col IN (v, ...)
	OpNotIn                     // col NOT IN (v, ...)
	OpIsNull                    // col IS NULL
	OpIsNotNull                 // col IS NOT NULL
	OpPrefix                    // col LIKE 'abc%'
)

// FilterCap is what a source can do with filters on one column.
type FilterCap struct {
	Column string
	Ops    Ops
	// Exact promises that every row the source returns satisfies the
	// pushed filters on Column, so the engine drops its own filter.
	Exact bool
}

// Capabilities lists the columns a table takes filters on. Generated code
// writes it from the spec's pushdown.filters.
type Capabilities []FilterCap

// Supports answers TableProvider.SupportsFilters. A filter is taken when it
// compares one column with literals in a form the column's ops allow
// (`col op literal` either way round, IN and NOT IN lists of literals,
// IS [NOT] NULL, LIKE 'prefix%', BETWEEN when both le and ge are allowed);
// everything else, including anything with casts or other columns, is
// Unsupported and stays with the engine.
func (c Capabilities) Supports(filters []expr.Expr) []plan.FilterPushdown {
	out := make([]plan.FilterPushdown, len(filters))
	for i, f := range filters {
		p, ok := parsePredicate(f)
		if !ok {
			continue
		}
		for _, fc := range c {
			if fc.Column == p.column && fc.Ops&p.op == p.op {
				out[i] = plan.Inexact
				if fc.Exact {
					out[i] = plan.Exact
				}
				break
			}
		}
	}
	return out
}

// predicate is a filter in one of the forms a source can take.
type predicate struct {
	column string
	colExp *expr.Column
	op     Ops           // ops the form needs (BETWEEN needs OpGe|OpLe)
	values []expr.Scalar // the literal(s); prefix holds the decoded prefix
}

// parsePredicate recognises the forms Supports describes.
func parsePredicate(e expr.Expr) (predicate, bool) {
	switch e := e.(type) {
	case *expr.Binary:
		op, ok := comparisonOps[e.Op]
		if !ok {
			return predicate{}, false
		}
		col, lit := columnOf(e.L), literalOf(e.R)
		if col == nil {
			col, lit = columnOf(e.R), literalOf(e.L)
			op, _ = comparisonOps[e.Op.Flip()]
		}
		if col == nil || lit == nil || !sameType(col, *lit) {
			return predicate{}, false
		}
		return predicate{column: col.Name, colExp: col, op: op, values: []expr.Scalar{*lit}}, true
	case *expr.InList:
		col := columnOf(e.E)
		if col == nil {
			return predicate{}, false
		}
		p := predicate{column: col.Name, colExp: col, op: OpIn}
		if e.Negated {
			p.op = OpNotIn
		}
		for _, item := range e.List {
			lit := literalOf(item)
			if lit == nil || !sameType(col, *lit) {
				return predicate{}, false
			}
			p.values = append(p.values, *lit)
		}
		return p, true
	case *expr.IsNull:
		col := columnOf(e.E)
		if col == nil {
			return predicate{}, false
		}
		if e.Negated {
			return predicate{column: col.Name, colExp: col, op: OpIsNotNull}, true
		}
		return predicate{column: col.Name, colExp: col, op: OpIsNull}, true
	case *expr.Between:
		col, lo, hi := columnOf(e.E), literalOf(e.Low), literalOf(e.High)
		if e.Negated || col == nil || lo == nil || hi == nil || !sameType(col, *lo) || !sameType(col, *hi) {
			return predicate{}, false
		}
		return predicate{column: col.Name, colExp: col, op: OpGe | OpLe, values: []expr.Scalar{*lo, *hi}}, true
	case *expr.Like:
		col, pat := columnOf(e.E), literalOf(e.Pattern)
		if e.Negated || e.CaseInsensitive || col == nil || pat == nil || pat.Null {
			return predicate{}, false
		}
		prefix, ok := likePrefix(pat.Value)
		if !ok {
			return predicate{}, false
		}
		return predicate{column: col.Name, colExp: col, op: OpPrefix, values: []expr.Scalar{expr.String(prefix)}}, true
	}
	return predicate{}, false
}

var comparisonOps = map[expr.Op]Ops{
	expr.OpEq: OpEq, expr.OpNe: OpNe, expr.OpLt: OpLt, expr.OpLe: OpLe, expr.OpGt: OpGt, expr.OpGe: OpGe,
}

func columnOf(e expr.Expr) *expr.Column {
	c, _ := e.(*expr.Column)
	return c
}

func literalOf(e expr.Expr) *expr.Scalar {
	if l, ok := e.(*expr.Literal); ok {
		return &l.Value
	}
	return nil
}

// sameType refuses literals the binder left in another type: converting
// them here could disagree with the engine's own comparison, and an Exact
// answer must mean exactly what the engine would compute. NULL literals of
// any type are fine; they match nothing.
func sameType(c *expr.Column, s expr.Scalar) bool {
	if s.Null {
		return true
	}
	return s.Type != nil && c.Type != nil && arrow.TypeEqual(c.Type, s.Type)
}

// likePrefix returns p when pattern is `p%` with no other wildcard, with
// backslash escapes decoded; ok is false for any other pattern.
func likePrefix(v any) (prefix string, ok bool) {
	var pat string
	switch v := v.(type) {
	case string:
		pat = v
	case []byte:
		pat = string(v)
	default:
		return "", false
	}
	if len(pat) == 0 || pat[len(pat)-1] != '%' {
		return "", false
	}
	out := make([]byte, 0, len(pat))
	for i := 0; i < len(pat)-1; i++ {
		switch pat[i] {
		case '%', '_':
			return "", false
		case '\\':
			i++
			if i >= len(pat)-1 {
				return "", false // the final % is escaped: no wildcard at all
			}
		}
		out = append(out, pat[i])
	}
	return string(out), true
}
