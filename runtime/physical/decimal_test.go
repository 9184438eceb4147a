package physical

import (
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/tpgen/tpgen/runtime/expr"
)

type exprColumn = expr.Column

func decimalOf(v int) decimal128.Num { return decimal128.FromI64(int64(v)) }
