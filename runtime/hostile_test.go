package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/sql"
)

// hostileTable is t(a bigint, s text): a = 1..1000 and s = 'v' || a % 10,
// in four key-partitioned partitions.
func hostileTable(t testing.TB) TableProvider {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String},
	}, nil)
	parts := make([][][]any, 4)
	for a := int64(1); a <= 1000; a++ {
		p := a % 4
		parts[p] = append(parts[p], []any{a, fmt.Sprintf("v%d", a%10)})
	}
	tbl, err := memtable.Build(memory.NewGoAllocator(), schema, parts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	return tbl
}

// hostileStatement is one entry of the catalogue: the statement, and the
// text its error must contain ("" when it must succeed).
type hostileStatement struct {
	name    string
	sql     string
	wantErr string
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }

func items(n int, item func(i int) string) string {
	out := make([]string, n)
	for i := range out {
		out[i] = item(i)
	}
	return strings.Join(out, ", ")
}

const nested = "nested too deeply"

var hostileCatalogue = []hostileStatement{
	// Deep nesting: refused by the nesting limit, before the parser.
	{"NOT x5000", "SELECT a FROM t WHERE " + repeat("NOT ", 5000) + "a > 1", nested},
	{"NOT x100000", "SELECT a FROM t WHERE " + repeat("NOT ", 100000) + "a > 1", nested},
	{"additions x5000", "SELECT " + repeat("a + ", 5000) + "1 FROM t", nested},
	{"concatenations x3000", "SELECT " + repeat("s || ", 3000) + "s FROM t", nested},
	{"casts x5000", "SELECT a" + repeat("::bigint", 5000) + " FROM t", nested},
	{"negations x5000", "SELECT " + repeat("-(", 5000) + "a" + repeat(")", 5000) + " FROM t", nested},
	{"function calls x5000", "SELECT " + repeat("abs(", 5000) + "a" + repeat(")", 5000) + " FROM t", nested},
	{"coalesce x3000", "SELECT " + repeat("coalesce(", 3000) + "a" + repeat(", 1)", 3000) + " FROM t", nested},
	{"CASE x5000", "SELECT " + repeat("CASE WHEN a > 1 THEN ", 5000) + "a" + repeat(" END", 5000) + " FROM t", nested},
	{"scalar subqueries x3000", "SELECT " + repeat("(SELECT ", 3000) + "1" + repeat(")", 3000) + " FROM t", nested},
	{"FROM subqueries x3000", "SELECT * FROM " + repeat("(SELECT * FROM ", 3000) + "t" + repeat(") x", 3000), nested},
	{"IN subqueries x2000", "SELECT a FROM t WHERE " + repeat("a IN (SELECT a FROM t WHERE ", 2000) + "true" + repeat(")", 2000), nested},
	{"arrays x5000", "SELECT ARRAY" + repeat("[", 5000) + "1" + repeat("]", 5000) + " FROM t", nested},
	{"IS NULL x5000", "SELECT a" + repeat(" IS NULL", 5000) + " FROM t", nested},
	{"JOINs x5000", "SELECT 1 FROM t" + repeat(" JOIN t USING (a)", 5000), nested},
	{"UNIONs x10000", "SELECT a FROM t" + repeat(" UNION ALL SELECT a FROM t", 10000), nested},
	{"mixed nesting", "SELECT " + repeat("abs(-(NOT (a + ", 400) + "1" + repeat("))))", 400) + " FROM t", nested},
	// Deep but legal: grouping parentheses build no tree nodes, and
	// PostgreSQL accepts them.
	{"parentheses x5000", "SELECT count(*) FROM t WHERE " + repeat("(", 5000) + "a > 1" + repeat(")", 5000), ""},
	{"parentheses x100000", "SELECT count(*) FROM t WHERE " + repeat("(", 100000) + "a > 1" + repeat(")", 100000), "memory exhausted"},
	{"NOT x900", "SELECT count(*) FROM t WHERE " + repeat("NOT ", 900) + "a > 1", ""},
	// Size.
	{"1 MB string literal", "SELECT count(*) FROM t WHERE s = '" + repeat("x", 1<<20) + "'", "statement is too long"},
	{"900 KB string literal", "SELECT count(*) FROM t WHERE s = '" + repeat("x", 900<<10) + "'", ""},
	{"100k-item IN list", "SELECT count(*) FROM t WHERE a IN (" + items(100000, func(i int) string { return fmt.Sprint(i) }) + ")", ""},
	{"100k-item NOT IN list", "SELECT count(*) FROM t WHERE a NOT IN (" + items(100000, func(i int) string { return fmt.Sprint(i + 500) }) + ")", ""},
	{"10k columns", "SELECT " + items(10000, func(int) string { return "a" }) + " FROM t LIMIT 1", ""},
	{"10k OR terms", "SELECT count(*) FROM t WHERE " + strings.Join(strings.Split(items(10000, func(i int) string { return fmt.Sprintf("a = %d", i) }), ", "), " OR "), ""},
	{"10k AND terms", "SELECT count(*) FROM t WHERE " + strings.Join(strings.Split(items(10000, func(int) string { return "a > 0" }), ", "), " AND "), ""},
	{"10k-character identifier", "SELECT " + repeat("x", 10000) + " FROM t", "unknown column"},
	{"500k-digit number", "SELECT a FROM t WHERE a = " + repeat("9", 500000), ""},
	// Bytes the parser must never see.
	{"NUL byte", "SELECT a FROM t WHERE s = 'a\x00b'", "NUL byte"},
	{"leading NUL", "\x00SELECT 1", "NUL byte"},
	{"invalid UTF-8", "SELECT a FROM t WHERE s = '\xff\xfe'", "invalid byte sequence"},
	{"truncated UTF-8", "SELECT 'é\xc3'", "invalid byte sequence"},
	{"escaped NUL", "SELECT a FROM t WHERE s = E'\\x00'", "invalid byte sequence"},
	{"Unicode-escaped NUL", "SELECT a FROM t WHERE s = U&'\\0000'", "invalid"},
	{"control characters", "SELECT\x01\x02 a FROM t", "syntax error"},
	// Statement structure.
	{"two statements", "SELECT 1; SELECT 2", "multiple statements"},
	{"a statement after a comment", "SELECT a FROM t; -- x\nDROP TABLE t", "multiple statements"},
	{"empty input", "", "empty statement"},
	{"blanks only", " \t\n ", "empty statement"},
	{"semicolons only", ";;;", "empty statement"},
	{"line comment only", "-- nothing here", "empty statement"},
	{"block comment only", "/* nothing /* nested */ here */", "empty statement"},
	{"unterminated string", "SELECT 'abc FROM t", "unterminated quoted string"},
	{"unterminated identifier", "SELECT \"abc FROM t", "unterminated quoted identifier"},
	{"unterminated comment", "SELECT a /* FROM t", "unterminated /* comment"},
	{"unterminated dollar quote", "SELECT $$abc FROM t", "unterminated dollar-quoted string"},
	{"keyword soup", "SELECT SELECT SELECT FROM FROM", "syntax error"},
	{"write statement", "DROP TABLE t", "not supported"},
	// Numbers at and past the edges.
	{"int64 overflow", "SELECT a FROM t WHERE a = 99999999999999999999", ""},
	{"float64 overflow", "SELECT a FROM t WHERE a < 1e400", "out of range"},
	{"float64 underflow", "SELECT count(*) FROM t WHERE a > 1e-400", ""},
	{"huge LIMIT", "SELECT count(*) FROM (SELECT a FROM t LIMIT 9223372036854775807) x", ""},
	{"LIMIT past int64", "SELECT a FROM t LIMIT 99999999999999999999", ""},
	{"huge OFFSET", "SELECT a FROM t OFFSET 9223372036854775807", ""},
	{"negative LIMIT", "SELECT a FROM t LIMIT -1", "LIMIT must not be negative"},
	{"parameter $0", "SELECT a FROM t WHERE a = $0", ""},
	{"parameter past int32", "SELECT a FROM t WHERE a = $99999999999", ""},
	{"division by zero", "SELECT a / 0 FROM t", "division by zero"},
	{"EXPLAIN EXPLAIN", "EXPLAIN EXPLAIN SELECT a FROM t", ""},
}

// checkHealthy runs a statement the session has never seen (so it goes
// through the parser, not the statement cache) and checks its rows.
func checkHealthy(t *testing.T, s *Session, i int) {
	t.Helper()
	q := fmt.Sprintf("SELECT count(*), sum(a), min(s) FROM t WHERE a > %d AND s <> 'x%d'", i, i)
	res, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("healthy statement %q failed: %v", q, err)
	}
	defer res.Release()
	n := int64(1000 - i)
	want := [][]any{{n, (1000*1001 - int64(i)*(int64(i)+1)) / 2, "v0"}}
	if diff := cmp.Diff(want, res.Rows()); diff != "" {
		t.Fatalf("healthy statement %q: (-want +got)\n%s", q, diff)
	}
}

// TestHostileStatements sends each statement of the catalogue and then a
// valid one: the hostile statement gets its clear error (or its answer),
// and the session (and a new session) still answer correctly afterwards.
func TestHostileStatements(t *testing.T) {
	if len(hostileCatalogue) < 50 {
		t.Fatalf("the catalogue has %d statements, want at least 50", len(hostileCatalogue))
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2))
	if err := s.Register("t", hostileTable(t)); err != nil {
		t.Fatal(err)
	}
	for i, h := range hostileCatalogue {
		res, err := s.Query(context.Background(), h.sql)
		switch {
		case h.wantErr == "" && err != nil && !isEngineError(err):
			t.Errorf("%s: %v", h.name, err)
		case h.wantErr != "" && (err == nil || !strings.Contains(err.Error(), h.wantErr)):
			t.Errorf("%s: got error %v, want one containing %q", h.name, err, h.wantErr)
		}
		if err != nil {
			checkPositioned(t, h, err)
		}
		if res != nil {
			res.Release()
		}
		checkHealthy(t, s, i)
	}
	// A session created after all of it is healthy too.
	fresh := NewSession(WithAllocator(mem))
	if err := fresh.Register("t", hostileTable(t)); err != nil {
		t.Fatal(err)
	}
	checkHealthy(t, fresh, 7)
}

// isEngineError accepts, for statements that must not poison the
// session but may legitimately fail (numbers past the edges, $0), any
// positioned error that is not a parser failure.
func isEngineError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "line ") && !strings.Contains(msg, "internal parser error")
}

// checkPositioned asserts an error names a place inside the statement and
// is never an internal parser failure dressed up as a syntax error.
func checkPositioned(t *testing.T, h hostileStatement, err error) {
	t.Helper()
	var se *sql.Error
	if !errors.As(err, &se) {
		return // execution errors (division by zero) name the operator instead
	}
	if se.Pos < 0 || se.Pos > len(h.sql) {
		t.Errorf("%s: error position %d outside the statement (length %d)", h.name, se.Pos, len(h.sql))
	}
	if strings.Contains(se.Msg, "internal parser error") {
		t.Errorf("%s: the parser failed: %v", h.name, err)
	}
}

// TestHostileStatementsConcurrently runs hostile and valid statements
// from many goroutines on one session: every valid one gets its right
// answer.
func TestHostileStatementsConcurrently(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2), WithStatementCacheSize(0))
	if err := s.Register("t", hostileTable(t)); err != nil {
		t.Fatal(err)
	}
	hostile := []string{
		"SELECT a FROM t WHERE " + repeat("NOT ", 5000) + "a > 1",
		"SELECT 'abc FROM t",
		"SELECT a FROM t WHERE s = '\xff'",
		"SELECT 1; SELECT 2",
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				if (g+i)%2 == 0 {
					if res, err := s.Query(context.Background(), hostile[(g+i)%len(hostile)]); err == nil {
						res.Release()
						errs <- fmt.Errorf("goroutine %d: hostile statement %d succeeded", g, i)
					}
					continue
				}
				lo := int64(g*10 + i)
				res, err := s.Query(context.Background(), "SELECT count(*) FROM t WHERE a > $1", lo)
				if err != nil {
					errs <- fmt.Errorf("goroutine %d: %w", g, err)
					continue
				}
				if got := res.Rows()[0][0]; got != 1000-lo {
					errs <- fmt.Errorf("goroutine %d: count = %v, want %d", g, got, 1000-lo)
				}
				res.Release()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// FuzzSessionQuery sends arbitrary statements to a Session: none may
// panic, leak Arrow memory, or break the session, which must answer a
// statement it has not seen before correctly after each of them. The
// seeds are the catalogue's shorter statements.
func FuzzSessionQuery(f *testing.F) {
	for _, h := range hostileCatalogue {
		if len(h.sql) <= 4096 {
			f.Add(h.sql)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := NewSession(WithAllocator(mem), WithParallelism(2), WithStatementCacheSize(0))
	if err := s.Register("t", hostileTable(f)); err != nil {
		f.Fatal(err)
	}
	var n int
	f.Fuzz(func(t *testing.T, q string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if res, err := s.Query(ctx, q); err == nil {
			res.Release()
		}
		if got := mem.CurrentAlloc(); got != 0 {
			t.Fatalf("after %.60q: %d Arrow bytes still allocated", q, got)
		}
		n++
		checkHealthy(t, s, n%900)
	})
}
