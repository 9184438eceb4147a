package logical

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// JoinKey is one equality of a join condition: Left is evaluated over the
// left input, Right over the right one, and the pair matches when both are
// non-NULL and equal. The two sides have the same type.
type JoinKey struct {
	Left, Right expr.Expr
}

// Join combines two inputs. A pair of rows matches when every key is
// equal and Filter (over the columns of both inputs; nil for none) is
// TRUE; Type says what is output besides the matching pairs. Its output
// is the left columns then the right ones (the left ones only for semi
// and anti joins); the SQL front end gives every column of the two inputs
// a distinct name, so expressions above refer to them unambiguously.
//
// The front end puts the whole ON condition in Filter; the planner moves
// its equalities between the two sides into Keys.
type Join struct {
	Left, Right Plan
	Type        plan.JoinType
	Keys        []JoinKey
	Filter      expr.Expr
}

// Schema implements Plan. Columns of the side that supplies NULLs for
// unmatched rows of the other are nullable.
func (j *Join) Schema() *arrow.Schema {
	var fields []arrow.Field
	for _, f := range j.Left.Schema().Fields() {
		if j.Type.PreservesRight() {
			f.Nullable = true
		}
		fields = append(fields, f)
	}
	if j.Type.OutputsRight() {
		for _, f := range j.Right.Schema().Fields() {
			if j.Type.PreservesLeft() {
				f.Nullable = true
			}
			fields = append(fields, f)
		}
	}
	return arrow.NewSchema(fields, nil)
}

// Children implements Plan.
func (j *Join) Children() []Plan { return []Plan{j.Left, j.Right} }

// String implements Plan: "Join: Inner, on=[a = b], filter=x > y".
func (j *Join) String() string {
	parts := []string{"Join: " + j.Type.String()}
	if len(j.Keys) > 0 {
		ks := make([]string, len(j.Keys))
		for i, k := range j.Keys {
			ks[i] = k.Left.String() + " = " + k.Right.String()
		}
		parts = append(parts, "on=["+strings.Join(ks, ", ")+"]")
	}
	if j.Filter != nil {
		parts = append(parts, "filter="+j.Filter.String())
	}
	return strings.Join(parts, ", ")
}
