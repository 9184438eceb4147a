package expr

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// WindowFunc names a window function.
type WindowFunc int

// Window functions: the ranking and offset functions, and the aggregates
// evaluated over a frame.
const (
	WinRowNumber WindowFunc = iota
	WinRank
	WinDenseRank
	WinPercentRank
	WinCumeDist
	WinNtile
	WinLag
	WinLead
	WinFirstValue
	WinLastValue
	WinNthValue
	WinCount // count(x); count(*) when Args is empty
	WinSum
	WinAvg
	WinMin
	WinMax
)

var windowNames = [...]string{
	WinRowNumber: "row_number", WinRank: "rank", WinDenseRank: "dense_rank",
	WinPercentRank: "percent_rank", WinCumeDist: "cume_dist", WinNtile: "ntile",
	WinLag: "lag", WinLead: "lead", WinFirstValue: "first_value",
	WinLastValue: "last_value", WinNthValue: "nth_value", WinCount: "count",
	WinSum: "sum", WinAvg: "avg", WinMin: "min", WinMax: "max",
}

// String returns the SQL name of the function.
func (f WindowFunc) String() string {
	if int(f) < len(windowNames) {
		return windowNames[f]
	}
	return "?"
}

// UsesFrame reports whether the function reads its window frame; the
// ranking and offset functions read the whole partition whatever the
// frame says, as in PostgreSQL.
func (f WindowFunc) UsesFrame() bool {
	switch f {
	case WinFirstValue, WinLastValue, WinNthValue, WinCount, WinSum, WinAvg, WinMin, WinMax:
		return true
	}
	return false
}

// BoundKind is where one end of a window frame is.
type BoundKind int

// Frame bounds.
const (
	UnboundedPreceding BoundKind = iota
	Preceding                    // Offset rows before the current row
	CurrentRow                   // the current row (in RANGE mode: its last or first peer)
	Following                    // Offset rows after the current row
	UnboundedFollowing
)

// FrameBound is one end of a window frame.
type FrameBound struct {
	Kind   BoundKind
	Offset int64 // for Preceding and Following
}

func (b FrameBound) String() string {
	switch b.Kind {
	case UnboundedPreceding:
		return "UNBOUNDED PRECEDING"
	case Preceding:
		return strconv.FormatInt(b.Offset, 10) + " PRECEDING"
	case CurrentRow:
		return "CURRENT ROW"
	case Following:
		return strconv.FormatInt(b.Offset, 10) + " FOLLOWING"
	}
	return "UNBOUNDED FOLLOWING"
}

// WindowFrame is the set of rows, around the current one, that a
// frame-reading function sees. Rows counts physical rows; otherwise the
// frame is in RANGE mode, where CURRENT ROW includes the current row's
// peers (the rows equal to it in the window's ORDER BY; without ORDER BY
// every row of the partition is a peer).
type WindowFrame struct {
	Rows       bool
	Start, End FrameBound
}

// DefaultFrame is SQL's frame when a window names none: RANGE BETWEEN
// UNBOUNDED PRECEDING AND CURRENT ROW, which is the whole partition when
// the window has no ORDER BY.
var DefaultFrame = WindowFrame{Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: CurrentRow}}

func (f WindowFrame) String() string {
	mode := "RANGE"
	if f.Rows {
		mode = "ROWS"
	}
	return mode + " BETWEEN " + f.Start.String() + " AND " + f.End.String()
}

// WindowOrder is one key of a window's ORDER BY.
type WindowOrder struct {
	Expr       Expr
	Descending bool
	NullsFirst bool
}

// Window is a window function call: Func over the rows of the current
// row's partition (rows with equal PartitionBy values) in OrderBy order.
// Like Aggregate it appears only in a select list or ORDER BY; the planner
// computes it in a window operator and replaces it by a column.
type Window struct {
	Func        WindowFunc
	Args        []Expr // lag/lead: value, offset, default; ntile: buckets; nth_value: value, n
	PartitionBy []Expr
	OrderBy     []WindowOrder
	Frame       WindowFrame
	Type        arrow.DataType
}

// DataType implements Expr.
func (w *Window) DataType() arrow.DataType { return w.Type }

// Children implements Expr: the arguments, the partition keys, then the
// order keys.
func (w *Window) Children() []Expr {
	out := make([]Expr, 0, len(w.Args)+len(w.PartitionBy)+len(w.OrderBy))
	out = append(out, w.Args...)
	out = append(out, w.PartitionBy...)
	for _, o := range w.OrderBy {
		out = append(out, o.Expr)
	}
	return out
}

// withChildren returns a copy of w over c, in Children order.
func (w *Window) withChildren(c []Expr) *Window {
	n := *w
	na, np := len(w.Args), len(w.PartitionBy)
	n.Args = append([]Expr(nil), c[:na]...)
	n.PartitionBy = append([]Expr(nil), c[na:na+np]...)
	n.OrderBy = make([]WindowOrder, len(w.OrderBy))
	for i, o := range w.OrderBy {
		o.Expr = c[na+np+i]
		n.OrderBy[i] = o
	}
	return &n
}

// SpecString renders the window's OVER clause, e.g.
// "PARTITION BY region ORDER BY ts DESC".
func (w *Window) SpecString() string {
	var parts []string
	if len(w.PartitionBy) > 0 {
		parts = append(parts, "PARTITION BY "+joinExprs(w.PartitionBy))
	}
	if len(w.OrderBy) > 0 {
		keys := make([]string, len(w.OrderBy))
		for i, o := range w.OrderBy {
			keys[i] = o.Expr.String()
			if o.Descending {
				keys[i] += " DESC"
			}
			if o.NullsFirst != o.Descending {
				// PostgreSQL's default puts NULLs last ascending, first descending.
				if o.NullsFirst {
					keys[i] += " NULLS FIRST"
				} else {
					keys[i] += " NULLS LAST"
				}
			}
		}
		parts = append(parts, "ORDER BY "+strings.Join(keys, ", "))
	}
	if w.Func.UsesFrame() && w.Frame != DefaultFrame {
		parts = append(parts, w.Frame.String())
	}
	return strings.Join(parts, " ")
}

// String implements Expr.
func (w *Window) String() string {
	args := "*"
	if len(w.Args) > 0 || w.Func != WinCount {
		args = joinExprs(w.Args)
	}
	return w.Func.String() + "(" + args + ") OVER (" + w.SpecString() + ")"
}

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}
