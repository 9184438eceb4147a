package sql

import (
	"errors"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime/logical"
)

// checkError asserts err is an *Error whose position lies within sql and
// whose line and column agree with it.
func checkError(t *testing.T, sql string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *sql.Error", err, err)
	}
	if e.Pos < 0 || e.Pos > len(sql) {
		t.Fatalf("error position %d outside the input (length %d): %v", e.Pos, len(sql), err)
	}
	if line, col := lineCol(sql, e.Pos); line != e.Line || col != e.Col {
		t.Fatalf("error at %d says line %d column %d, want %d:%d", e.Pos, e.Line, e.Col, line, col)
	}
	if e.SQL != sql {
		t.Fatalf("error carries SQL %q, want %q", e.SQL, sql)
	}
	if e.Msg == "" {
		t.Fatalf("error without a message")
	}
}

// FuzzPrepare feeds arbitrary text to Prepare: it must never panic, and
// every failure must be a positioned *Error. Binding a successful
// statement with NULLs must not panic either. After every input, a fixed
// valid statement must still parse and bind to the same plan: no input
// may leave the parser broken for the statements after it.
func FuzzPrepare(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	want := canaryPlan()
	f.Fuzz(func(t *testing.T, sql string) {
		defer checkCanary(t, want, sql)
		// Without the nesting limit the parser itself meets deep inputs
		// (and may run out of stack): that too must end in a positioned
		// error and a working parser.
		if _, err := PrepareWithLimits(sql, testCatalog, Limits{MaxNestingDepth: 1 << 30}); err != nil {
			checkError(t, sql, err)
		}
		st, err := Prepare(sql, testCatalog)
		if err != nil {
			checkError(t, sql, err)
			return
		}
		args := make([]any, len(st.Params))
		if _, err := st.Bind(args...); err != nil {
			checkError(t, sql, err)
		}
	})
}

// canaryPlan is the plan of canarySQL, computed before any fuzz input.
var canaryPlan = func() string {
	st, err := Prepare(canarySQL, testCatalog)
	if err != nil {
		panic(err)
	}
	return logical.Format(st.Plan)
}

// canarySQL is the statement every fuzz input is followed by.
const canarySQL = "SELECT region, count(*) FROM events WHERE user_id > 3 GROUP BY region"

func checkCanary(t *testing.T, want string, after string) {
	t.Helper()
	st, err := Prepare(canarySQL, testCatalog)
	if err != nil {
		t.Fatalf("after %.60q the canary statement fails: %v", after, err)
	}
	if got := logical.Format(st.Plan); got != want {
		t.Fatalf("after %.60q the canary statement plans as\n%s\nwant\n%s", after, got, want)
	}
}

var fuzzSeeds = []string{
	"SELECT user_id FROM events WHERE " + strings.Repeat("NOT ", 5000) + "user_id > 1",
	"SELECT " + strings.Repeat("user_id + ", 5000) + "1 FROM events",
	"SELECT " + strings.Repeat("abs(", 3000) + "1" + strings.Repeat(")", 3000),
	"SELECT " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + " FROM events",
	"SELECT 'unterminated",
	"SELECT 99999999999999999999, 1e400 FROM events LIMIT 99999999999999999999",
	"SELECT * FROM events",
	"SELECT region, count(*) FROM events WHERE ts >= '2026-01-01' GROUP BY region ORDER BY 2 DESC LIMIT 3",
	"SELECT DISTINCT region FROM events ORDER BY region NULLS FIRST",
	"SELECT user_id % 10 AS b, sum(amount) FROM events GROUP BY b HAVING sum(amount) > 1.5",
	"EXPLAIN ANALYZE SELECT * FROM events WHERE region IN ('a', 'b') AND user_id BETWEEN $1 AND $2",
	"SELECT CAST(ts AS DATE), amount::numeric(20, 4), -user_id FROM events LIMIT $1 OFFSET $2",
	"SELECT * FROM types WHERE i8 = 1000 OR u64 > 5 OR f32 < i64 OR dec = 1.25 OR ts_ns > ts_s",
	"SELECT * FROM events WHERE region LIKE 'a%' AND event_type IS NOT NULL AND NOT b",
	"SELECT a FORM t",
	"SELECT * FROM events e JOIN events f ON e.region = f.region",
	"WITH x AS (SELECT 1) SELECT * FROM x",
	"SELECT 1 UNION SELECT 2",
	"SELECT lower(region) FROM events",
	"SELECT * FROM events WHERE user_id = (SELECT 1)",
	"SELECT row_number() OVER () FROM events",
	"INSERT INTO events VALUES (1)",
	"SELECT 1; SELECT 2",
	"",
	";",
	"SELECT $1 FROM events",
	"SELECT 'é' + 1 FROM events",
	"SELECT * FROM events WHERE ts > 'not a time'",
	"SELECT sum(sum(amount)) FROM events",
	"SELECT region, user_id FROM events GROUP BY region",
	"SELECT ((((((((((user_id)))))))))) FROM events",
	"SELECT * FROM events\nWHERE regoin = 'x'",
	"\x00",
	"SELECT \xff FROM events",
	"SELECT * FROM types WHERE dur > '1 hour' AND dur < INTERVAL '2 days 3 hours' OR dur = '1.5 s'::interval",
	"SELECT INTERVAL '1' HOUR, INTERVAL(3) '1.2345 s', INTERVAL '1:30' MINUTE TO SECOND, INTERVAL 'PT1H' FROM types",
	"SELECT * FROM events WHERE ts > TIMESTAMP '2026-01-01' - INTERVAL '7 days' AND day < DATE '2026-01-01' + 7",
	"SELECT * FROM events WHERE user_id > 1 + 2 * 3 AND amount < 10 / (5 - 5)",
	"SELECT dur - $1, dur + $2 FROM types WHERE dur IN ($3, '1 min')",
	"SELECT CASE WHEN user_id > $1 THEN 'a' WHEN user_id IS NULL THEN NULL ELSE region END FROM events",
	"SELECT CASE region WHEN 'x' THEN 1 WHEN $1 THEN 2.5 END, coalesce(event_type, $2, 'none'), nullif(user_id, $3) FROM events",
	"SELECT greatest(user_id, 1, $1), least(amount, 2) FROM events WHERE lower(region) || '-' || user_id = upper($2)",
	"SELECT substring(region FROM 2 FOR $1), substr(region, -1), trim(both 'x' from region), ltrim(region, $2), replace(region, 'a', 'b') FROM events",
	"SELECT concat(region, 1, NULL, ts), length(region), starts_with(region, 'us') FROM events WHERE region || 1 LIKE 'a%'",
	"SELECT abs(user_id), round(amount, 1), round(user_id), floor(amount), ceiling(user_id), mod(user_id, 3) FROM events",
	"SELECT date_trunc('month', ts), extract(epoch FROM ts), date_part('dow', day), now(), CURRENT_DATE FROM events WHERE ts > now() - INTERVAL '1 day'",
	"SELECT round(amount, $1), date_trunc($1, ts), extract(fortnight FROM ts), substring(region FROM 'a.') FROM events",
	"SELECT CAST(user_id AS DOUBLE), user_id::double FROM events WHERE region LIKE 'a!%' ESCAPE '!' OR region ILIKE $1 ESCAPE '' OR region LIKE 'x' ESCAPE $2",
	"SELECT * FROM events WHERE region = 1 OR region = '1' OR user_id = '5' OR region IN (1, '2')",
	"SELECT region, user_id FROM events UNION SELECT event_type, $1 FROM events INTERSECT SELECT region, 1 FROM events ORDER BY 2 DESC LIMIT $2",
	"(SELECT region FROM events ORDER BY 1 LIMIT 1) UNION ALL SELECT NULL FROM events EXCEPT ALL SELECT region FROM events ORDER BY region + 1",
	"SELECT count(DISTINCT (region, user_id)), sum(DISTINCT user_id), avg(DISTINCT amount), count(DISTINCT region, user_id) FROM events",
}
