package difftest

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// value is one result cell reduced to what both engines can express:
// numbers as float64 (all test values are exact in it), text, truth.
type value struct {
	null bool
	num  float64
	str  string
	kind kind
}

func (v value) String() string {
	switch {
	case v.null:
		return "NULL"
	case v.kind == kindString:
		return strconv.Quote(v.str)
	case v.kind == kindBool:
		return strconv.FormatBool(v.num != 0)
	}
	return strconv.FormatFloat(v.num, 'g', 10, 64)
}

// key sorts rows for the multiset comparison; floats are rounded so that
// values equal within tolerance sort alike.
func (v value) key() string {
	switch {
	case v.null:
		return "\x00"
	case v.kind == kindString:
		return "s" + v.str
	}
	if v.num == 0 {
		return "n0" // -0 and 0 are one value in SQL
	}
	return "n" + strconv.FormatFloat(v.num, 'g', 8, 64)
}

func (v value) equal(w value) bool {
	if v.null || w.null {
		return v.null == w.null
	}
	if v.kind == kindString || w.kind == kindString {
		return v.kind == w.kind && v.str == w.str
	}
	if v.num == w.num {
		return true
	}
	return math.Abs(v.num-w.num) <= 1e-9*math.Max(1, math.Max(math.Abs(v.num), math.Abs(w.num)))
}

type row []value

func (r row) String() string {
	s := make([]string, len(r))
	for i, v := range r {
		s[i] = v.String()
	}
	return strings.Join(s, " | ")
}

func (r row) key() string {
	s := make([]string, len(r))
	for i, v := range r {
		s[i] = v.key()
	}
	return strings.Join(s, "\x01")
}

// arrowValue converts one engine cell of a column expected to hold k.
func arrowValue(arr arrow.Array, i int, k kind) (value, error) {
	if arr.IsNull(i) {
		return value{null: true, kind: k}, nil
	}
	v := value{kind: k}
	switch a := arr.(type) {
	case *array.Int64:
		v.num = float64(a.Value(i))
	case *array.Int32:
		v.num = float64(a.Value(i))
	case *array.Uint64:
		v.num = float64(a.Value(i))
	case *array.Float64:
		v.num = a.Value(i)
	case *array.Decimal128:
		v.num = a.Value(i).ToFloat64(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.String:
		v.str = a.Value(i)
	case *array.Boolean:
		if a.Value(i) {
			v.num = 1
		}
	default:
		return v, fmt.Errorf("unexpected result type %s", arr.DataType())
	}
	return v, nil
}

// sqliteValue converts one SQLite cell (as database/sql scans into any).
func sqliteValue(x any, k kind) (value, error) {
	v := value{kind: k}
	switch x := x.(type) {
	case nil:
		v.null = true
	case int64:
		v.num = float64(x)
	case float64:
		v.num = x
	case string:
		v.str = x
	case []byte:
		v.str = string(x)
	case bool:
		if x {
			v.num = 1
		}
	default:
		return v, fmt.Errorf("unexpected SQLite value %T", x)
	}
	return v, nil
}

// sameRows compares as lists when ordered, as multisets otherwise.
func sameRows(got, want []row, ordered bool) bool {
	if len(got) != len(want) {
		return false
	}
	if !ordered {
		got, want = slices.Clone(got), slices.Clone(want)
		by := func(a, b row) int { return strings.Compare(a.key(), b.key()) }
		slices.SortFunc(got, by)
		slices.SortFunc(want, by)
	}
	for i := range got {
		for j := range got[i] {
			if !got[i][j].equal(want[i][j]) {
				return false
			}
		}
	}
	return true
}

// maxPrinted caps the rows a failure prints per engine.
const maxPrinted = 40

func formatRows(rows []row) string {
	if len(rows) == 0 {
		return "  (no rows)"
	}
	var b strings.Builder
	for i, r := range rows {
		if i == maxPrinted {
			fmt.Fprintf(&b, "  ... %d more\n", len(rows)-i)
			break
		}
		b.WriteString("  " + r.String() + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func TestSameRows(t *testing.T) {
	n := func(x float64) value { return value{num: x, kind: kindFloat} }
	s := func(x string) value { return value{str: x, kind: kindString} }
	null := value{null: true, kind: kindInt}
	a := []row{{n(1), s("x")}, {n(0), null}, {n(2.5), s("")}}
	b := []row{{n(2.5 + 1e-12), s("")}, {n(-0.0), null}, {n(1), s("x")}}
	if !sameRows(a, b, false) {
		t.Error("equal multisets (with -0 and rounding noise) compared unequal")
	}
	if sameRows(a, b, true) {
		t.Error("differently ordered lists compared equal")
	}
	if sameRows(a, []row{{n(1), s("x")}, {n(0), s("")}, {n(2.5), s("")}}, false) {
		t.Error("NULL compared equal to a string")
	}
	if sameRows(a, a[:2], false) {
		t.Error("different row counts compared equal")
	}
	if sameRows([]row{{n(1)}}, []row{{n(1.001)}}, false) {
		t.Error("1 and 1.001 compared equal")
	}
}
