package difftest

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"
	_ "modernc.org/sqlite"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/memtable"
	rtsql "github.com/tpgen/tpgen/runtime/sql"
	"github.com/tpgen/tpgen/runtime/sqllogictest"
)

var (
	numQueries = flag.Int("difftest.n", 300, "number of random queries")
	seed       = flag.Uint64("difftest.seed", 1, "random seed (runs are deterministic for a seed)")
)

// queriesPerTable spreads the queries over several random tables, so
// layouts vary as much as queries do.
const queriesPerTable = 25

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDifferential runs random queries on random tables through the engine
// and SQLite and requires equal results.
func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(*seed, 0x7467656e))
	failures := 0
	var st stats
	for round := 0; round*queriesPerTable < *numQueries && failures < 5; round++ {
		n := min(queriesPerTable, *numQueries-round*queriesPerTable)
		failures += runRound(t, r, round, n, &st)
	}
	t.Logf("seed %d: %d queries (%d ordered), %d with rows, %d rows in all", *seed, st.queries, st.ordered, st.nonEmpty, st.rows)
	// A generator that drifted into queries with empty results would make
	// the comparison vacuous.
	if st.queries >= 100 && st.nonEmpty < st.queries/2 {
		t.Errorf("only %d of %d queries returned rows", st.nonEmpty, st.queries)
	}
}

// stats summarise a run, to show the comparison is not vacuous.
type stats struct{ queries, ordered, nonEmpty, rows int }

// runRound loads one random table into both engines and runs n queries;
// it returns how many failed.
func runRound(t *testing.T, r *rand.Rand, round, n int, st *stats) (failures int) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	def := randomTable(r, "t")
	parts, err := def.Build(mem, def.Layout)
	if err != nil {
		t.Fatal(err)
	}
	l := def.Layout
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
	sqllogictest.ReleaseAll(parts) // the table retains what it keeps
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithParallelism(1+r.IntN(3)),
		runtime.WithBatchSize(1+r.IntN(8)), runtime.WithVerify(true))
	// The parser's one-time start-up (seconds under -race) must not count
	// against the first query's deadline.
	if err := rtsql.WaitParser(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Register("t", tbl); err != nil {
		t.Fatal(err)
	}
	db := loadSQLite(t, def)
	defer db.Close()
	layout := fmt.Sprintf("round %d: %d rows, layout %+v", round, len(def.Rows), l)
	g := &gen{r: r, table: "t"}
	for range n {
		q := g.query()
		st.queries++
		if q.ordered {
			st.ordered++
		}
		rows, msg := check(s, db, q)
		if rows > 0 {
			st.nonEmpty++
			st.rows += rows
		}
		if msg != "" {
			t.Errorf("%s\nquery: %s\n%s", layout, q.sql, msg)
			failures++
		}
	}
	return failures
}

func loadSQLite(t *testing.T, def *sqllogictest.TableDef) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: ":memory:" is per connection
	cols := make([]string, len(columns))
	marks := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = c.name + " " + c.sqlite
		marks[i] = "?"
	}
	if _, err := db.Exec("CREATE TABLE t (" + strings.Join(cols, ", ") + ")"); err != nil {
		t.Fatal(err)
	}
	ins := "INSERT INTO t VALUES (" + strings.Join(marks, ", ") + ")"
	for _, rw := range def.Rows {
		args := make([]any, len(rw))
		for i, v := range rw {
			if v.Null {
				continue
			}
			args[i] = v.Value
			if b, ok := v.Value.(bool); ok {
				args[i] = 0
				if b {
					args[i] = 1
				}
			}
		}
		if _, err := db.Exec(ins, args...); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// check runs q on both engines, returns SQLite's row count and describes
// any difference.
func check(s *runtime.Session, db *sql.DB, q query) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	want, err := sqliteRows(ctx, db, q)
	if err != nil {
		return 0, "SQLite failed (the generator made a query outside the common subset): " + err.Error()
	}
	got, err := engineRows(ctx, s, q)
	if err != nil {
		return len(want), fmt.Sprintf("engine failed: %v\nSQLite:\n%s", err, formatRows(want))
	}
	if !sameRows(got, want, q.ordered) {
		how := "as multisets"
		if q.ordered {
			how = "as ordered lists"
		}
		return len(want), fmt.Sprintf("results differ (%s)\nengine (%d rows):\n%s\nSQLite (%d rows):\n%s", how, len(got), formatRows(got), len(want), formatRows(want))
	}
	return len(want), ""
}

func engineRows(ctx context.Context, s *runtime.Session, q query) ([]row, error) {
	res, err := s.Query(ctx, q.sql)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	if res.Schema.NumFields() != len(q.kinds) {
		return nil, fmt.Errorf("%d result columns, want %d", res.Schema.NumFields(), len(q.kinds))
	}
	var out []row
	for _, rec := range res.Records {
		for i := 0; i < int(rec.NumRows()); i++ {
			rw := make(row, len(q.kinds))
			for c, k := range q.kinds {
				if rw[c], err = arrowValue(rec.Column(c), i, k); err != nil {
					return nil, err
				}
			}
			out = append(out, rw)
		}
	}
	return out, nil
}

func sqliteRows(ctx context.Context, db *sql.DB, q query) ([]row, error) {
	rows, err := db.QueryContext(ctx, q.sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	cells := make([]any, len(q.kinds))
	ptrs := make([]any, len(q.kinds))
	for i := range cells {
		ptrs[i] = &cells[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		rw := make(row, len(q.kinds))
		for c, k := range q.kinds {
			if rw[c], err = sqliteValue(cells[c], k); err != nil {
				return nil, err
			}
		}
		out = append(out, rw)
	}
	return out, rows.Err()
}

// TestGeneratorIsDeterministic guards the promise that a seed reproduces
// a failing run.
func TestGeneratorIsDeterministic(t *testing.T) {
	gen1 := func() []string {
		r := rand.New(rand.NewPCG(42, 0x7467656e))
		randomTable(r, "t")
		g := &gen{r: r, table: "t"}
		var out []string
		for range 20 {
			out = append(out, g.query().sql)
		}
		return out
	}
	a, b := gen1(), gen1()
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatal("same seed produced different queries")
	}
}
