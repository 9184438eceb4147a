package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// selector narrows a batch's selection to the rows a predicate keeps.
type selector interface {
	// selectRows returns the indices (into the record) of the selected
	// rows of b for which the predicate is TRUE, in out's storage.
	selectRows(mem memory.Allocator, b plan.Batch, out []int32) ([]int32, error)
}

// predicateSelector runs the expr engine's fused predicate kernels, which
// produce the selection directly instead of a boolean array.
type predicateSelector struct{ p expr.Predicate }

func compileSelector(e expr.Expr, schema *arrow.Schema) (selector, error) {
	if e.DataType().ID() != arrow.BOOL {
		return nil, fmt.Errorf("predicate %s has type %s, not boolean", e, e.DataType())
	}
	p, err := expr.CompilePredicate(e, schema)
	if err != nil {
		return nil, err
	}
	return predicateSelector{p}, nil
}

func (s predicateSelector) selectRows(mem memory.Allocator, b plan.Batch, out []int32) ([]int32, error) {
	return s.p.Select(mem, b.Record, b.Sel, out)
}
