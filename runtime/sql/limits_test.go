package sql

import (
	"strings"
	"testing"
)

func TestNestingDepth(t *testing.T) {
	tests := []struct {
		sql   string
		depth int
	}{
		{"SELECT 1", 0},
		{"SELECT a FROM t WHERE a > 1", 1},
		{"SELECT a FROM t WHERE NOT NOT a > 1", 3},
		{"SELECT 1 + 2 + 3", 2},
		{"SELECT -1, +2.5", 0},                               // signed literals are constants
		{"SELECT a FROM t WHERE a = 1 OR a = 2 OR a = 3", 1}, // OR lists are flat
		{"SELECT ((((a))))", 0},                              // grouping parentheses are not nodes
		{"SELECT abs(abs(a))", 2},
		{"SELECT (SELECT (SELECT 1))", 2},
		{"SELECT CASE WHEN a THEN CASE WHEN b THEN 1 END END", 2},
		{"SELECT a::int::text", 2},
		{"SELECT a IN (1, 2, 3)", 2},
		{"SELECT 'NOT NOT NOT (((', \"+ + +\" -- NOT NOT\n", 0},
		{"SELECT /* NOT /* NOT */ NOT */ 1", 0},
		{"SELECT E'\\' NOT NOT', $$ NOT NOT $$, $x$ NOT $x$", 0},
		{"SELECT $1 + $2", 1},
		{"SELECT 1 UNION SELECT 2 UNION ALL SELECT 3", 2},
		{"SELECT * FROM a JOIN b ON a.x = b.x JOIN c ON true", 2},
		{"SELECT * FROM (SELECT 1 UNION SELECT 2) s, t", 2},
		{"SELECT ARRAY[ARRAY[1]], a[1][2]", 2},
	}
	for _, tc := range tests {
		if got, _ := NestingDepth(tc.sql); got != tc.depth {
			t.Errorf("NestingDepth(%q) = %d, want %d", tc.sql, got, tc.depth)
		}
	}
}

func TestNestingLimit(t *testing.T) {
	deep := "SELECT user_id FROM events WHERE " + strings.Repeat("NOT ", 5000) + "user_id > 1"
	_, err := Prepare(deep, testCatalog)
	checkError(t, deep, err)
	e := err.(*Error)
	if !strings.Contains(e.Msg, "nested too deeply") || !strings.Contains(e.Msg, "limit is 1000") || !strings.Contains(e.Msg, "MaxNestingDepth") {
		t.Errorf("message %q does not name the limit", e.Msg)
	}
	// The error points at the token where the limit is crossed: the
	// 1000th NOT.
	if want := len("SELECT user_id FROM events WHERE ") + 1000*len("NOT "); e.Pos != want {
		t.Errorf("error at %d, want %d (%s)", e.Pos, want, e)
	}

	// A raised limit lets the same statement through to the parser,
	// which handles a few thousand levels.
	moderate := "SELECT user_id FROM events WHERE " + strings.Repeat("NOT ", 1500) + "user_id > 1"
	if _, err := PrepareWithLimits(moderate, testCatalog, Limits{MaxNestingDepth: 2000}); err != nil {
		t.Errorf("depth 1500 under a limit of 2000: %v", err)
	}
	if _, err := Prepare(moderate, testCatalog); err == nil {
		t.Errorf("depth 1500 under the default limit: want an error")
	}

	// Deep grouping parentheses are legal PostgreSQL and stay accepted.
	parens := "SELECT " + strings.Repeat("(", 5000) + "user_id" + strings.Repeat(")", 5000) + " FROM events"
	if _, err := Prepare(parens, testCatalog); err != nil {
		t.Errorf("5000 nested parentheses: %v", err)
	}
}

func TestLengthLimit(t *testing.T) {
	sql := "SELECT '" + strings.Repeat("x", 100) + "' FROM events"
	_, err := PrepareWithLimits(sql, testCatalog, Limits{MaxStatementBytes: 64})
	checkError(t, sql, err)
	if !strings.Contains(err.Error(), "the limit is 64 bytes") {
		t.Errorf("got %v", err)
	}
	if _, err := PrepareWithLimits(sql, testCatalog, Limits{MaxStatementBytes: len(sql)}); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

// TestParserCrashIsNotASyntaxError drives a statement past a raised
// nesting limit into the parser's own stack exhaustion: the error says
// the parser failed (never "syntax error"), and the next statement
// parses.
func TestParserCrashIsNotASyntaxError(t *testing.T) {
	sql := "SELECT " + strings.Repeat("1+", 6000) + "1 FROM events"
	_, err := PrepareWithLimits(sql, testCatalog, Limits{MaxNestingDepth: 100000})
	checkError(t, sql, err)
	if strings.Contains(err.Error(), "syntax error") || !strings.Contains(err.Error(), "internal parser error") {
		t.Fatalf("got %v, want an internal parser error", err)
	}
	if _, err := Prepare("SELECT user_id + 1 FROM events", testCatalog); err != nil {
		t.Fatalf("after a parser crash: %v", err)
	}
}

func TestEscapeErrorPosition(t *testing.T) {
	for _, tc := range []struct {
		sql string
		col int
	}{
		{`SELECT E'\x00' FROM events`, 8},
		{`SELECT 'a', U&'\0000' FROM events`, 16}, // PostgreSQL's own position: the escape,
	} {
		_, err := Prepare(tc.sql, testCatalog)
		checkError(t, tc.sql, err)
		if e := err.(*Error); e.Col != tc.col || e.Line != 1 {
			t.Errorf("%s: error at line %d column %d, want column %d (%v)", tc.sql, e.Line, e.Col, tc.col, err)
		}
	}
}
