package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// SQLTypeName returns the SQL spelling of an Arrow type, as CAST prints it.
func SQLTypeName(t arrow.DataType) string {
	switch t := t.(type) {
	case *arrow.BooleanType:
		return "BOOLEAN"
	case *arrow.Int8Type:
		return "TINYINT"
	case *arrow.Int16Type:
		return "SMALLINT"
	case *arrow.Int32Type:
		return "INTEGER"
	case *arrow.Int64Type:
		return "BIGINT"
	case *arrow.Uint8Type:
		return "TINYINT UNSIGNED"
	case *arrow.Uint16Type:
		return "SMALLINT UNSIGNED"
	case *arrow.Uint32Type:
		return "INTEGER UNSIGNED"
	case *arrow.Uint64Type:
		return "BIGINT UNSIGNED"
	case *arrow.Float32Type:
		return "REAL"
	case *arrow.Float64Type:
		return "DOUBLE PRECISION"
	case *arrow.StringType, *arrow.LargeStringType:
		return "VARCHAR"
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return "BYTEA"
	case *arrow.Date32Type:
		return "DATE"
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return fmt.Sprintf("TIMESTAMP(%s, %s)", t.Unit, t.TimeZone)
		}
		return fmt.Sprintf("TIMESTAMP(%s)", t.Unit)
	case *arrow.DurationType:
		return fmt.Sprintf("INTERVAL(%s)", t.Unit)
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d, %d)", t.Precision, t.Scale)
	}
	return t.String()
}
