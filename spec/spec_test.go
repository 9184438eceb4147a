package spec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"
)

func mustLoad(t *testing.T, name string) *Spec {
	t.Helper()
	s, err := Load(filepath.Join("testdata", name+".tpgen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func TestLoadKeyed(t *testing.T) {
	got := mustLoad(t, "keyed")
	want := &Spec{
		File:    filepath.Join("testdata", "keyed.tpgen.yaml"),
		Version: 1,
		Table:   "keyed",
		Doc:     "Click and view events, one partition per region.",
		Columns: []Column{
			{Name: "region", Type: Type{Kind: KindString}},
			{Name: "event_type", Type: Type{Kind: KindString}, Nullable: true, Doc: "click or view; null when unknown"},
			{Name: "ts", Type: Type{Kind: KindTimestamp, Unit: arrow.Microsecond, TZ: "UTC"}},
			{Name: "user_id", Type: Type{Kind: KindInt64}},
			{Name: "amount", Type: Type{Kind: KindDecimal, Precision: 18, Scale: 2}, Nullable: true},
		},
		Partitioning: Partitioning{Kind: PartitionKey, Key: []string{"region"}},
		Ordering:     []SortKey{{Column: "ts"}},
		Pushdown: Pushdown{Projection: true, Limit: true, Filters: []Filter{
			{Column: "region", Ops: []Op{OpEq, OpIn}, Exact: true},
			{Column: "ts", Ops: []Op{OpLt, OpLe, OpGt, OpGe}},
		}},
		Statistics: Statistics{Rows: ptr(int64(1000000000))},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keyed spec (-want +got):\n%s", diff)
	}
	if got.GoName() != "Keyed" || got.Column("user_id").GoName() != "UserID" {
		t.Errorf("GoName: %s, %s", got.GoName(), got.Column("user_id").GoName())
	}
	if got.Column("nope") != nil || got.ColumnIndex("ts") != 2 || got.ColumnIndex("nope") != -1 {
		t.Error("column lookup")
	}
	if f := got.FilterFor("region"); f == nil || !f.Has(OpIn) || f.Has(OpNe) {
		t.Errorf("FilterFor(region) = %+v", f)
	}
	if got.FilterFor("user_id") != nil {
		t.Error("FilterFor(user_id) should be nil")
	}
	const wantSchema = "schema:\n  fields: 5\n" +
		"    - region: type=utf8\n" +
		"    - event_type: type=utf8, nullable\n" +
		"    - ts: type=timestamp[us, tz=UTC]\n" +
		"    - user_id: type=int64\n" +
		"    - amount: type=decimal(18, 2), nullable"
	if s := got.ArrowSchema().String(); s != wantSchema {
		t.Errorf("ArrowSchema:\n%s\nwant:\n%s", s, wantSchema)
	}
	if cols := got.Partitioning.Columns(); !cmp.Equal(cols, []string{"region"}) {
		t.Errorf("Partitioning.Columns() = %v", cols)
	}
}

func TestLoadRanged(t *testing.T) {
	s := mustLoad(t, "ranged")
	if diff := cmp.Diff(Partitioning{Kind: PartitionRange, RangeColumn: "ts"}, s.Partitioning); diff != "" {
		t.Error(diff)
	}
	if cols := s.Partitioning.Columns(); !cmp.Equal(cols, []string{"ts"}) {
		t.Errorf("Partitioning.Columns() = %v", cols)
	}
	want := []Filter{
		{Column: "ts", Ops: []Op{OpEq, OpLt, OpLe, OpGt, OpGe}, Exact: true},
		{Column: "sensor_id", Ops: []Op{OpEq, OpIn}},
	}
	if diff := cmp.Diff(want, s.Pushdown.Filters); diff != "" {
		t.Error(diff)
	}
	// Pushdown is present but says nothing about projection and limit.
	if !s.Pushdown.Projection || !s.Pushdown.Limit {
		t.Error("projection and limit must default to true")
	}
}

func TestDefaults(t *testing.T) {
	s := mustLoad(t, "alltypes")
	if diff := cmp.Diff(Pushdown{Projection: true, Limit: true}, s.Pushdown); diff != "" {
		t.Errorf("omitted pushdown: %s", diff)
	}
	if s.Partitioning.Kind != PartitionNone || s.Partitioning.Columns() != nil || s.Ordering != nil || s.Statistics.Rows != nil {
		t.Errorf("omitted sections: %+v %+v %+v", s.Partitioning, s.Ordering, s.Statistics)
	}
	for _, c := range s.Columns {
		if c.Nullable {
			t.Errorf("%s: nullable must default to false", c.Name)
		}
	}
	np := mustLoad(t, "nopushdown")
	if diff := cmp.Diff(Pushdown{}, np.Pushdown); diff != "" {
		t.Errorf("nopushdown: %s", diff)
	}
}

// TestTestdataCoverage keeps the good specs the generator reuses honest about
// what their names promise.
func TestTestdataCoverage(t *testing.T) {
	kinds := func(s *Spec) map[Kind]bool {
		m := map[Kind]bool{}
		for _, c := range s.Columns {
			m[c.Type.Kind] = true
		}
		return m
	}
	all, nullable := mustLoad(t, "alltypes"), mustLoad(t, "nullable")
	for _, k := range Kinds() {
		if !kinds(all)[k] || !kinds(nullable)[k] {
			t.Errorf("kind %s missing from alltypes or nullable", k)
		}
	}
	for _, c := range nullable.Columns {
		if !c.Nullable {
			t.Errorf("nullable: column %s is not nullable", c.Name)
		}
	}
	seen := map[Op]bool{}
	for _, f := range mustLoad(t, "allops").Pushdown.Filters {
		for _, op := range f.Ops {
			seen[op] = true
		}
	}
	if len(seen) != len(Ops()) {
		t.Errorf("allops covers %d of %d ops", len(seen), len(Ops()))
	}
	for _, name := range []string{"alltypes", "keyed", "ranged", "nopushdown", "allops", "nullable"} {
		if s := mustLoad(t, name); s.Table != name {
			t.Errorf("%s.tpgen.yaml declares table %q", name, s.Table)
		}
	}
}

func TestOrderingNulls(t *testing.T) {
	src := `version: 1
table: t
columns:
  - {name: a, type: int64, nullable: true}
  - {name: b, type: int64, nullable: true}
  - {name: c, type: int64, nullable: true}
  - {name: d, type: int64, nullable: true}
  - {name: e, type: int64, nullable: true}
ordering: [a, b desc, "c  ASC  NULLS  FIRST", d desc nulls last, e Desc]
`
	s, err := Parse("t.tpgen.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []SortKey{
		{Column: "a"},
		{Column: "b", Descending: true, NullsFirst: true},
		{Column: "c", NullsFirst: true},
		{Column: "d", Descending: true},
		{Column: "e", Descending: true, NullsFirst: true},
	}
	if diff := cmp.Diff(want, s.Ordering); diff != "" {
		t.Error(diff)
	}
	var strs []string
	for _, k := range s.Ordering {
		strs = append(strs, k.String())
	}
	if got := strings.Join(strs, ", "); got != "a asc nulls last, b desc nulls first, c asc nulls first, d desc nulls last, e desc nulls first" {
		t.Errorf("SortKey.String: %s", got)
	}
}

func TestParseType(t *testing.T) {
	tests := []struct {
		in, canon string
		arrow     arrow.DataType
	}{
		{"bool", "bool", arrow.FixedWidthTypes.Boolean},
		{" int8 ", "int8", arrow.PrimitiveTypes.Int8},
		{"int16", "int16", arrow.PrimitiveTypes.Int16},
		{"int32", "int32", arrow.PrimitiveTypes.Int32},
		{"int64", "int64", arrow.PrimitiveTypes.Int64},
		{"uint8", "uint8", arrow.PrimitiveTypes.Uint8},
		{"uint16", "uint16", arrow.PrimitiveTypes.Uint16},
		{"uint32", "uint32", arrow.PrimitiveTypes.Uint32},
		{"uint64", "uint64", arrow.PrimitiveTypes.Uint64},
		{"float32", "float32", arrow.PrimitiveTypes.Float32},
		{"float64", "float64", arrow.PrimitiveTypes.Float64},
		{"string", "string", arrow.BinaryTypes.String},
		{"binary", "binary", arrow.BinaryTypes.Binary},
		{"date32", "date32", arrow.FixedWidthTypes.Date32},
		{"timestamp(s)", "timestamp(s)", &arrow.TimestampType{Unit: arrow.Second}},
		{"timestamp( ms )", "timestamp(ms)", &arrow.TimestampType{Unit: arrow.Millisecond}},
		{"timestamp (us,UTC)", "timestamp(us, UTC)", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{"timestamp(ns , Europe/Berlin)", "timestamp(ns, Europe/Berlin)", &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "Europe/Berlin"}},
		{"timestamp(us, -05:30)", "timestamp(us, -05:30)", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "-05:30"}},
		{"duration(s)", "duration(s)", &arrow.DurationType{Unit: arrow.Second}},
		{"duration( ns)", "duration(ns)", &arrow.DurationType{Unit: arrow.Nanosecond}},
		{"decimal(18,2)", "decimal(18, 2)", &arrow.Decimal128Type{Precision: 18, Scale: 2}},
		{"decimal( 38 , 38 )", "decimal(38, 38)", &arrow.Decimal128Type{Precision: 38, Scale: 38}},
		{"decimal(1, 0)", "decimal(1, 0)", &arrow.Decimal128Type{Precision: 1, Scale: 0}},
	}
	for _, tt := range tests {
		typ, err := ParseType(tt.in)
		if err != nil {
			t.Errorf("ParseType(%q): %v", tt.in, err)
			continue
		}
		if typ.String() != tt.canon {
			t.Errorf("ParseType(%q).String() = %q, want %q", tt.in, typ.String(), tt.canon)
		}
		if !arrow.TypeEqual(typ.Arrow(), tt.arrow) {
			t.Errorf("ParseType(%q).Arrow() = %v, want %v", tt.in, typ.Arrow(), tt.arrow)
		}
		again, err := ParseType(typ.String())
		if err != nil || again != typ {
			t.Errorf("canonical form %q does not round-trip: %+v, %v", typ.String(), again, err)
		}
	}
	if (Type{}).Arrow() != nil || (Type{}).String() != "invalid" {
		t.Error("zero Type must be invalid")
	}
}

func TestParseTypeErrors(t *testing.T) {
	tests := map[string]string{
		"strng":           `unknown type "strng"; did you mean "string"?`,
		"Int64":           `unknown type "Int64"; did you mean "int64"?`,
		"varchar":         `unknown type "varchar"; did you mean "string"?`,
		"timestmp(us)":    `unknown type "timestmp(us)"; did you mean "timestamp"?`,
		"int64(8)":        `type int64 takes no parameters, found "int64(8)"`,
		"timestamp()":     `malformed type "timestamp()"; expected timestamp(unit) or timestamp(unit, tz) with unit s, ms, us or ns`,
		"timestamp(us,)":  `unknown time zone "" in "timestamp(us,)"; use UTC, an offset such as +02:00, or an IANA name such as Europe/Berlin`,
		"duration(us, x)": `malformed type "duration(us, x)"; expected duration(unit) with unit s, ms, us or ns`,
		"decimal(+2, 1)":  `malformed type "decimal(+2, 1)"; precision and scale must be whole numbers, as in decimal(18, 2)`,
		"decimal(5, -1)":  `decimal scale -1 out of range in "decimal(5, -1)"; allowed: 0 to the precision 5`,
		"int 64":          `malformed type "int 64"; expected a name such as int64 or a parameterised type such as timestamp(us, UTC)`,
		"decimal((1,2))":  `malformed type "decimal((1,2))"; expected a name such as int64 or a parameterised type such as timestamp(us, UTC)`,
	}
	for in, want := range tests {
		_, err := ParseType(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseType(%q) error = %v\nwant %s", in, err, want)
		}
	}
}

func TestKindPredicates(t *testing.T) {
	var ints, ordered []string
	for _, k := range Kinds() {
		if k.IsInteger() {
			ints = append(ints, k.String())
		}
		if !k.IsOrdered() {
			ordered = append(ordered, k.String())
		}
	}
	if got := strings.Join(ints, " "); got != "int8 int16 int32 int64 uint8 uint16 uint32 uint64" {
		t.Errorf("integers: %s", got)
	}
	if got := strings.Join(ordered, " "); got != "bool" {
		t.Errorf("unordered kinds: %s", got)
	}
	if len(Kinds()) != 17 || Kind(99).String() != "Kind(99)" {
		t.Error("Kinds")
	}
	if !KindInt8.IsSigned() || KindUint8.IsSigned() || !KindFloat32.IsFloat() || !KindDate32.IsTemporal() || KindString.IsTemporal() {
		t.Error("kind predicates")
	}
}

func TestGoName(t *testing.T) {
	tests := map[string]string{
		"user_id": "UserID", "event_type": "EventType", "ts": "Ts", "id": "ID",
		"api_url": "APIURL", "_x": "X", "a__b": "AB", "created_at_utc": "CreatedAtUTC",
		"ip6": "Ip6", "x1_y2": "X1Y2", "json_blob": "JSONBlob", "userid": "Userid",
		// the initialisms of Go's style checkers (staticcheck ST1003)
		"cpu": "CPU", "host_dns": "HostDNS", "ttl_ms": "TTLMs", "html_body": "HTMLBody", "https": "HTTPS",
		"tcp_port": "TCPPort", "db_name": "DBName", "uid": "UID", "xml": "XML", "tls_version": "TLSVersion",
	}
	for in, want := range tests {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpsFor(t *testing.T) {
	tests := []struct {
		col  Column
		want string
	}{
		{Column{Type: Type{Kind: KindString}}, "eq ne lt le gt ge in not_in prefix"},
		{Column{Type: Type{Kind: KindBinary}, Nullable: true}, "eq ne lt le gt ge in not_in is_null is_not_null prefix"},
		{Column{Type: Type{Kind: KindInt64}}, "eq ne lt le gt ge in not_in"},
		{Column{Type: Type{Kind: KindBool}}, "eq ne in not_in"},
		{Column{Type: Type{Kind: KindBool}, Nullable: true}, "eq ne in not_in is_null is_not_null"},
	}
	for _, tt := range tests {
		if got := opList(OpsFor(&tt.col)); got != strings.ReplaceAll(tt.want, " ", ", ") {
			t.Errorf("OpsFor(%s nullable=%v) = %s, want %s", tt.col.Type, tt.col.Nullable, got, tt.want)
		}
	}
	if len(Ops()) != 11 || Ops()[10] != OpPrefix {
		t.Error("Ops")
	}
}

func TestErrorList(t *testing.T) {
	_, err := Parse("x.tpgen.yaml", []byte("version: 1\ntable: t\ncolumns:\n  - {name: a, type: nope}\n  - {name: A, type: int64}\n"))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("got %v", err)
	}
	want := &Error{File: "x.tpgen.yaml", Line: 5, Col: 12, Msg: `invalid column name "A"; use lowercase letters, digits and underscores, starting with a letter or underscore; did you mean "a"?`}
	if diff := cmp.Diff(want, list[1]); diff != "" {
		t.Error(diff)
	}
	if !strings.HasPrefix(err.Error(), "x.tpgen.yaml:4:21: unknown type \"nope\"; allowed: bool, ") || strings.Count(err.Error(), "\n") != 1 {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.tpgen.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
}

// TestErrorsNameTheGivenPath checks that Load reports positions against the
// path it was given, so `tpgen validate dir/x.tpgen.yaml` links to the file.
func TestErrorsNameTheGivenPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.tpgen.yaml")
	if err := os.WriteFile(path, []byte("version: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || err.Error() != path+":1:10: unsupported spec version 3; this tpgen reads version 1" {
		t.Errorf("got %v", err)
	}
}

// TestEveryKeyIsDecoded proves that the key table in mappingDefs, which the
// schema test compares with schema.json, is what the decoder really reads:
// parsing a spec that uses every key must read every key of the table.
func TestEveryKeyIsDecoded(t *testing.T) {
	read := map[string]bool{}
	keyReadHook = func(mapping, key string) { read[mapping+"."+key] = true }
	defer func() { keyReadHook = nil }()
	src := `version: 1
table: t
doc: d
columns:
  - {name: a, type: int64, nullable: true, doc: x}
partitioning: {key: [a]}
ordering: [a]
pushdown:
  projection: true
  limit: true
  filters: [{column: a, ops: [eq], exact: true}]
statistics: {rows: 1}
`
	if _, err := Parse("t.tpgen.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("t.tpgen.yaml", []byte("version: 1\ntable: t\ncolumns: [{name: a, type: int64}]\npartitioning: {range: {column: a}}\n")); err != nil {
		t.Fatal(err)
	}
	for _, m := range mappingDefs {
		for _, k := range m.keys {
			if !read[m.name+"."+k.name] {
				t.Errorf("decoder never reads %s.%s", m.name, k.name)
			}
		}
	}
}

// TestBlockStyle checks the block-mapping spelling users write by hand:
// unquoted parameterised types and YAML's 1_000 integers.
func TestBlockStyle(t *testing.T) {
	src := "version: 1\ntable: t\ncolumns:\n  - name: a\n    type: decimal(18, 2)\n  - name: b\n    type: timestamp(us, UTC)\nstatistics:\n  rows: 1_000_000\n"
	s, err := Parse("t.tpgen.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if *s.Statistics.Rows != 1000000 || s.Columns[0].Type.String() != "decimal(18, 2)" || s.Columns[1].Type.String() != "timestamp(us, UTC)" {
		t.Errorf("got %+v", s)
	}
	if err := validateYAML(t, []byte(src)); err != nil {
		t.Error(err)
	}
}
