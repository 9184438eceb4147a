package sqllogictest

import (
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime/plan"
)

const sample = `# a comment
layouts single key

table t partitions=2 key=k ordering=v:desc pushdown=inexact batch=1
k:int64 v:float64? s:string?
1 1.5 'a b'
2 NULL (empty)
3 2.5 'NULL'

statement ok
SELECT 1

statement error unknown column "x"; did you mean "k"\?
SELECT x FROM t

query IRT rowsort
SELECT k, v, s
FROM t
----
1 1.5 a b
2 NULL (empty)

query I
SELECT k FROM t WHERE false

skipif tpgen # NOT IN with NULL is wrong
query error division by zero
SELECT 1/0

explain contains
SELECT k FROM t WHERE k = 1
----
MemTableExec
`

func TestParseSample(t *testing.T) {
	f, err := Parse("sample.slt", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.Layouts, ","); got != "single,key" {
		t.Errorf("layouts = %s", got)
	}
	if len(f.Records) != 7 {
		t.Fatalf("got %d records, want 7", len(f.Records))
	}
	tab := f.Records[0].Table
	if tab.Name != "t" || len(tab.Columns) != 3 || len(tab.Rows) != 3 || !tab.Columns[1].Nullable || tab.Columns[0].Nullable {
		t.Fatalf("table = %+v", tab)
	}
	if !tab.Rows[1][1].Null || tab.Rows[1][2].Value != "" || tab.Rows[2][2].Value != "NULL" || tab.Rows[0][2].Value != "a b" {
		t.Errorf("rows = %v", tab.Rows)
	}
	l := tab.Layout
	if l.Partitions != 2 || l.Key[0] != "k" || l.Pushdown != plan.Inexact || l.BatchRows != 1 ||
		len(l.Ordering) != 1 || !l.Ordering[0].Descending || !l.Ordering[0].NullsFirst {
		t.Errorf("layout = %+v", l)
	}
	st := f.Records[2]
	if !st.ExpectError || !st.ErrorPattern.MatchString(`unknown column "x"; did you mean "k"?`) || st.SQL != "SELECT x FROM t" {
		t.Errorf("statement error = %+v", st)
	}
	q := f.Records[3]
	if q.Types != "IRT" || !q.RowSort || q.SQL != "SELECT k, v, s\nFROM t" || len(q.Expected) != 2 || q.Line != 16 {
		t.Errorf("query = %+v", q)
	}
	if e := f.Records[4]; e.Expected != nil || e.Types != "I" {
		t.Errorf("empty query = %+v", e)
	}
	if e := f.Records[5]; e.Skip != "NOT IN with NULL is wrong" || !e.ExpectError || e.Kind != KindQuery {
		t.Errorf("skipped query error = %+v", e)
	}
	if e := f.Records[6]; e.Kind != KindExplain || e.Explain != ExplainContains || e.Expected[0] != "MemTableExec" {
		t.Errorf("explain = %+v", e)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"query X\nSELECT 1\n", `x.slt:1: unknown result type 'X'`},
		{"bogus\n", `x.slt:1: unknown directive "bogus"`},
		{"table t\nk:int64\nNULL\n", `x.slt:3: column k is not nullable (declare it as k:int64?)`},
		{"table t\nk:int64\n1 2\n", `x.slt:3: row has 2 values, table t has 1 columns`},
		{"table t\nk:strng\n", `x.slt:2: column k: unknown type "strng"`},
		{"table t key=z\nk:int64\n", `x.slt:1: table t has no column "z"`},
		{"table t partitions=2 empty=0,1\nk:int64\n1\n", `every partition is empty`},
		{"table t\nk:int8\n300\n", `x.slt:3: column k: bad int8 value "300"`},
		{"table t\nk:decimal(5,2)\n1.234\n", `more than 2 fractional digits`},
		{"table t\nk:timestamp(s)\n2024-01-01T00:00:00.5\n", `more precise than s`},
		{"skipif tpgen\n", `x.slt:1: condition is not followed by a record`},
		{"onlyif sqlite\nstatement ok\nSELECT 1\n", `only "skipif tpgen # reason" is supported`},
		{"explain\nSELECT 1\n", `explain needs "----"`},
		{"statement error (\nSELECT 1\n", `bad error pattern`},
		{"statement ok\nSELECT 1\n\nlayouts all\n", `layouts must come before every record`},
		{"layouts nope\n", `unknown layout "nope"`},
		{"table t\nk:string\n'abc\n", `unterminated quote`},
	}
	for _, c := range cases {
		_, err := Parse("x.slt", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", c.src, err, c.want)
		}
	}
}

func TestParseTypes(t *testing.T) {
	for in, want := range map[string]string{
		"bool": "bool", "int8": "int8", "uint64": "uint64", "float32": "float32", "binary": "binary",
		"date32": "date32", "timestamp(us)": "timestamp[us]", "timestamp(ms, UTC)": "timestamp[ms, tz=UTC]",
		"duration(s)": "duration[s]", "decimal(10,2)": "decimal(10, 2)",
	} {
		got, err := ParseType(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseType(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"int", "timestamp(xs)", "timestamp(s,Nowhere/Zone)", "decimal(2,3)", "duration(s,UTC)", "decimal(5)"} {
		if _, err := ParseType(bad); err == nil {
			t.Errorf("ParseType(%q) succeeded", bad)
		}
	}
}
