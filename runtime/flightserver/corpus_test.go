package flightserver_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/flightserver"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/sql"
	"github.com/tpgen/tpgen/runtime/sqllogictest"
)

const corpusDir = "../testdata/sqllogictest"

var anyPartition = regexp.MustCompile(`\(partition \d+\)`)

// TestCorpusThroughFlight runs every query of the sqllogictest corpus,
// under every layout its file names, through a Flight SQL client (all
// endpoints read in parallel) and through Session.Query, and requires the
// same rows (in the same order when there is one endpoint, as a multiset
// otherwise), or, for statements that fail, the same error: an
// InvalidArgument carrying the engine's message for statement errors.
// Under -race or -short it runs the declared and key layouts only.
func TestCorpusThroughFlight(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.slt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus in %s (%v)", corpusDir, err)
	}
	total, split := 0, 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sqllogictest.Parse(filepath.Base(path), data)
		if err != nil {
			t.Fatal(err)
		}
		layouts := f.Layouts
		if len(layouts) == 0 {
			layouts = []string{sqllogictest.Declared}
		}
		if raceEnabled || testing.Short() {
			// Under -race, the layouts that cover both shapes: as
			// declared, and key-partitioned (which splits).
			layouts = slices.DeleteFunc(slices.Clone(layouts), func(l string) bool {
				return l != sqllogictest.Declared && l != "key"
			})
		}
		for _, layout := range layouts {
			t.Run(f.Name+"/layout="+layout, func(t *testing.T) {
				n, s := runCorpusFile(t, f, layout)
				total += n
				split += s
			})
		}
	}
	t.Logf("%d queries compared, %d of them over several endpoints", total, split)
	if split == 0 {
		t.Error("no corpus query was split into several endpoints")
	}
}

func runCorpusFile(t *testing.T, f *sqllogictest.File, layout string) (queries, split int) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithParallelism(3))
	var tables []*memtable.Table
	defer func() {
		for _, tbl := range tables {
			tbl.Release()
		}
	}()
	var recs []*sqllogictest.Record
	for i := range f.Records {
		rec := &f.Records[i]
		switch {
		case rec.Kind == sqllogictest.KindTable:
			tbl, err := registerTable(s, mem, rec.Table, layout)
			if err != nil {
				t.Fatalf("%s:%d: %v", f.Name, rec.Line, err)
			}
			tables = append(tables, tbl)
		case rec.Skip == "" && (rec.Kind == sqllogictest.KindQuery || rec.Kind == sqllogictest.KindStatement):
			recs = append(recs, rec)
		}
	}
	// The client closes and the server stops before mem is checked.
	addr, stop := serve(t, s, flightserver.WithAllocator(mem))
	defer stop()
	cl := dial(t, addr, mem)
	defer cl.Close()
	for _, rec := range recs {
		n, err := compareQuery(s, cl, rec)
		if err != nil {
			t.Errorf("%s:%d (layout %s)\n%s\n%v", f.Name, rec.Line, layout, rec.SQL, err)
		}
		queries++
		if n > 1 {
			split++
		}
	}
	return queries, split
}

// compareQuery runs rec both ways and returns the number of endpoints.
func compareQuery(s *runtime.Session, cl *flightsql.Client, rec *sqllogictest.Record) (int, error) {
	ctx := context.Background()
	want, wantErr := s.Query(ctx, rec.SQL)
	if wantErr == nil {
		defer want.Release()
	}
	info, err := cl.Execute(ctx, rec.SQL)
	if err == nil {
		recs, schema, rerr := readAll(ctx, cl, info)
		if rerr != nil {
			err = rerr
		} else {
			defer release(recs)
			if wantErr != nil {
				return 0, fmt.Errorf("Flight succeeded, Session.Query failed: %v", wantErr)
			}
			types := rec.Types
			if types == "" { // a statement: derive letters from the result
				types = typeLetters(want.Schema)
			}
			got, ferr := sqllogictest.FormatRows(schema, recs, types)
			exp, werr := sqllogictest.FormatRows(want.Schema, want.Records, types)
			if ferr != nil || werr != nil {
				return 0, fmt.Errorf("formatting: %v, %v", ferr, werr)
			}
			// Without ORDER BY, row order is the engine's (hash tables,
			// partition interleaving) and differs from run to run.
			if len(info.Endpoint) > 1 || rec.RowSort || !strings.Contains(strings.ToLower(rec.SQL), "order by") {
				sqllogictest.SortRows(got)
				sqllogictest.SortRows(exp)
			}
			if !slices.Equal(got, exp) {
				return 0, fmt.Errorf("%d endpoints: Flight rows\n%s\nSession.Query rows\n%s", len(info.Endpoint), strings.Join(got, "\n"), strings.Join(exp, "\n"))
			}
			if !schemaNamesEqual(schema, want.Schema) {
				return 0, fmt.Errorf("Flight schema %s, Session.Query schema %s", schema, want.Schema)
			}
			return len(info.Endpoint), nil
		}
	}
	if wantErr == nil {
		return 0, fmt.Errorf("Flight failed, Session.Query succeeded: %v", err)
	}
	st, _ := status.FromError(err)
	var se *sql.Error
	if errors.As(wantErr, &se) && st.Code() != codes.InvalidArgument {
		return 0, fmt.Errorf("statement error %q came back as %s: %v", wantErr, st.Code(), err)
	}
	if !errors.As(wantErr, &se) && st.Code() != codes.Internal {
		return 0, fmt.Errorf("execution error %q came back as %s: %v", wantErr, st.Code(), err)
	}
	// Endpoints run partitions apart, so an execution error may name
	// another partition than the whole query's first failure.
	if anyPartition.ReplaceAllString(st.Message(), "") != anyPartition.ReplaceAllString(wantErr.Error(), "") {
		return 0, fmt.Errorf("Flight error %q, Session.Query error %q", st.Message(), wantErr)
	}
	return 0, nil
}

func schemaNamesEqual(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i, f := range a.Fields() {
		if g := b.Field(i); f.Name != g.Name || !arrow.TypeEqual(f.Type, g.Type) {
			return false
		}
	}
	return true
}

// registerTable builds def under the layout as the corpus runner does and
// registers it; the caller releases the table.
func registerTable(s *runtime.Session, mem memory.Allocator, def *sqllogictest.TableDef, layout string) (*memtable.Table, error) {
	l, err := def.LayoutFor(layout)
	if err != nil {
		return nil, err
	}
	parts, err := def.Build(mem, l)
	if err != nil {
		return nil, err
	}
	opts := []memtable.Option{memtable.WithFilterPushdown(l.Pushdown)}
	if len(l.Key) > 0 {
		opts = append(opts, memtable.WithKeyPartitioning(l.Key...))
	}
	if l.Range != "" {
		opts = append(opts, memtable.WithRangePartitioning(l.Range))
	}
	if len(l.Ordering) > 0 {
		opts = append(opts, memtable.WithOrdering(l.Ordering...))
	}
	tbl, err := memtable.New(def.Schema(), parts, opts...)
	sqllogictest.ReleaseAll(parts)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", def.Name, err)
	}
	if err := s.Register(def.Name, tbl); err != nil {
		tbl.Release()
		return nil, fmt.Errorf("table %s: %w", def.Name, err)
	}
	return tbl, nil
}

// typeLetters returns the corpus type letter of each column of schema.
func typeLetters(schema *arrow.Schema) string {
	var b strings.Builder
	for _, f := range schema.Fields() {
		for _, l := range []byte("IRTBD") {
			if sqllogictest.CheckType(l, f.Type) == nil {
				b.WriteByte(l)
				break
			}
		}
	}
	return b.String()
}
