package flightserver_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/flightserver"
	"github.com/tpgen/tpgen/runtime/memtable"
)

var tSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.BinaryTypes.String},
	{Name: "i", Type: arrow.PrimitiveTypes.Int64},
	{Name: "label", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// keyedTable is t: rows rows over 4 partitions keyed by k (k0..k3).
func keyedTable(t testing.TB, rows int) *memtable.Table {
	t.Helper()
	parts := make([][][]any, 4)
	for i := 0; i < rows; i++ {
		p := i % 4
		var label any = fmt.Sprintf("l%d", i%7)
		if i%11 == 0 {
			label = nil
		}
		parts[p] = append(parts[p], []any{fmt.Sprintf("k%d", p), int64(i), label})
	}
	tbl := memtable.MustBuild(memory.NewGoAllocator(), tSchema, parts, memtable.WithKeyPartitioning("k"), memtable.WithBatchRows(64))
	t.Cleanup(tbl.Release)
	return tbl
}

// fixture is a session over t with a server and a client, all on checked
// allocators that must be back to zero once the server has stopped.
type fixture struct {
	addr string
	s    *runtime.Session
	cl   *flightsql.Client
	mem  *memory.CheckedAllocator
}

func newFixture(t *testing.T, opts ...flightserver.Option) *fixture {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithParallelism(2), runtime.WithBatchSize(64))
	if err := s.Register("t", keyedTable(t, 2000)); err != nil {
		t.Fatal(err)
	}
	addr := startServer(t, s, append([]flightserver.Option{flightserver.WithAllocator(mem)}, opts...)...)
	return &fixture{addr: addr, s: s, cl: newClient(t, addr, mem), mem: mem}
}

// rowsOf renders batches as sorted row strings.
func rowsOf(schema *arrow.Schema, recs []arrow.RecordBatch) []string {
	res := &runtime.Result{Schema: schema, Records: recs}
	var out []string
	for _, r := range res.Rows() {
		out = append(out, fmt.Sprint(r))
	}
	sort.Strings(out)
	return out
}

func (f *fixture) want(t *testing.T, sql string, args ...any) []string {
	t.Helper()
	res, err := f.s.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	return rowsOf(res.Schema, res.Records)
}

func (f *fixture) got(t *testing.T, info *flight.FlightInfo) []string {
	t.Helper()
	recs, schema, err := readAll(context.Background(), f.cl, info)
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	return rowsOf(schema, recs)
}

func TestEndpointsPerPartition(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		sql       string
		endpoints int
	}{
		{"SELECT * FROM t", 4},
		{"SELECT i * 2 AS j, label FROM t WHERE i % 3 = 0", 4},
		{"SELECT k, count(*), sum(i) FROM t GROUP BY k", 4},
		{"SELECT label, count(*) FROM t GROUP BY label", 1},
		{"SELECT count(*) FROM t", 1},
		{"SELECT * FROM t ORDER BY i", 1},
		{"SELECT * FROM t LIMIT 5", 1},
		{"SELECT * FROM t WHERE k = 'k1'", 1},
		{"SELECT * FROM t WHERE k IN ('k1', 'k2')", 2},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			info, err := f.cl.Execute(ctx, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if len(info.Endpoint) != tc.endpoints {
				t.Fatalf("%d endpoints, want %d", len(info.Endpoint), tc.endpoints)
			}
			schema, err := flight.DeserializeSchema(info.Schema, f.mem)
			if err != nil {
				t.Fatal(err)
			}
			got := f.got(t, info) // endpoints read in parallel
			want := f.want(t, tc.sql)
			if strings.Contains(tc.sql, "LIMIT") {
				if len(got) != 5 {
					t.Fatalf("%d rows, want 5", len(got))
				}
			} else if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("Flight rows (%d) differ from Session.Query rows (%d)", len(got), len(want))
			}
			if schema.NumFields() == 0 || schema.Field(0).Name == "" {
				t.Fatalf("FlightInfo schema %s", schema)
			}
		})
	}
}

func TestStaleTicket(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	info, err := f.cl.Execute(ctx, "SELECT i FROM t")
	if err != nil {
		t.Fatal(err)
	}
	f.s.Deregister("t")
	small := memtable.MustBuild(memory.NewGoAllocator(), tSchema, [][][]any{{{"k0", int64(1), nil}}, {{"k1", int64(2), nil}}}, memtable.WithKeyPartitioning("k"))
	defer small.Release()
	if err := f.s.Register("t", small); err != nil {
		t.Fatal(err)
	}
	_, _, err = readEndpoint(ctx, f.cl, info.Endpoint[0])
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "issued for 4") {
		t.Fatalf("stale ticket: %v", err)
	}
}

func TestPreparedStatement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const q = "SELECT i, label FROM t WHERE i < $1 AND k = $2"
	prep, err := f.cl.Prepare(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close(ctx)
	ps := prep.ParameterSchema()
	if ps.NumFields() != 2 || ps.Field(0).Name != "$1" || !arrow.TypeEqual(ps.Field(0).Type, arrow.PrimitiveTypes.Int64) ||
		!arrow.TypeEqual(ps.Field(1).Type, arrow.BinaryTypes.String) {
		t.Fatalf("parameter schema %s", ps)
	}
	if ds := prep.DatasetSchema(); ds.NumFields() != 2 || ds.Field(0).Name != "i" || ds.Field(1).Name != "label" {
		t.Fatalf("dataset schema %s", ds)
	}
	for _, args := range [][]any{{int64(100), "k1"}, {int64(1000), "k2"}, {int64(0), "k3"}} {
		b := array.NewRecordBuilder(f.mem, ps)
		b.Field(0).(*array.Int64Builder).Append(args[0].(int64))
		b.Field(1).(*array.StringBuilder).Append(args[1].(string))
		rec := b.NewRecordBatch()
		b.Release()
		prep.SetParameters(rec)
		info, err := prep.Execute(ctx)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		got, want := f.got(t, info), f.want(t, q, args...)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("args %v: Flight %d rows, Session.Query %d", args, len(got), len(want))
		}
		if args[0].(int64) > 0 && len(got) == 0 {
			t.Fatalf("args %v: no rows", args)
		}
	}

	// One parameter short: the engine's binding error, as InvalidArgument.
	b := array.NewRecordBuilder(f.mem, arrow.NewSchema([]arrow.Field{{Name: "$1", Type: arrow.PrimitiveTypes.Int64}}, nil))
	b.Field(0).(*array.Int64Builder).Append(1)
	rec := b.NewRecordBatch()
	b.Release()
	prep.SetParameters(rec)
	_, err = prep.Execute(ctx)
	rec.Release()
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "statement has 2 parameters, got 1 arguments") {
		t.Fatalf("missing parameter: %v", err)
	}

	// A statement without parameters.
	p2, err := f.cl.Prepare(ctx, "SELECT count(*) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close(ctx)
	info, err := p2.Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.got(t, info); len(got) != 1 || got[0] != "[2000]" {
		t.Fatalf("count: %v", got)
	}
}

func TestMetadata(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.s.Register("Big_Events", keyedTable(t, 10)); err != nil {
		t.Fatal(err)
	}
	read := func(info *flight.FlightInfo, err error) []arrow.RecordBatch {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		recs, _, err := readAll(ctx, f.cl, info)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { release(recs) })
		return recs
	}
	count := func(recs []arrow.RecordBatch) int {
		n := 0
		for _, r := range recs {
			n += int(r.NumRows())
		}
		return n
	}

	info := read(f.cl.GetSqlInfo(ctx, []flightsql.SqlInfo{flightsql.SqlInfoFlightSqlServerName, flightsql.SqlInfoFlightSqlServerReadOnly}))
	if count(info) != 2 || !strings.Contains(fmt.Sprint(info[0].Column(1)), "tpgen") {
		t.Fatalf("sql info: %v", info)
	}
	if n := count(read(f.cl.GetCatalogs(ctx))); n != 0 {
		t.Errorf("%d catalogs, want 0", n)
	}
	if n := count(read(f.cl.GetDBSchemas(ctx, &flightsql.GetDBSchemasOpts{}))); n != 0 {
		t.Errorf("%d schemas, want 0", n)
	}
	types := read(f.cl.GetTableTypes(ctx))
	if count(types) != 1 || types[0].Column(0).(*array.String).Value(0) != "TABLE" {
		t.Fatalf("table types: %v", types)
	}

	tables := func(opts *flightsql.GetTablesOpts) []string {
		var names []string
		for _, r := range read(f.cl.GetTables(ctx, opts)) {
			for i := 0; i < int(r.NumRows()); i++ {
				name := r.Column(2).(*array.String).Value(i)
				if !r.Column(0).IsNull(i) || !r.Column(1).IsNull(i) {
					t.Errorf("table %s has a catalog or schema", name)
				}
				if opts.IncludeSchema {
					got, err := flight.DeserializeSchema(r.Column(4).(*array.Binary).Value(i), f.mem)
					if err != nil {
						t.Fatal(err)
					}
					want, _ := f.s.TableSchema(name)
					if !got.Equal(want) {
						t.Errorf("table %s: schema %s, want %s", name, got, want)
					}
				}
				names = append(names, name)
			}
		}
		return names
	}
	pattern := func(s string) *string { return &s }
	for _, tc := range []struct {
		opts *flightsql.GetTablesOpts
		want string
	}{
		{&flightsql.GetTablesOpts{IncludeSchema: true}, "Big_Events t"},
		{&flightsql.GetTablesOpts{}, "Big_Events t"},
		{&flightsql.GetTablesOpts{TableNameFilterPattern: pattern("big%")}, "Big_Events"},
		{&flightsql.GetTablesOpts{TableNameFilterPattern: pattern("big\\_events")}, "Big_Events"},
		{&flightsql.GetTablesOpts{TableNameFilterPattern: pattern("_")}, "t"},
		{&flightsql.GetTablesOpts{DbSchemaFilterPattern: pattern("%"), TableTypes: []string{"TABLE", "VIEW"}}, "Big_Events t"},
		{&flightsql.GetTablesOpts{DbSchemaFilterPattern: pattern("public")}, ""},
		{&flightsql.GetTablesOpts{Catalog: pattern("tpgen")}, ""},
		{&flightsql.GetTablesOpts{TableTypes: []string{"VIEW"}}, ""},
	} {
		if got := strings.Join(tables(tc.opts), " "); got != tc.want {
			t.Errorf("GetTables(%+v) = %q, want %q", tc.opts, got, tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.cl.Execute(ctx, "SELECT nope FROM t")
	_, want := f.s.Query(ctx, "SELECT nope FROM t")
	if status.Code(err) != codes.InvalidArgument || status.Convert(err).Message() != want.Error() || !strings.Contains(want.Error(), "line 1, column 8") {
		t.Errorf("unknown column: %v (engine: %v)", err, want)
	}
	var det *errdetails.ErrorInfo
	for _, d := range status.Convert(err).Details() {
		if e, ok := d.(*errdetails.ErrorInfo); ok {
			det = e
		}
	}
	if det == nil || det.Metadata["line"] != "1" || det.Metadata["column"] != "8" || det.Metadata["token"] != "nope" {
		t.Errorf("error details: %v", det)
	}
	if _, err := f.cl.Prepare(ctx, "SELEC 1"); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "line 1, column 1") {
		t.Errorf("syntax error in Prepare: %v", err)
	}
	if _, err := f.cl.ExecuteUpdate(ctx, "INSERT INTO t (i) VALUES (1)"); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "INSERT is not supported") {
		t.Errorf("INSERT: %v", err)
	}
	if _, err := f.cl.ExecuteUpdate(ctx, "SELECT i FROM t"); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("ExecuteUpdate of a query: %v", err)
	}
	ticket, err := flightsql.CreateStatementQueryTicket([]byte("not ours"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := readEndpoint(ctx, f.cl, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: ticket}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("foreign ticket: %v", err)
	}
	info, err := f.cl.Execute(ctx, "SELECT i / (i - i) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := readAll(ctx, f.cl, info); status.Code(err) != codes.Internal || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("execution error: %v", err)
	}
}

// TestConcurrentClients runs 50 clients at once, each on its own
// connection, each running a split query (read in parallel) and a
// prepared statement, and checks every one got every row.
func TestConcurrentClients(t *testing.T) {
	f := newFixture(t)
	const clients = 50
	want := f.want(t, "SELECT k, count(*), sum(i) FROM t GROUP BY k")
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		cl := newClient(t, f.addr, f.mem)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- clientRun(cl, want)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func clientRun(cl *flightsql.Client, want []string) error {
	ctx := context.Background()
	info, err := cl.Execute(ctx, "SELECT k, count(*), sum(i) FROM t GROUP BY k")
	if err != nil {
		return err
	}
	recs, schema, err := readAll(ctx, cl, info)
	if err != nil {
		return err
	}
	got := rowsOf(schema, recs)
	release(recs)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	prep, err := cl.Prepare(ctx, "SELECT count(*) FROM t WHERE i >= 1000")
	if err != nil {
		return err
	}
	defer prep.Close(ctx)
	info, err = prep.Execute(ctx)
	if err != nil {
		return err
	}
	recs, schema, err = readAll(ctx, cl, info)
	if err != nil {
		return err
	}
	got = rowsOf(schema, recs)
	release(recs)
	if len(got) != 1 || got[0] != "[1000]" {
		return fmt.Errorf("prepared count: %v", got)
	}
	return nil
}

func TestOneEndpointOption(t *testing.T) {
	f := newFixture(t, flightserver.WithEndpointPerPartition(false))
	info, err := f.cl.Execute(context.Background(), "SELECT * FROM t WHERE i % 5 = 0")
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Endpoint) != 1 {
		t.Fatalf("%d endpoints, want 1", len(info.Endpoint))
	}
	got, want := f.got(t, info), f.want(t, "SELECT * FROM t WHERE i % 5 = 0")
	if len(got) != 400 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("one endpoint: %d rows, Session.Query %d", len(got), len(want))
	}
}

// TestCommandAsTicket redeems a bound prepared statement's command itself
// (some clients do instead of using the FlightInfo's tickets), and asks
// for schemas without running anything.
func TestCommandAsTicket(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const q = "SELECT k, i FROM t WHERE i < $1"
	prep, err := f.cl.Prepare(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close(ctx)
	b := array.NewRecordBuilder(f.mem, prep.ParameterSchema())
	b.Field(0).(*array.Int64Builder).Append(30)
	rec := b.NewRecordBatch()
	b.Release()
	prep.SetParameters(rec)
	defer rec.Release()
	info, err := prep.Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs, schema, err := readEndpoint(ctx, f.cl, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: info.FlightDescriptor.Cmd}})
	if err != nil {
		t.Fatal(err)
	}
	got := rowsOf(schema, recs)
	release(recs)
	if want := f.want(t, q, 30); len(got) != 30 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("command as ticket: %d rows, want %d", len(got), len(want))
	}

	sr, err := f.cl.GetExecuteSchema(ctx, "SELECT k, i * 2 AS j FROM t")
	if err != nil {
		t.Fatal(err)
	}
	s, err := flight.DeserializeSchema(sr.GetSchema(), f.mem)
	if err != nil {
		t.Fatal(err)
	}
	if s.NumFields() != 2 || s.Field(1).Name != "j" || !arrow.TypeEqual(s.Field(1).Type, arrow.PrimitiveTypes.Int64) {
		t.Fatalf("GetExecuteSchema: %s", s)
	}
	if _, err := f.cl.GetExecuteSchema(ctx, "SELECT j FROM t"); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("GetExecuteSchema of bad SQL: %v", err)
	}
}

// TestXdbcTypeInfo: the type list JDBC and ODBC clients ask for, whole
// and filtered by data type, and CancelFlightInfo's answer.
func TestXdbcTypeInfo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	names := func(dataType *int32) []string {
		t.Helper()
		info, err := f.cl.GetXdbcTypeInfo(ctx, dataType)
		if err != nil {
			t.Fatal(err)
		}
		recs, schema, err := readAll(ctx, f.cl, info)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		if !schema.Equal(schema_ref.XdbcTypeInfo) {
			t.Fatalf("schema %s", schema)
		}
		var out []string
		last := int32(math.MinInt32)
		for _, r := range recs {
			for i := range int(r.NumRows()) {
				dt := r.Column(1).(*array.Int32).Value(i)
				if dt < last {
					t.Errorf("types not ordered by data type: %d after %d", dt, last)
				}
				last = dt
				out = append(out, r.Column(0).(*array.String).Value(i))
			}
		}
		return out
	}
	all := names(nil)
	if len(all) != 18 || !slices.Contains(all, "DOUBLE PRECISION") || !slices.Contains(all, "TIMESTAMP") {
		t.Errorf("types: %v", all)
	}
	bigint := int32(-5) // XDBC_BIGINT
	if got := names(&bigint); !slices.Equal(got, []string{"BIGINT", "BIGINT UNSIGNED"}) {
		t.Errorf("BIGINT types: %v", got)
	}
	none := int32(-11) // XDBC_GUID
	if got := names(&none); len(got) != 0 {
		t.Errorf("GUID types: %v", got)
	}

	info, err := f.cl.Execute(ctx, "SELECT count(*) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil || res.Status != flight.CancelStatusNotCancellable {
		t.Fatalf("CancelFlightInfo: %v, %v; want NOT_CANCELLABLE", res, err)
	}
}
