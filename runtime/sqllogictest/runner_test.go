package sqllogictest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/memtable"
	rtsql "github.com/tpgen/tpgen/runtime/sql"
)

var fileFilter = flag.String("slt.files", "", "regexp selecting the .slt files TestSQLLogic runs (default: all)")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sessionFor varies parallelism and batch size with the layout, so the
// same expectations also hold across execution settings.
func sessionFor(layout string, mem memory.Allocator, verify bool) *runtime.Session {
	opts := []runtime.Option{runtime.WithAllocator(mem), runtime.WithVerify(verify), runtime.WithParallelism(2)}
	switch layout {
	case "single":
		opts = append(opts, runtime.WithParallelism(1))
	case "roundrobin":
		opts = append(opts, runtime.WithParallelism(3), runtime.WithBatchSize(2))
	case "range":
		opts = append(opts, runtime.WithParallelism(4), runtime.WithBatchSize(3))
	}
	s := runtime.NewSession(opts...)
	// The parser's one-time start-up (seconds under -race) must not count
	// against the first record's queryTimeout.
	if err := rtsql.WaitParser(context.Background()); err != nil {
		panic(err)
	}
	return s
}

// TestSQLLogic runs every corpus file, once per layout it names, as
// subtests file/layout=name/L<line>. Each layout run gets a fresh session
// on a checked allocator that must be back to zero bytes at the end.
func TestSQLLogic(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.slt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files in %s (%v)", corpusDir, err)
	}
	filter, err := regexp.Compile(*fileFilter)
	if err != nil {
		t.Fatalf("-slt.files: %v", err)
	}
	for _, path := range paths {
		name := filepath.Base(path)
		if !filter.MatchString(name) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(name, data)
			if err != nil {
				t.Fatal(err)
			}
			layouts := f.Layouts
			if len(layouts) == 0 {
				layouts = []string{Declared}
			}
			for _, l := range layouts {
				t.Run("layout="+l, func(t *testing.T) { runFile(t, f, l) })
			}
		})
	}
}

func runFile(t *testing.T, f *File, layout string) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Verify mode checks every promise the tables make at run time, but
	// adds its own node to plans, so files that check plans run without it.
	verify := !slices.ContainsFunc(f.Records, func(r Record) bool { return r.Kind == KindExplain })
	s := sessionFor(layout, mem, verify)
	var tables []*memtable.Table
	defer func() {
		for _, tbl := range tables {
			tbl.Release()
		}
	}()
	for i := range f.Records {
		rec := &f.Records[i]
		if rec.Kind == KindTable {
			tbl, err := registerTable(s, mem, rec.Table, layout)
			if err != nil {
				t.Fatalf("%s:%d: %v", f.Name, rec.Line, err)
			}
			tables = append(tables, tbl)
			continue
		}
		t.Run(fmt.Sprintf("L%d", rec.Line), func(t *testing.T) {
			if rec.Skip != "" {
				t.Skipf("%s:%d: skipif tpgen: %s", f.Name, rec.Line, rec.Skip)
			}
			if err := runRecord(s, rec); err != nil {
				t.Errorf("%s:%d (layout %s)\n%s\n%v", f.Name, rec.Line, layout, rec.SQL, err)
			}
		})
	}
}

// registerTable builds def under the layout and registers it; the caller
// releases the table once the session is done.
func registerTable(s *runtime.Session, mem memory.Allocator, def *TableDef, layout string) (*memtable.Table, error) {
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
	// The table retains the batches it keeps.
	tbl, err := memtable.New(def.Schema(), parts, opts...)
	ReleaseAll(parts)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", def.Name, err)
	}
	if err := s.Register(def.Name, tbl); err != nil {
		tbl.Release()
		return nil, fmt.Errorf("table %s: %w", def.Name, err)
	}
	return tbl, nil
}

// queryTimeout turns a hang into a failure naming the record.
const queryTimeout = 60 * time.Second

func runRecord(s *runtime.Session, rec *Record) error {
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	switch rec.Kind {
	case KindExplain:
		text, err := s.Explain(ctx, rec.SQL)
		if err != nil {
			return err
		}
		return checkExplain(rec, text)
	case KindStatement, KindQuery:
		res, err := s.Query(ctx, rec.SQL)
		if err == nil {
			defer res.Release()
		}
		if rec.ExpectError {
			return checkError(rec, err)
		}
		if err != nil {
			return fmt.Errorf("unexpected error: %w", err)
		}
		if rec.Kind == KindStatement {
			return nil
		}
		got, err := FormatRows(res.Schema, res.Records, rec.Types)
		if err != nil {
			return err
		}
		return compareRows(rec, got)
	}
	return fmt.Errorf("cannot run a %s record", rec.Kind)
}

func checkError(rec *Record, err error) error {
	if err == nil {
		return errors.New("expected an error, the statement succeeded")
	}
	if rec.ErrorPattern != nil && !rec.ErrorPattern.MatchString(err.Error()) {
		return fmt.Errorf("error %q does not match /%s/", err, rec.ErrorPattern)
	}
	return nil
}

func compareRows(rec *Record, got []string) error {
	want := slices.Clone(rec.Expected)
	if rec.RowSort {
		SortRows(got)
		SortRows(want)
	}
	if slices.Equal(got, want) {
		return nil
	}
	return fmt.Errorf("result differs\n--- want (%d rows)\n%s\n--- got (%d rows)\n%s",
		len(want), strings.Join(want, "\n"), len(got), strings.Join(got, "\n"))
}

func checkExplain(rec *Record, text string) error {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	fail := func(msg string) error { return fmt.Errorf("%s\n--- plan\n%s", msg, strings.Join(lines, "\n")) }
	switch rec.Explain {
	case ExplainEquals:
		if !slices.Equal(lines, rec.Expected) {
			return fail("plan differs from\n" + strings.Join(rec.Expected, "\n"))
		}
	case ExplainContains:
		at := 0
		for _, want := range rec.Expected {
			for at < len(lines) && !strings.Contains(lines[at], want) {
				at++
			}
			if at == len(lines) {
				return fail(fmt.Sprintf("no plan line (from the previous match on) contains %q", want))
			}
		}
	case ExplainLacks:
		for _, unwanted := range rec.Expected {
			for _, l := range lines {
				if strings.Contains(l, unwanted) {
					return fail(fmt.Sprintf("plan line %q contains %q", l, unwanted))
				}
			}
		}
	}
	return nil
}
