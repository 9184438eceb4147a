package sqldriver

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/runtime"
)

// rows streams a query's result: it holds one Arrow batch at a time and
// fetches the next when Next has used it up.
type rows struct {
	stream  runtime.RecordStream
	schema  *arrow.Schema
	zones   []*time.Location // per timestamp column, nil otherwise
	batch   arrow.RecordBatch
	getters []func(int) driver.Value
	row     int
	closed  bool
}

var (
	_ driver.Rows                           = (*rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
	_ driver.RowsColumnTypeNullable         = (*rows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*rows)(nil)
	_ driver.RowsColumnTypeLength           = (*rows)(nil)
)

func newRows(s runtime.RecordStream) *rows {
	r := &rows{stream: s, schema: s.Schema()}
	r.zones = make([]*time.Location, r.schema.NumFields())
	for i, f := range r.schema.Fields() {
		if t, ok := f.Type.(*arrow.TimestampType); ok {
			r.zones[i] = time.UTC
			if t.TimeZone != "" {
				if loc, err := time.LoadLocation(t.TimeZone); err == nil {
					r.zones[i] = loc
				}
			}
		}
	}
	return r
}

// Columns implements driver.Rows.
func (r *rows) Columns() []string {
	names := make([]string, r.schema.NumFields())
	for i, f := range r.schema.Fields() {
		names[i] = f.Name
	}
	return names
}

// Close implements driver.Rows: it stops the query if it is still running
// and releases the batch in hand.
func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.releaseBatch()
	r.stream.Close()
	return nil
}

func (r *rows) releaseBatch() {
	if r.batch != nil {
		r.batch.Release()
		r.batch = nil
	}
	r.getters = r.getters[:0]
}

// Next implements driver.Rows.
func (r *rows) Next(dest []driver.Value) error {
	if r.closed {
		return io.EOF
	}
	for r.batch == nil || r.row >= int(r.batch.NumRows()) {
		r.releaseBatch()
		b, err := r.stream.Next()
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		if err != nil {
			return err
		}
		r.batch, r.row = b.Record, 0
		for c, col := range r.batch.Columns() {
			r.getters = append(r.getters, getter(col, r.zones[c]))
		}
	}
	for c, get := range r.getters {
		dest[c] = get(r.row)
	}
	r.row++
	return nil
}

// getter returns a function reading row i of a as a driver.Value. Text
// and binary values are copied: the batch's buffers are released when the
// next batch is fetched, and database/sql keeps strings as given.
func getter(a arrow.Array, zone *time.Location) func(int) driver.Value {
	nullable := func(f func(int) driver.Value) func(int) driver.Value {
		if a.NullN() == 0 {
			return f
		}
		return func(i int) driver.Value {
			if a.IsNull(i) {
				return nil
			}
			return f(i)
		}
	}
	switch a := a.(type) {
	case *array.Boolean:
		return nullable(func(i int) driver.Value { return a.Value(i) })
	case *array.Int8:
		return nullable(func(i int) driver.Value { return int64(a.Value(i)) })
	case *array.Int16:
		return nullable(func(i int) driver.Value { return int64(a.Value(i)) })
	case *array.Int32:
		return nullable(func(i int) driver.Value { return int64(a.Value(i)) })
	case *array.Int64:
		return nullable(func(i int) driver.Value { return a.Value(i) })
	case *array.Uint8:
		return nullable(func(i int) driver.Value { return int64(a.Value(i)) })
	case *array.Uint16:
		return nullable(func(i int) driver.Value { return int64(a.Value(i)) })
	case *array.Uint32:
		return nullable(func(i int) driver.Value { return int64(a.Value(i)) })
	case *array.Uint64:
		return nullable(func(i int) driver.Value { return a.Value(i) })
	case *array.Float32:
		return nullable(func(i int) driver.Value { return float64(a.Value(i)) })
	case *array.Float64:
		return nullable(func(i int) driver.Value { return a.Value(i) })
	case *array.String:
		return nullable(func(i int) driver.Value { return strings.Clone(a.Value(i)) })
	case *array.LargeString:
		return nullable(func(i int) driver.Value { return strings.Clone(a.Value(i)) })
	case *array.Binary:
		return nullable(func(i int) driver.Value { return append([]byte{}, a.Value(i)...) })
	case *array.LargeBinary:
		return nullable(func(i int) driver.Value { return append([]byte{}, a.Value(i)...) })
	case *array.Date32:
		return nullable(func(i int) driver.Value { return a.Value(i).ToTime() })
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return nullable(func(i int) driver.Value { return a.Value(i).ToTime(unit).In(zone) })
	case *array.Duration:
		per := time.Duration(a.DataType().(*arrow.DurationType).Unit.Multiplier())
		return nullable(func(i int) driver.Value { return time.Duration(a.Value(i)) * per })
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return nullable(func(i int) driver.Value { return a.Value(i).ToString(scale) })
	}
	return nullable(func(i int) driver.Value { return a.ValueStr(i) })
}

// ColumnTypeDatabaseTypeName implements driver.RowsColumnTypeDatabaseTypeName
// with PostgreSQL's names for the types it has (DuckDB's for unsigned
// integers, which PostgreSQL lacks).
func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	return DatabaseTypeName(r.schema.Field(i).Type)
}

// DatabaseTypeName returns the SQL name the driver reports for an Arrow
// type: BOOLEAN, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE PRECISION, TEXT,
// BYTEA, DATE, TIMESTAMP, TIMESTAMPTZ, INTERVAL, NUMERIC, and TINYINT,
// UTINYINT, USMALLINT, UINTEGER, UBIGINT for the integer types PostgreSQL
// lacks.
func DatabaseTypeName(t arrow.DataType) string {
	switch t.ID() {
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.INT64:
		return "BIGINT"
	case arrow.UINT8:
		return "UTINYINT"
	case arrow.UINT16:
		return "USMALLINT"
	case arrow.UINT32:
		return "UINTEGER"
	case arrow.UINT64:
		return "UBIGINT"
	case arrow.FLOAT32:
		return "REAL"
	case arrow.FLOAT64:
		return "DOUBLE PRECISION"
	case arrow.STRING, arrow.LARGE_STRING:
		return "TEXT"
	case arrow.BINARY, arrow.LARGE_BINARY:
		return "BYTEA"
	case arrow.DATE32:
		return "DATE"
	case arrow.TIMESTAMP:
		if t.(*arrow.TimestampType).TimeZone != "" {
			return "TIMESTAMPTZ"
		}
		return "TIMESTAMP"
	case arrow.DURATION:
		return "INTERVAL"
	case arrow.DECIMAL128, arrow.DECIMAL256:
		return "NUMERIC"
	}
	return strings.ToUpper(t.String())
}

var (
	nullInt64   = reflect.TypeFor[sql.NullInt64]()
	nullFloat64 = reflect.TypeFor[sql.NullFloat64]()
	nullString  = reflect.TypeFor[sql.NullString]()
	nullBool    = reflect.TypeFor[sql.NullBool]()
	nullTime    = reflect.TypeFor[sql.NullTime]()
)

// ColumnTypeScanType implements driver.RowsColumnTypeScanType: the Go type
// of the values Next returns, or its sql.Null* form for nullable columns.
func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	f := r.schema.Field(i)
	return scanType(f.Type, f.Nullable)
}

func scanType(t arrow.DataType, nullable bool) reflect.Type {
	switch t.ID() {
	case arrow.BOOL:
		return pick(nullable, reflect.TypeFor[bool](), nullBool)
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return pick(nullable, reflect.TypeFor[int64](), nullInt64)
	case arrow.UINT64:
		return pick(nullable, reflect.TypeFor[uint64](), reflect.TypeFor[sql.Null[uint64]]())
	case arrow.FLOAT32, arrow.FLOAT64:
		return pick(nullable, reflect.TypeFor[float64](), nullFloat64)
	case arrow.BINARY, arrow.LARGE_BINARY:
		return pick(nullable, reflect.TypeFor[[]byte](), reflect.TypeFor[sql.Null[[]byte]]())
	case arrow.DATE32, arrow.TIMESTAMP:
		return pick(nullable, reflect.TypeFor[time.Time](), nullTime)
	case arrow.DURATION:
		return pick(nullable, reflect.TypeFor[time.Duration](), reflect.TypeFor[sql.Null[time.Duration]]())
	}
	return pick(nullable, reflect.TypeFor[string](), nullString)
}

func pick(nullable bool, plain, null reflect.Type) reflect.Type {
	if nullable {
		return null
	}
	return plain
}

// ColumnTypeNullable implements driver.RowsColumnTypeNullable.
func (r *rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	return r.schema.Field(i).Nullable, true
}

// ColumnTypePrecisionScale implements driver.RowsColumnTypePrecisionScale
// for decimal columns.
func (r *rows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	switch t := r.schema.Field(i).Type.(type) {
	case *arrow.Decimal128Type:
		return int64(t.Precision), int64(t.Scale), true
	case *arrow.Decimal256Type:
		return int64(t.Precision), int64(t.Scale), true
	}
	return 0, 0, false
}

// ColumnTypeLength implements driver.RowsColumnTypeLength: text and binary
// columns have no length limit.
func (r *rows) ColumnTypeLength(i int) (length int64, ok bool) {
	switch r.schema.Field(i).Type.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return math.MaxInt64, true
	}
	return 0, false
}
