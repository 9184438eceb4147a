package sqllogictest

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const everyType = `table all
b:bool? i8:int8? i16:int16 i32:int32 i64:int64 u8:uint8 u16:uint16 u32:uint32 u64:uint64 f32:float32 f64:float64? s:string? bin:binary? d:date32 ts:timestamp(us) tz:timestamp(ms,Europe/Paris) du:duration(s) dec:decimal(10,2)
true -128 -300 -70000 -9000000000 255 65535 4294967295 18446744073709551615 1.1 0.30000000000000004 héllo \x00ff 2024-02-29 2024-01-02T03:04:05.123456 2024-06-01T12:00:00+02:00 1h30m 12.5
NULL NULL 0 0 0 0 0 0 0 0 NULL (empty) (empty) 1970-01-01 1970-01-01 1970-01-01T00:00:00Z 0s -0.01
false 1 1 1 1 1 1 1 1 -2.5 1e21 NULL NULL 1969-12-31 1969-12-31T23:59:59 2024-01-01 -1s 0
`

// TestBuildAndFormatEveryType round-trips every column type through Arrow
// and the corpus's value spelling.
func TestBuildAndFormatEveryType(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f, err := Parse("types.slt", []byte(everyType))
	if err != nil {
		t.Fatal(err)
	}
	tab := f.Records[0].Table
	parts, err := tab.Build(mem, tab.Layout)
	if err != nil {
		t.Fatal(err)
	}
	defer ReleaseAll(parts)
	if len(parts) != 1 || len(parts[0]) != 1 {
		t.Fatalf("got %d partitions", len(parts))
	}
	got, err := FormatRows(tab.Schema(), parts[0], "BIIIIIIIIRRTTDDDDR")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`true -128 -300 -70000 -9000000000 255 65535 4294967295 18446744073709551615 1.1 0.3 héllo \x00ff 2024-02-29 2024-01-02T03:04:05.123456 2024-06-01T12:00:00+02:00 1h30m0s 12.50`,
		`NULL NULL 0 0 0 0 0 0 0 0 NULL (empty) (empty) 1970-01-01 1970-01-01T00:00:00 1970-01-01T01:00:00+01:00 0s -0.01`,
		`false 1 1 1 1 1 1 1 1 -2.5 1e+21 NULL NULL 1969-12-31 1969-12-31T23:59:59 2024-01-01T00:00:00+01:00 -1s 0.00`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := FormatRows(tab.Schema(), parts[0], "IIIIIIIIIRRTTDDDDR"); err == nil || !strings.Contains(err.Error(), "column 1 (b)") {
		t.Errorf("wrong letter accepted: %v", err)
	}
	if _, err := FormatRows(tab.Schema(), parts[0], "B"); err == nil {
		t.Error("wrong column count accepted")
	}
}

const layoutTable = `table t
k:int64? v:int64
5 1
3 2
NULL 3
1 4
3 5
9 6
7 7
1 8
`

func partitionValues(t *testing.T, tab *TableDef, l Layout) [][]string {
	t.Helper()
	parts, err := tab.Partition(l)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]string, len(parts))
	for p, rows := range parts {
		for _, r := range rows {
			out[p] = append(out[p], tab.Rows[r][0].String())
		}
	}
	return out
}

// TestStandardLayoutsKeepPromises checks that each layout's declarations
// hold for the rows it distributes.
func TestStandardLayoutsKeepPromises(t *testing.T) {
	f, err := Parse("l.slt", []byte(layoutTable))
	if err != nil {
		t.Fatal(err)
	}
	tab := f.Records[0].Table
	for _, name := range LayoutNames() {
		l, err := tab.LayoutFor(name)
		if err != nil {
			t.Fatal(err)
		}
		parts := partitionValues(t, tab, l)
		total := 0
		seen := map[string]int{}
		for p, vals := range parts {
			total += len(vals)
			if slices.Contains(l.Empty, p) && len(vals) > 0 {
				t.Errorf("%s: partition %d should be empty: %v", name, p, vals)
			}
			for _, v := range vals {
				if q, ok := seen[v]; ok && q != p && (len(l.Key) > 0 || l.Range != "") {
					t.Errorf("%s: key %s in partitions %d and %d", name, v, q, p)
				}
				seen[v] = p
			}
		}
		if total != len(tab.Rows) || len(parts) != l.Partitions {
			t.Errorf("%s: %d rows in %d partitions", name, total, len(parts))
		}
		if name == "range" {
			want := [][]string{{"1", "1", "3", "3"}, {"5", "7", "9"}, {"NULL"}}
			if !slices.EqualFunc(parts, want, slices.Equal) {
				t.Errorf("range partitions = %v, want %v", parts, want)
			}
		}
	}
}

func TestBatchSplittingAndOrdering(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f, err := Parse("o.slt", []byte(strings.Replace(layoutTable, "table t", "table t partitions=2 empty=0 ordering=k:desc batch=3", 1)))
	if err != nil {
		t.Fatal(err)
	}
	tab := f.Records[0].Table
	parts, err := tab.Build(mem, tab.Layout)
	if err != nil {
		t.Fatal(err)
	}
	defer ReleaseAll(parts)
	if len(parts[0]) != 0 || len(parts[1]) != 3 {
		t.Fatalf("batches per partition: %d, %d", len(parts[0]), len(parts[1]))
	}
	var all []arrow.RecordBatch
	all = append(all, parts[1]...)
	got, err := FormatRows(tab.Schema(), all, "II")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"NULL 3", "9 6", "7 7", "5 1", "3 2", "3 5", "1 4", "1 8"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFormatFloat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		bits int
		want string
	}{
		{0.1 + 0.2, 64, "0.3"}, {2.5, 64, "2.5"}, {-3, 64, "-3"}, {1.0 / 3, 64, "0.333333333333"},
		{float64(float32(1.1)), 32, "1.1"}, {-0.0, 64, "0"}, {1e300, 64, "1e+300"}, {1e-7, 64, "1e-07"}, {123456789012345678, 64, "123456789012000000"},
	} {
		if got := formatFloat(c.v, c.bits); got != c.want {
			t.Errorf("formatFloat(%v) = %s, want %s", c.v, got, c.want)
		}
	}
}
