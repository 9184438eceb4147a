package sqldriver_test

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/sqldriver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var typesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "bin", Type: arrow.BinaryTypes.Binary},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "wall", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
	{Name: "dur", Type: &arrow.DurationType{Unit: arrow.Millisecond}},
	{Name: "amount", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
}, nil)

var (
	day = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	ts  = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
)

// newSession returns a session on a checked allocator holding "types"
// (two partitions) and "big" (one partition of many small batches).
func newSession(t *testing.T) (*runtime.Session, *memory.CheckedAllocator) {
	t.Helper()
	tbl := memtable.MustBuild(memory.NewGoAllocator(), typesSchema, [][][]any{
		{{int64(1), true, int64(-8), int64(32), uint64(math.MaxUint64), 1.5, "one", "\x00\x01", day, ts, ts, 1500 * time.Millisecond, "12.50"}},
		{{int64(2), nil, int64(8), nil, uint64(7), nil, nil, "", nil, ts, nil, time.Duration(0), nil}},
	})
	t.Cleanup(tbl.Release)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithParallelism(2), runtime.WithBatchSize(16))
	if err := s.Register("types", tbl); err != nil {
		t.Fatal(err)
	}
	if err := s.Register("big", bigTable(t, 1000, 16)); err != nil {
		t.Fatal(err)
	}
	return s, mem
}

func openDB(t *testing.T, s *runtime.Session) *sql.DB {
	t.Helper()
	db := sql.OpenDB(sqldriver.Connector(s))
	t.Cleanup(func() { db.Close() })
	return db
}

func TestScanTypesAndValues(t *testing.T) {
	s, mem := newSession(t)
	defer mem.AssertSize(t, 0)
	db := openDB(t, s)
	rows, err := db.QueryContext(context.Background(), "SELECT * FROM types WHERE id >= $1 ORDER BY id", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []struct {
		db       string
		scan     reflect.Type
		nullable bool
	}{
		{"BIGINT", reflect.TypeFor[int64](), false},
		{"BOOLEAN", reflect.TypeFor[sql.NullBool](), true},
		{"TINYINT", reflect.TypeFor[int64](), false},
		{"INTEGER", reflect.TypeFor[sql.NullInt64](), true},
		{"UBIGINT", reflect.TypeFor[uint64](), false},
		{"DOUBLE PRECISION", reflect.TypeFor[sql.NullFloat64](), true},
		{"TEXT", reflect.TypeFor[sql.NullString](), true},
		{"BYTEA", reflect.TypeFor[[]byte](), false},
		{"DATE", reflect.TypeFor[sql.NullTime](), true},
		{"TIMESTAMPTZ", reflect.TypeFor[time.Time](), false},
		{"TIMESTAMP", reflect.TypeFor[sql.NullTime](), true},
		{"INTERVAL", reflect.TypeFor[time.Duration](), false},
		{"NUMERIC", reflect.TypeFor[sql.NullString](), true},
	}
	if len(cts) != len(wantTypes) {
		t.Fatalf("%d column types, want %d", len(cts), len(wantTypes))
	}
	for i, w := range wantTypes {
		ct := cts[i]
		nullable, ok := ct.Nullable()
		if ct.DatabaseTypeName() != w.db || ct.ScanType() != w.scan || !ok || nullable != w.nullable {
			t.Errorf("column %s: type %s, scan %v, nullable %v/%v; want %s, %v, %v", ct.Name(), ct.DatabaseTypeName(), ct.ScanType(), nullable, ok, w.db, w.scan, w.nullable)
		}
	}
	if p, sc, ok := cts[12].DecimalSize(); !ok || p != 10 || sc != 2 {
		t.Errorf("amount DecimalSize = %d, %d, %v; want 10, 2, true", p, sc, ok)
	}
	if _, _, ok := cts[0].DecimalSize(); ok {
		t.Error("id has a DecimalSize")
	}
	if n, ok := cts[6].Length(); !ok || n != math.MaxInt64 {
		t.Errorf("s Length = %d, %v", n, ok)
	}

	type row struct {
		id     int64
		b      sql.NullBool
		i8     int8
		i32    sql.NullInt32
		u64    uint64
		f      sql.NullFloat64
		s      sql.NullString
		bin    []byte
		d      sql.NullTime
		ts     time.Time
		wall   sql.NullTime
		dur    time.Duration
		amount sql.NullString
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.b, &r.i8, &r.i32, &r.u64, &r.f, &r.s, &r.bin, &r.d, &r.ts, &r.wall, &r.dur, &r.amount); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []row{
		{1, sql.NullBool{Bool: true, Valid: true}, -8, sql.NullInt32{Int32: 32, Valid: true}, math.MaxUint64,
			sql.NullFloat64{Float64: 1.5, Valid: true}, sql.NullString{String: "one", Valid: true}, []byte{0, 1},
			sql.NullTime{Time: day, Valid: true}, ts, sql.NullTime{Time: ts.Truncate(time.Millisecond), Valid: true},
			1500 * time.Millisecond, sql.NullString{String: "12.50", Valid: true}},
		{id: 2, i8: 8, u64: 7, bin: []byte{}, ts: ts},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n got %+v\nwant %+v", got, want)
	}
	if got[0].ts.Location() != time.UTC {
		t.Errorf("timestamp location %v, want UTC", got[0].ts.Location())
	}
	// A decimal scans into a float64 through database/sql's conversion.
	var f float64
	if err := db.QueryRow("SELECT amount FROM types WHERE id = 1").Scan(&f); err != nil || f != 12.5 {
		t.Fatalf("decimal into float64: %v, %v", f, err)
	}
}

func TestPreparedStatement(t *testing.T) {
	s, mem := newSession(t)
	defer mem.AssertSize(t, 0)
	db := openDB(t, s)
	st, err := db.Prepare("SELECT count(*) FROM big WHERE i < $1 AND label <> $2")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		below int
		want  int64
	}{{10, 10}, {500, 500}, {0, 0}} {
		var n int64
		if err := st.QueryRow(tc.below, "none").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != tc.want {
			t.Errorf("i < %d: count %d, want %d", tc.below, n, tc.want)
		}
	}
	if _, err := st.Query(1); err == nil || !strings.Contains(err.Error(), "expected 2 arguments, got 1") {
		t.Errorf("too few arguments: %v", err)
	}
	// Unsigned and duration arguments pass through to the engine's binder.
	var id int64
	if err := db.QueryRow("SELECT id FROM types WHERE u64 = $1 AND dur = $2", uint64(math.MaxUint64), 1500*time.Millisecond).Scan(&id); err != nil || id != 1 {
		t.Fatalf("uint64 and duration arguments: id %d, %v", id, err)
	}
	// A NULL argument and a time.Time one.
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM types WHERE ts = $1 AND ($2::text IS NULL)", ts, nil).Scan(&n); err != nil || n != 2 {
		t.Fatalf("time and NULL arguments: %d, %v", n, err)
	}
	if _, err := db.Query("SELECT id FROM types WHERE id = $1", sql.Named("id", 1)); err == nil || !strings.Contains(err.Error(), "positional parameters") {
		t.Errorf("named argument: %v", err)
	}
}

func TestErrors(t *testing.T) {
	s, mem := newSession(t)
	defer mem.AssertSize(t, 0)
	db := openDB(t, s)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "SELECT id FROM types"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("Exec of a query: %v", err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO types (id) VALUES (1)"); err == nil || !strings.Contains(err.Error(), "INSERT is not supported") {
		t.Errorf("Exec of INSERT: %v", err)
	}
	if _, err := db.QueryContext(ctx, "SELECT idd FROM types"); err == nil || !strings.Contains(err.Error(), "line 1, column 8") {
		t.Errorf("bad column: %v", err)
	}
	if _, err := db.Prepare("SELEC 1"); err == nil || !strings.Contains(err.Error(), "line 1, column 1") {
		t.Errorf("syntax error: %v", err)
	}
	if _, err := db.BeginTx(ctx, nil); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-write transaction: %v", err)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.QueryRow("SELECT count(*) FROM types").Scan(&n); err != nil || n != 2 {
		t.Fatalf("query in a read-only transaction: %d, %v", n, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOpenByName(t *testing.T) {
	s, mem := newSession(t)
	defer mem.AssertSize(t, 0)
	sqldriver.RegisterSession("driver-test", s)
	defer sqldriver.RegisterSession("driver-test", nil)
	db, err := sql.Open(sqldriver.DriverName, "driver-test")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM big").Scan(&n); err != nil || n != 1000 {
		t.Fatalf("count %d, %v", n, err)
	}
	if _, err := sql.Open(sqldriver.DriverName, "nobody"); err == nil || !strings.Contains(err.Error(), `no session registered as "nobody"`) {
		t.Fatalf("unknown name: %v", err)
	}
}

// TestStreamsAndClosesEarly reads a few rows of a 1000-row result and
// closes: the source must not have produced the whole table, and every
// buffer and goroutine must be gone (the allocator check and goleak).
func TestStreamsAndClosesEarly(t *testing.T) {
	s, mem := newSession(t)
	defer mem.AssertSize(t, 0)
	db := openDB(t, s)
	batchesRead.Store(0)
	rows, err := db.Query("SELECT i, label FROM big WHERE i >= $1", 0)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 20 && rows.Next(); k++ {
		var i int64
		var label string
		if err := rows.Scan(&i, &label); err != nil {
			t.Fatal(err)
		}
	}
	// 20 rows span two 16-row batches; a bounded read-ahead may hold a
	// few more, never the 63 the table has.
	if n := batchesRead.Load(); n < 2 || n > 8 {
		t.Errorf("source produced %d batches after 20 rows, want 2..8 (streaming with bounded read-ahead)", n)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if n := batchesRead.Load(); n > 8 {
		t.Errorf("source kept producing after Close: %d batches", n)
	}
}

func TestCancelStopsQuery(t *testing.T) {
	s, mem := newSession(t)
	defer mem.AssertSize(t, 0)
	db := openDB(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT i FROM big")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		if n++; n == 5 {
			cancel()
		}
	}
	if err := rows.Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("rows.Err() = %v after cancel, want context.Canceled", err)
	}
	if n >= 1000 {
		t.Fatalf("read all %d rows despite the cancel", n)
	}
	rows.Close()
}
