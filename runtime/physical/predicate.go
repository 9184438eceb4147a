package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// selector narrows a batch's selection to the rows a predicate keeps.
type selector interface {
	// selectRows returns the indices (into the record) of the selected
	// rows of b for which the predicate is TRUE, appended to out[:0].
	selectRows(mem memory.Allocator, b plan.Batch, out []int32) ([]int32, error)
}

// compiledSelector evaluates the predicate to a boolean array and keeps
// the TRUE rows.
type compiledSelector struct{ c expr.Compiled }

func compileSelector(e expr.Expr, schema *arrow.Schema) (selector, error) {
	if e.DataType().ID() != arrow.BOOL {
		return nil, fmt.Errorf("predicate %s has type %s, not boolean", e, e.DataType())
	}
	c, err := expr.Compile(e, schema)
	if err != nil {
		return nil, err
	}
	return compiledSelector{c}, nil
}

func (s compiledSelector) selectRows(mem memory.Allocator, b plan.Batch, out []int32) ([]int32, error) {
	arr, err := s.c.Eval(mem, b.Record, b.Sel)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	bools, ok := arr.(*array.Boolean)
	if !ok {
		return nil, fmt.Errorf("predicate yielded %s, not boolean", arr.DataType())
	}
	out = out[:0]
	hasNulls := bools.NullN() > 0
	for i := range bools.Len() {
		if bools.Value(i) && (!hasNulls || bools.IsValid(i)) {
			out = append(out, int32(rowOf(b.Sel, i)))
		}
	}
	return out, nil
}
