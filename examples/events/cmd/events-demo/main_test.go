package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testSession(t *testing.T) *shell {
	t.Helper()
	s, err := newSession(options{regions: 4, perRgn: 100})
	if err != nil {
		t.Fatal(err)
	}
	return &shell{s: s}
}

// TestShellScript drives the shell with a scripted stdin: multi-line
// statements, several statements on a line, semicolons in strings and
// comments, meta-commands, EXPLAIN, an error with its caret, and \q.
func TestShellScript(t *testing.T) {
	sh := testSession(t)
	var out strings.Builder
	sh.out = &out
	script := `SELECT region, count(*) AS n
  FROM events
  WHERE region IN ('region-01', 'a;b') -- a ; in a comment
  GROUP BY region;
SELECT count(*) FROM events WHERE region = 'region-02'; SELECT count(*) FROM events;
\d
\d events
\d nope
SELECT regoin
FROM events;
EXPLAIN SELECT count(*) FROM events WHERE region = 'region-03';
\bogus
\q
SELECT 'not run' FROM events;
`
	if err := sh.run(context.Background(), newPlainLines(strings.NewReader(script))); err != nil {
		t.Fatal(err)
	}
	want := `  region   |  n
-----------+-----
 region-01 | 100
(1 row)

 count(*)
----------
      100
(1 row)

 count(*)
----------
      400
(1 row)

List of tables
  Name   | Type  | Columns
---------+-------+---------
 events  | table | 5
 regions | table | 3
(2 rows)

Table "events"
   Column   |     Type      | Nullable
------------+---------------+----------
 region     | text          | not null
 event_type | text          |
 ts         | timestamptz   | not null
 user_id    | bigint        | not null
 amount     | numeric(18,2) |
(5 rows)

Did not find any table named "nope".
ERROR:  unknown column "regoin"; did you mean "region"?
LINE 1: SELECT regoin
               ^
                               plan
------------------------------------------------------------------
 StatisticsExec: count(*)=100 from exact statistics of EventsExec
(1 row)

invalid command \bogus
Try \? for help.
`
	if got := out.String(); got != want {
		t.Fatalf("shell output:\n%s\nwant:\n%s", got, want)
	}
}

func TestShellTimingAndEOF(t *testing.T) {
	sh := testSession(t)
	var out strings.Builder
	sh.out = &out
	// \timing after a statement on its line; the last statement has no ;
	// and runs at the end of input, as psql -f runs it.
	script := "SELECT count(*) FROM events; \\timing\nSELECT max(user_id) >= 0 AS ok\nFROM events"
	if err := sh.run(context.Background(), newPlainLines(strings.NewReader(script))); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)^ count\(\*\)\n-+\n +400\n\(1 row\)\n\nTiming is on\.\n +ok\n-+\n true\n\(1 row\)\n\nTime: \d+\.\d{3} ms\n$`)
	if !re.MatchString(out.String()) {
		t.Fatalf("output:\n%s", out.String())
	}
}

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		in, rest string
		stmts    []string
	}{
		{"SELECT 1;", "", []string{"SELECT 1"}},
		{"SELECT 1; SELECT 2", " SELECT 2", []string{"SELECT 1"}},
		{"SELECT ';' ; ;", "", []string{"SELECT ';'"}},
		{`SELECT "a;b", 'it''s;' FROM t;`, "", []string{`SELECT "a;b", 'it''s;' FROM t`}},
		{"SELECT 1 -- ;\n", "SELECT 1 -- ;\n", nil},
		{"SELECT /* ; */ 1;", "", []string{"SELECT /* ; */ 1"}},
		{"SELECT /* ; ", "SELECT /* ; ", nil},
		{"SELECT 'open;", "SELECT 'open;", nil},
	} {
		stmts, rest := splitStatements(tc.in)
		if strings.Join(stmts, "|") != strings.Join(tc.stmts, "|") || rest != tc.rest {
			t.Errorf("splitStatements(%q) = %q, %q; want %q, %q", tc.in, stmts, rest, tc.stmts, tc.rest)
		}
	}
}

func TestServeStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	if err := run(ctx, options{serve: "127.0.0.1:0", regions: 2, perRgn: 10}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "serving Flight SQL on 127.0.0.1:0") {
		t.Fatalf("output: %q", out.String())
	}
}

func TestDemo(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), options{regions: 8, perRgn: 1000}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"region-07 |", "EXPLAIN SELECT sum(amount) FROM events WHERE region = 'region-03'", "partitions=1/8"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}
