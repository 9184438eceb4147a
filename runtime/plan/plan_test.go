package plan

import (
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
)

func TestSortKeyStringAbbreviatesPostgresDefaults(t *testing.T) {
	for _, tc := range []struct {
		k    SortKey
		want string
	}{
		{SortKey{Column: "ts"}, "ts ASC"},
		{SortKey{Column: "ts", NullsFirst: true}, "ts ASC NULLS FIRST"},
		{SortKey{Column: "ts", Descending: true, NullsFirst: true}, "ts DESC"},
		{SortKey{Column: "ts", Descending: true}, "ts DESC NULLS LAST"},
	} {
		if got := tc.k.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.k, got, tc.want)
		}
	}
}

func TestPartitioningString(t *testing.T) {
	for _, tc := range []struct {
		p    Partitioning
		want string
	}{
		{Partitioning{}, "Unknown"},
		{Partitioning{Kind: KeyPartitioning, Columns: []string{"region", "day"}}, "Key([region, day])"},
		{Partitioning{Kind: RangePartitioning, Columns: []string{"ts"}}, "Range([ts])"},
		{Partitioning{Kind: SinglePartition}, "Single"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestFilterPushdownString(t *testing.T) {
	if Exact.String() != "Exact" || Inexact.String() != "Inexact" || Unsupported.String() != "Unsupported" {
		t.Errorf("names: %v %v %v", Exact, Inexact, Unsupported)
	}
}

func TestBatchNumRowsHonoursSelection(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewInt64Builder(mem)
	b.AppendValues([]int64{1, 2, 3, 4}, nil)
	col := b.NewArray()
	b.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 4)
	col.Release()

	all := Batch{Record: rec}
	none := Batch{Record: rec, Sel: []int32{}}
	some := Batch{Record: rec, Sel: []int32{1, 3}}
	if all.NumRows() != 4 || none.NumRows() != 0 || some.NumRows() != 2 || (Batch{}).NumRows() != 0 {
		t.Errorf("NumRows: all %d, none %d, some %d", all.NumRows(), none.NumRows(), some.NumRows())
	}
	all.Release()
	(Batch{}).Release() // a batch without a record releases nothing
}

func TestErrorNamesOperatorTableAndPartition(t *testing.T) {
	scan := &Error{Operator: "EventsExec", Table: "events", Partition: 3, Err: io.ErrUnexpectedEOF}
	if got, want := scan.Error(), "EventsExec (table events, partition 3): unexpected EOF"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	op := &Error{Operator: "FilterExec", Partition: 0, Err: io.ErrUnexpectedEOF}
	if got, want := op.Error(), "FilterExec (partition 0): unexpected EOF"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	named := &Error{Operator: "EventsExec", Table: "events", Partition: 3, PartitionName: "region = 'us'", Err: io.ErrUnexpectedEOF}
	if got, want := named.Error(), "EventsExec (table events, partition region = 'us'): unexpected EOF"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := BoundsName([]ColumnBound{{Column: "region", Key: true, Min: expr.String("us"), Max: expr.String("us")},
		{Column: "kind", Key: true}}); got != "region = 'us', kind IS NULL" {
		t.Errorf("BoundsName = %q", got)
	}
	if !errors.Is(scan, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is does not see the cause")
	}
}
