package sql

import (
	"context"
	"errors"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// fakeTable is a provider with a schema and nothing else: the front end
// never scans.
type fakeTable struct{ schema *arrow.Schema }

func (f fakeTable) Schema() *arrow.Schema { return f.schema }

func (f fakeTable) SupportsFilters(fs []expr.Expr) ([]plan.FilterPushdown, error) {
	return make([]plan.FilterPushdown, len(fs)), nil
}

func (f fakeTable) Scan(context.Context, plan.ScanRequest) (plan.ExecutionPlan, error) {
	return nil, errors.New("fakeTable cannot scan")
}

type fakeCatalog map[string]plan.TableProvider

func (c fakeCatalog) Table(name string) (plan.TableProvider, bool) {
	p, ok := c[name]
	return p, ok
}

func (c fakeCatalog) TableNames() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func table(fields ...arrow.Field) fakeTable {
	for i := range fields {
		fields[i].Nullable = true
	}
	return fakeTable{arrow.NewSchema(fields, nil)}
}

var testCatalog = fakeCatalog{
	"events": table(
		arrow.Field{Name: "region", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "event_type", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		arrow.Field{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "amount", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}},
		arrow.Field{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	),
	"types": table(
		arrow.Field{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		arrow.Field{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
		arrow.Field{Name: "i16", Type: arrow.PrimitiveTypes.Int16},
		arrow.Field{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "u8", Type: arrow.PrimitiveTypes.Uint8},
		arrow.Field{Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
		arrow.Field{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
		arrow.Field{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
		arrow.Field{Name: "f64", Type: arrow.PrimitiveTypes.Float64},
		arrow.Field{Name: "s", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "bin", Type: arrow.BinaryTypes.Binary},
		arrow.Field{Name: "d", Type: arrow.FixedWidthTypes.Date32},
		arrow.Field{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second}},
		arrow.Field{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond}},
		arrow.Field{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}},
		arrow.Field{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
		arrow.Field{Name: "dur", Type: &arrow.DurationType{Unit: arrow.Millisecond}},
	),
	"users": table(
		arrow.Field{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "name", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "region", Type: arrow.BinaryTypes.String},
	),
	"Mixed": table(
		arrow.Field{Name: "Region", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int64},
	),
}
