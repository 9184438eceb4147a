package physical

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestTakeRows gathers from sliced arrays (a non-zero offset) of every
// layout takeRows gathers itself, with NULLs, repeated and reversed rows,
// strings of 0 to 12 bytes (short ones move as words, up to the buffer's
// end), and checks every value against the source; nulls=false drops the
// validity only where the picked rows have none.
func TestTakeRows(t *testing.T) {
	mem := checked(t)
	var strs, ints []any
	for i := range 40 {
		if i%7 == 3 {
			strs, ints = append(strs, nil), append(ints, nil)
			continue
		}
		strs = append(strs, strings.Repeat(string(rune('a'+i%26)), i%13))
		ints = append(ints, i*1000)
	}
	for _, dt := range []arrow.DataType{str, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, i64,
		arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int8, &arrow.Decimal128Type{Precision: 20, Scale: 0}, arrow.FixedWidthTypes.Boolean} {
		vals := ints
		switch dt.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY:
			vals = strs
		case arrow.INT8:
			vals = make([]any, len(ints))
			for i, v := range ints {
				if v != nil {
					vals[i] = v.(int) % 100
				}
			}
		case arrow.BOOL:
			vals = make([]any, len(ints))
			for i, v := range ints {
				if v != nil {
					vals[i] = v.(int)%3000 == 0
				}
			}
		}
		whole := col(mem, dt, vals...)
		src := array.NewSlice(whole, 2, int64(whole.Len()))
		whole.Release()
		idx := []int32{37, 0, 5, 5, 36, 1, 12, 30, 29, 2, 11, 33}
		for _, nulls := range []bool{true, false} {
			pick := idx
			if !nulls {
				pick = nil
				for _, r := range idx {
					if src.IsValid(int(r)) {
						pick = append(pick, r)
					}
				}
			}
			got, err := takeRows(mem, src, pick, nulls)
			if err != nil {
				t.Fatal(err)
			}
			if !nulls && got.NullN() != 0 {
				t.Errorf("%s: %d NULLs with nulls=false", dt, got.NullN())
			}
			for i, r := range pick {
				want, have := "NULL", "NULL"
				if src.IsValid(int(r)) {
					want = src.ValueStr(int(r))
				}
				if got.IsValid(i) {
					have = got.ValueStr(i)
				}
				if want != have {
					t.Errorf("%s nulls=%v: row %d (source %d) = %q, want %q", dt, nulls, i, r, have, want)
				}
			}
			if nulls {
				if want := fmt.Sprint(countNulls(src, pick)); fmt.Sprint(got.NullN()) != want {
					t.Errorf("%s: NullN %d, want %s", dt, got.NullN(), want)
				}
			}
			got.Release()
		}
		src.Release()
	}
}

func countNulls(a arrow.Array, idx []int32) int {
	n := 0
	for _, r := range idx {
		if a.IsNull(int(r)) {
			n++
		}
	}
	return n
}
