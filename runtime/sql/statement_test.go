package sql

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func mustPrepare(t *testing.T, sql string) *Statement {
	t.Helper()
	st, err := Prepare(sql, testCatalog)
	if err != nil {
		t.Fatalf("Prepare(%q): %v", sql, err)
	}
	return st
}

const paramSQL = "SELECT region FROM events WHERE region = $1 AND ts >= $2 AND user_id IN ($3, $4) " +
	"AND amount BETWEEN $5 AND $6 AND day < $9 ORDER BY ts LIMIT $7 OFFSET $8"

func TestParamTypesAreInferred(t *testing.T) {
	st := mustPrepare(t, paramSQL)
	want := []string{"utf8", "timestamp[us, tz=UTC]", "int64", "int64", "decimal(18, 2)", "decimal(18, 2)", "int64", "int64", "date32"}
	if len(st.Params) != len(want) {
		t.Fatalf("got %d params, want %d", len(st.Params), len(want))
	}
	for i, p := range st.Params {
		if p.String() != want[i] {
			t.Errorf("$%d: got %s, want %s", i+1, p, want[i])
		}
	}
}

func TestBindReplacesParams(t *testing.T) {
	st := mustPrepare(t, paramSQL)
	before := logical.Format(st.Plan)
	p, err := st.Bind("us-east-1", "2026-01-01", 3, int32(4), 1.5, "2.25", 10, uint8(5),
		time.Date(2026, 2, 3, 23, 0, 0, 0, time.FixedZone("x", 3600)))
	if err != nil {
		t.Fatal(err)
	}
	got := logical.Format(p)
	want := `Projection: region
  Limit: offset=5, fetch=10
    Sort: ts ASC
      Projection: region, ts
        Filter: region = 'us-east-1' AND ts >= TIMESTAMP '2026-01-01 00:00:00Z' AND user_id IN (3, 4) AND amount BETWEEN 1.50 AND 2.25 AND day < DATE '2026-02-03'
          Scan: events
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "$") {
		t.Errorf("bound plan still has parameters:\n%s", got)
	}
	if after := logical.Format(st.Plan); after != before {
		t.Errorf("Bind modified the statement's plan:\n%s\nwas\n%s", after, before)
	}
}

func TestBindTimeAndNullAndScalar(t *testing.T) {
	st := mustPrepare(t, "SELECT * FROM events WHERE ts < $1 AND event_type = $2 AND user_id = $3")
	tm := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	p, err := st.Bind(tm, nil, expr.Int64(9))
	if err != nil {
		t.Fatal(err)
	}
	f := p.Children()[0].(*logical.Filter)
	want := "ts < TIMESTAMP '2026-01-02 03:04:05.000006Z' AND event_type = NULL AND user_id = 9"
	if f.Predicate.String() != want {
		t.Errorf("got %s, want %s", f.Predicate, want)
	}
}

func TestBindErrors(t *testing.T) {
	st := mustPrepare(t, "SELECT * FROM events WHERE user_id = $1 LIMIT $2")
	cases := []struct {
		args []any
		want string
	}{
		{[]any{1}, "line 1, column 1: statement has 2 parameters, got 1 arguments"},
		{[]any{"abc", 1}, `line 1, column 38: parameter $1: invalid input syntax for type BIGINT: "abc"`},
		{[]any{1, -1}, "line 1, column 47: LIMIT must not be negative"},
		{[]any{struct{}{}, 1}, "line 1, column 38: parameter $1: unsupported argument type struct {}"},
		{[]any{1.5e300, 1}, "line 1, column 38: parameter $1: integer out of range"},
	}
	for _, c := range cases {
		_, err := st.Bind(c.args...)
		if err == nil {
			t.Errorf("Bind(%v) succeeded, want %q", c.args, c.want)
			continue
		}
		checkError(t, st.SQL, err)
		if err.Error() != c.want {
			t.Errorf("Bind(%v): got %q, want %q", c.args, err, c.want)
		}
	}
}

func TestBindWithoutParamsReturnsPlan(t *testing.T) {
	st := mustPrepare(t, "SELECT * FROM events")
	p, err := st.Bind()
	if err != nil || p != st.Plan {
		t.Fatalf("Bind() = %v, %v; want the statement's plan", p, err)
	}
}

// TestConcurrentBind binds one cached statement from many goroutines; run
// under -race it shows Statements are safe to share.
func TestConcurrentBind(t *testing.T) {
	st := mustPrepare(t, "SELECT region, count(*) FROM events WHERE user_id > $1 GROUP BY region HAVING count(*) > $2")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				p, err := st.Bind(g, i)
				if err != nil {
					errs <- err
					return
				}
				if s := logical.Format(p); strings.Contains(s, "$") {
					errs <- errors.New("unbound parameter in " + s)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestErrorFields(t *testing.T) {
	sql := "SELECT 'é',\n  regoin FROM events"
	_, err := Prepare(sql, testCatalog)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
	want := Error{Pos: strings.Index(sql, "regoin"), Line: 2, Col: 3, Token: "regoin",
		Msg: `unknown column "regoin"; did you mean "region"?`, SQL: sql}
	if *e != want {
		t.Errorf("got %+v, want %+v", *e, want)
	}
	if e.Error() != `line 2, column 3: unknown column "regoin"; did you mean "region"?` {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestSyntaxErrorToken(t *testing.T) {
	_, err := Prepare("SELECT 'é', * FORM events", testCatalog)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
	if e.Token != "FORM" || e.Col != 15 || e.Msg != `syntax error at or near "FORM"` {
		t.Errorf("got token %q col %d msg %q", e.Token, e.Col, e.Msg)
	}
}

func TestOutputSchema(t *testing.T) {
	st := mustPrepare(t, "SELECT region AS r, count(*), sum(amount), avg(user_id), min(day) FROM events GROUP BY region")
	got := st.Plan.Schema()
	want := []arrow.Field{
		{Name: "r", Type: arrow.BinaryTypes.String},
		{Name: "count(*)", Type: arrow.PrimitiveTypes.Int64},
		{Name: "sum(amount)", Type: &arrow.Decimal128Type{Precision: 38, Scale: 2}},
		{Name: "avg(user_id)", Type: arrow.PrimitiveTypes.Float64},
		{Name: "min(day)", Type: arrow.FixedWidthTypes.Date32},
	}
	if got.NumFields() != len(want) {
		t.Fatalf("schema %s, want %d fields", got, len(want))
	}
	for i, f := range want {
		g := got.Field(i)
		if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			t.Errorf("field %d: got %s %s, want %s %s", i, g.Name, g.Type, f.Name, f.Type)
		}
	}
}

func TestUnknownTableSuggestsNearest(t *testing.T) {
	_, err := Prepare(`SELECT * FROM mixed`, testCatalog)
	if err == nil || !strings.HasSuffix(err.Error(), `unknown table "mixed"; did you mean "Mixed"?`) {
		t.Errorf("got %v", err)
	}
}

func TestNilCatalog(t *testing.T) {
	_, err := Prepare("SELECT * FROM events", nil)
	if err == nil {
		t.Fatal("want an error")
	}
	checkError(t, "SELECT * FROM events", err)
}

func TestTooLong(t *testing.T) {
	sql := "SELECT " + strings.Repeat(" ", DefaultMaxStatementBytes) + "1"
	_, err := Prepare(sql, testCatalog)
	if err == nil || !strings.Contains(err.Error(), "statement is too long") {
		t.Fatalf("got %v", err)
	}
}

func TestDeepNesting(t *testing.T) {
	sql := "SELECT " + strings.Repeat("-", 5000) + "user_id FROM events"
	_, err := Prepare(sql, testCatalog)
	if err != nil {
		checkError(t, sql, err)
	}
}
