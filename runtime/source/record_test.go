package source

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestColumnsRecordActsLikeArrowsRecord checks columnsRecord against the
// record array.NewRecordBatch makes of the same columns: what it reports,
// its slices, SetColumn and JSON, and that its last Release frees them.
func TestColumnsRecordActsLikeArrowsRecord(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	k, v := array.NewStringBuilder(mem), array.NewInt64Builder(mem)
	k.AppendValues([]string{"a", "b", "c"}, nil)
	v.AppendValues([]int64{1, 2, 3}, []bool{true, false, true})
	ka, va := k.NewArray(), v.NewArray()
	k.Release()
	v.Release()
	cols := []arrow.Array{ka, va}
	want := array.NewRecordBatch(testSchema, cols, 3)
	got := newColumnsRecord(testSchema, cols, 3)
	ka.Release()
	va.Release()

	if got.Schema() != want.Schema() || got.NumRows() != 3 || got.NumCols() != 2 || got.ColumnName(1) != "v" ||
		got.Column(0) != want.Column(0) || len(got.Columns()) != 2 {
		t.Errorf("record reports schema %v, %d rows, %d columns, column 1 %q", got.Schema(), got.NumRows(), got.NumCols(), got.ColumnName(1))
	}
	gj, err := got.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	wj, _ := want.MarshalJSON()
	if string(gj) != string(wj) {
		t.Errorf("JSON %s, want %s", gj, wj)
	}
	gs, ws := got.NewSlice(1, 3), want.NewSlice(1, 3)
	if !array.RecordEqual(gs, ws) {
		t.Errorf("slice [1, 3) differs")
	}
	gs.Release()
	ws.Release()
	set, err := got.SetColumn(1, want.Column(1))
	if err != nil || !array.RecordEqual(set, want) {
		t.Errorf("SetColumn: %v", err)
	}
	set.Release()
	if _, err := got.SetColumn(2, ka); err == nil {
		t.Error("SetColumn out of range accepted")
	}
	if !array.RecordEqual(got, want) {
		t.Error("records differ")
	}
	want.Release()
	got.Retain()
	got.Release()
	if got.Column(0) == nil {
		t.Fatal("released while retained")
	}
	got.Release()
	if got.Columns() != nil {
		t.Error("the last Release kept the columns")
	}
}
