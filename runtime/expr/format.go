package expr

import (
	"fmt"
	"sort"
	"strings"
)

// String implements Expr.
func (c *Column) String() string { return c.Name }

// String implements Expr.
func (l *Literal) String() string { return l.Value.String() }

// String implements Expr.
func (p *Param) String() string { return fmt.Sprintf("$%d", p.Index) }

// String implements Expr.
func (b *Binary) String() string {
	return operand(b.L, b.Op) + " " + b.Op.String() + " " + operand(b.R, b.Op)
}

// operand parenthesises a child whose operator binds looser than the
// parent's, so EXPLAIN output re-parses to the same tree.
func operand(e Expr, parent Op) string {
	if c, ok := e.(*Binary); ok && precedence(c.Op) < precedence(parent) {
		return "(" + e.String() + ")"
	}
	if c, ok := e.(*Binary); ok && c.Op == parent && parent.IsArithmetic() && parent != OpAdd && parent != OpMul {
		return "(" + e.String() + ")"
	}
	return e.String()
}

func precedence(o Op) int {
	switch {
	case o == OpOr:
		return 1
	case o == OpAnd:
		return 2
	case o.IsComparison():
		return 4
	case o == OpAdd || o == OpSub:
		return 5
	}
	return 6
}

// String implements Expr.
func (n *Not) String() string { return "NOT " + wrap(n.E) }

// String implements Expr.
func (n *Negate) String() string { return "-" + wrap(n.E) }

// String implements Expr.
func (n *IsNull) String() string {
	if n.Negated {
		return wrap(n.E) + " IS NOT NULL"
	}
	return wrap(n.E) + " IS NULL"
}

// String implements Expr.
func (in *InList) String() string {
	items := make([]string, len(in.List))
	for i, e := range in.List {
		items[i] = e.String()
	}
	not := ""
	if in.Negated {
		not = "NOT "
	}
	return wrap(in.E) + " " + not + "IN (" + strings.Join(items, ", ") + ")"
}

// String implements Expr.
func (b *Between) String() string {
	not := ""
	if b.Negated {
		not = "NOT "
	}
	return wrap(b.E) + " " + not + "BETWEEN " + wrap(b.Low) + " AND " + wrap(b.High)
}

// String implements Expr.
func (l *Like) String() string {
	op := "LIKE"
	if l.CaseInsensitive {
		op = "ILIKE"
	}
	if l.Negated {
		op = "NOT " + op
	}
	return wrap(l.E) + " " + op + " " + wrap(l.Pattern)
}

// String implements Expr.
func (c *Cast) String() string { return "CAST(" + c.E.String() + " AS " + SQLTypeName(c.To) + ")" }

// String implements Expr.
func (a *Aggregate) String() string {
	if a.Arg == nil {
		return a.Func.String() + "(*)"
	}
	if a.Distinct {
		return a.Func.String() + "(DISTINCT " + a.Arg.String() + ")"
	}
	return a.Func.String() + "(" + a.Arg.String() + ")"
}

// wrap parenthesises compound operands of prefix/postfix operators.
func wrap(e Expr) string {
	switch e.(type) {
	case *Binary, *Between, *InList, *Like, *IsNull, *Not:
		return "(" + e.String() + ")"
	}
	return e.String()
}

// Walk calls fn for e and every sub-expression, parents before children,
// and stops descending into a node when fn returns false.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	for _, c := range e.Children() {
		Walk(c, fn)
	}
}

// Columns returns the distinct column names e refers to, sorted.
func Columns(e Expr) []string {
	seen := map[string]bool{}
	Walk(e, func(x Expr) bool {
		if c, ok := x.(*Column); ok {
			seen[c.Name] = true
		}
		return true
	})
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SplitConjunction flattens a tree of ANDs into its conjuncts
// (a AND (b AND c) -> [a, b, c]). A nil expression yields nil.
func SplitConjunction(e Expr) []Expr {
	if e == nil {
		return nil
	}
	if b, ok := e.(*Binary); ok && b.Op == OpAnd {
		return append(SplitConjunction(b.L), SplitConjunction(b.R)...)
	}
	return []Expr{e}
}

// Conjunction joins conjuncts with AND; it returns nil for none.
func Conjunction(es []Expr) Expr {
	var out Expr
	for _, e := range es {
		if out == nil {
			out = e
			continue
		}
		out = &Binary{Op: OpAnd, L: out, R: e, Type: e.DataType()}
	}
	return out
}
