package runtime

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// typedResult builds a two-row result covering the types whose printing
// has rules: NULL, timestamps, dates, decimals, floats, binary, unicode.
func typedResult(t *testing.T, mem memory.Allocator) *Result {
	t.Helper()
	ts := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	dec := &arrow.Decimal128Type{Precision: 18, Scale: 2}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
		{Name: "amount", Type: dec, Nullable: true},
		{Name: "ts", Type: ts},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ratio", Type: arrow.PrimitiveTypes.Float64},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "raw", Type: arrow.BinaryTypes.Binary},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"us-east-1", ""}, []bool{true, false})
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{3, 1200}, nil)
	b.Field(2).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(1250), {}}, []bool{true, false})
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC)
	b.Field(3).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(t0.UnixMicro()), 0}, nil)
	b.Field(4).(*array.Date32Builder).AppendValues([]arrow.Date32{arrow.Date32FromTime(t0), 0}, nil)
	b.Field(5).(*array.Float64Builder).AppendValues([]float64{0.5, 1e6}, nil)
	b.Field(6).(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
	b.Field(7).(*array.BinaryBuilder).AppendValues([][]byte{{0xde, 0xad}, {}}, nil)
	return &Result{Schema: schema, Records: []arrow.RecordBatch{b.NewRecordBatch()}}
}

func TestResultFormat(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	res := typedResult(t, mem)
	defer res.Release()
	want := strings.TrimLeft(`
  region   |  n   | amount |           ts           |    day     |  ratio  |  ok   |  raw
-----------+------+--------+------------------------+------------+---------+-------+--------
 us-east-1 |    3 |  12.50 | 2026-01-02 03:04:05.6Z | 2026-01-02 |     0.5 | true  | \xdead
 NULL      | 1200 |   NULL | 1970-01-01 00:00:00Z   | 1970-01-01 | 1000000 | false | \x
(2 rows)
`, "\n")
	if got := res.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestResultFormatEmptyAndSingular(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a_long_name", Type: arrow.PrimitiveTypes.Int32}}, nil)
	empty := &Result{Schema: schema}
	want := " a_long_name\n-------------\n(0 rows)\n"
	if got := empty.String(); got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewInt32Builder(mem)
	b.Append(7)
	col := b.NewArray()
	b.Release()
	one := &Result{Schema: schema, Records: []arrow.RecordBatch{array.NewRecordBatch(schema, []arrow.Array{col}, 1)}}
	col.Release()
	defer one.Release()
	want = " a_long_name\n-------------\n           7\n(1 row)\n"
	if got := one.String(); got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestResultRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	res := typedResult(t, mem)
	rows := res.Rows()
	if res.NumRows() != 2 || len(rows) != 2 {
		t.Fatalf("NumRows=%d, len(Rows)=%d, want 2", res.NumRows(), len(rows))
	}
	r0 := rows[0]
	if r0[0] != "us-east-1" || r0[1] != int64(3) || r0[2] != "12.50" || r0[5] != 0.5 || r0[6] != true {
		t.Errorf("row 0 = %#v", r0)
	}
	if ts, ok := r0[3].(time.Time); !ok || !ts.Equal(time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC)) {
		t.Errorf("ts = %#v", r0[3])
	}
	if rows[1][0] != nil || rows[1][2] != nil {
		t.Errorf("NULLs should be nil, got %#v", rows[1])
	}
	res.Release()
	res.Release() // idempotent
	if res.NumRows() != 0 {
		t.Errorf("released result still has %d rows", res.NumRows())
	}
}

// Tables align by display width (CJK takes two columns), and no name or
// value holding " | " reads as two columns (issue 17).
func TestFormatWidthAndSeparators(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a | b", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"漢字テスト", "x | y", "say \"hi\"", "\x01"}, nil)
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{1, 2, 3, 4}, nil)
	res := &Result{Schema: schema, Records: []arrow.RecordBatch{b.NewRecordBatch()}}
	defer res.Release()
	want := strings.TrimLeft(`
  "a | b"   | n
------------+---
 漢字テスト | 1
 "x | y"    | 2
 say "hi"   | 3
 \x01       | 4
(4 rows)
`, "\n")
	if got := res.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
