// Package expr defines tpgen's scalar expressions: the typed tree the SQL
// front end produces, the planner rewrites and pushes into table scans, and
// the physical operators evaluate a batch at a time over Arrow arrays.
//
// Expressions are resolved: every node knows its Arrow result type. Columns
// are referred to by name, not position, so the same expression stays valid
// after projection pushdown changes the shape of a scan's output; physical
// operators bind names to positions once, when they compile an expression
// against their input schema (see Compile).
package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Expr is a resolved scalar expression.
type Expr interface {
	// DataType is the Arrow type of the values the expression yields.
	DataType() arrow.DataType
	// String renders the expression in SQL syntax, as EXPLAIN shows it.
	String() string
	// Children returns the direct sub-expressions, in evaluation order.
	Children() []Expr
}

// Column is a reference to an input column by name.
type Column struct {
	Name string
	Type arrow.DataType
}

// Literal is a constant value.
type Literal struct {
	Value Scalar
}

// Param is a placeholder ($1, $2, ...) of a prepared statement. It is
// replaced by a Literal before planning (see ReplaceParams); physical
// operators never see one.
type Param struct {
	Index int // 1-based, as written in SQL
	Type  arrow.DataType
}

// Op is a binary operator.
type Op int

// Binary operators. Comparisons yield bool; arithmetic yields the (common)
// operand type; And/Or take and yield bool with SQL three-valued logic.
const (
	OpEq Op = iota
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd
	OpOr
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
)

var opSymbols = [...]string{
	OpEq: "=", OpNe: "<>", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=",
	OpAnd: "AND", OpOr: "OR", OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpMod: "%",
}

// String returns the SQL spelling of the operator.
func (o Op) String() string {
	if int(o) < len(opSymbols) {
		return opSymbols[o]
	}
	return "?"
}

// IsComparison reports whether o compares its operands.
func (o Op) IsComparison() bool { return o <= OpGe }

// IsArithmetic reports whether o is + - * / or %.
func (o Op) IsArithmetic() bool { return o >= OpAdd }

// Flip returns the comparison that holds when the operands are swapped
// (a < b  <=>  b > a). Non-comparisons are returned unchanged.
func (o Op) Flip() Op {
	switch o {
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	}
	return o
}

// Binary applies Op to L and R. The binder makes both operands of a
// comparison or arithmetic operator the same type (inserting Casts), so
// kernels never coerce at run time.
type Binary struct {
	Op   Op
	L, R Expr
	Type arrow.DataType // result type
}

// Not is logical negation (three-valued: NOT NULL is NULL).
type Not struct{ E Expr }

// Negate is arithmetic negation (-x).
type Negate struct{ E Expr }

// IsNull is `E IS NULL`, or `E IS NOT NULL` when Negated. Never yields NULL.
type IsNull struct {
	E       Expr
	Negated bool
}

// InList is `E IN (List...)` or `E NOT IN (List...)`. List elements have
// E's type. SQL semantics: NULL when E is NULL, or when no element matches
// and some element is NULL.
type InList struct {
	E       Expr
	List    []Expr
	Negated bool
}

// Between is `E BETWEEN Low AND High` (both bounds inclusive), or NOT
// BETWEEN when Negated.
type Between struct {
	E         Expr
	Low, High Expr
	Negated   bool
}

// Like is `E LIKE Pattern` (or ILIKE when CaseInsensitive, NOT when
// Negated). Pattern uses SQL wildcards: % any run, _ one character, and
// backslash escapes the next character.
type Like struct {
	E               Expr
	Pattern         Expr
	Negated         bool
	CaseInsensitive bool
}

// Cast converts E to To, with SQL CAST semantics (errors on values that do
// not fit, e.g. CAST('abc' AS INT)).
type Cast struct {
	E  Expr
	To arrow.DataType
}

// AggFunc names an aggregate function.
type AggFunc int

// Aggregate functions.
const (
	AggCount AggFunc = iota // count(x): non-null values; count(*) when Arg is nil
	AggSum
	AggMin
	AggMax
	AggAvg
)

var aggNames = [...]string{AggCount: "count", AggSum: "sum", AggMin: "min", AggMax: "max", AggAvg: "avg"}

// String returns the SQL name of the function.
func (f AggFunc) String() string {
	if int(f) < len(aggNames) {
		return aggNames[f]
	}
	return "?"
}

// Aggregate is an aggregate function call. It appears only in the select
// list, HAVING and ORDER BY of an aggregate query; the planner replaces it
// by a Column naming the aggregate's output before evaluation.
type Aggregate struct {
	Func     AggFunc
	Arg      Expr // nil for count(*)
	Distinct bool
	Type     arrow.DataType // result type
}

// DataType implements Expr.
func (c *Column) DataType() arrow.DataType { return c.Type }

// DataType implements Expr.
func (l *Literal) DataType() arrow.DataType { return l.Value.Type }

// DataType implements Expr.
func (p *Param) DataType() arrow.DataType { return p.Type }

// DataType implements Expr.
func (b *Binary) DataType() arrow.DataType { return b.Type }

// DataType implements Expr.
func (*Not) DataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

// DataType implements Expr.
func (n *Negate) DataType() arrow.DataType { return n.E.DataType() }

// DataType implements Expr.
func (*IsNull) DataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

// DataType implements Expr.
func (*InList) DataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

// DataType implements Expr.
func (*Between) DataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

// DataType implements Expr.
func (*Like) DataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

// DataType implements Expr.
func (c *Cast) DataType() arrow.DataType { return c.To }

// DataType implements Expr.
func (a *Aggregate) DataType() arrow.DataType { return a.Type }

// Children implements Expr.
func (*Column) Children() []Expr { return nil }

// Children implements Expr.
func (*Literal) Children() []Expr { return nil }

// Children implements Expr.
func (*Param) Children() []Expr { return nil }

// Children implements Expr.
func (b *Binary) Children() []Expr { return []Expr{b.L, b.R} }

// Children implements Expr.
func (n *Not) Children() []Expr { return []Expr{n.E} }

// Children implements Expr.
func (n *Negate) Children() []Expr { return []Expr{n.E} }

// Children implements Expr.
func (n *IsNull) Children() []Expr { return []Expr{n.E} }

// Children implements Expr.
func (in *InList) Children() []Expr { return append([]Expr{in.E}, in.List...) }

// Children implements Expr.
func (b *Between) Children() []Expr { return []Expr{b.E, b.Low, b.High} }

// Children implements Expr.
func (l *Like) Children() []Expr { return []Expr{l.E, l.Pattern} }

// Children implements Expr.
func (c *Cast) Children() []Expr { return []Expr{c.E} }

// Children implements Expr.
func (a *Aggregate) Children() []Expr {
	if a.Arg == nil {
		return nil
	}
	return []Expr{a.Arg}
}
