package pgparse

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// crashing is a statement that exhausts the parser's stack: a left-nested
// chain of 5000 additions (the SQL front end refuses it earlier, by its
// nesting limit; this package must survive it on its own).
var crashing = "SELECT " + strings.Repeat("1+", 5000) + "1"

func mustParse(t *testing.T, sql string) {
	t.Helper()
	res, err := Parse(sql)
	if err != nil {
		t.Fatalf("Parse(%.40q): %v", sql, err)
	}
	if len(res.GetStmts()) != 1 {
		t.Fatalf("Parse(%.40q): %d statements", sql, len(res.GetStmts()))
	}
}

func TestParseAndSyntaxError(t *testing.T) {
	mustParse(t, "SELECT a, count(*) FROM t WHERE b IN (1, 2) GROUP BY a")
	_, err := Parse("SELECT a FORM t")
	var pe *Error
	if !errors.As(err, &pe) || pe.Message != `syntax error at or near "t"` || pe.Cursorpos != 15 {
		t.Fatalf("got %#v, want a syntax error at 15", err)
	}
	// A syntax error leaves the instance usable (PostgreSQL's own
	// error handling, longjmp, ran).
	mustParse(t, "SELECT 1")
}

func TestRecoversAfterCrash(t *testing.T) {
	mustParse(t, "SELECT 1")
	_, crashedBefore := Counters()
	for i := 0; i < 3; i++ {
		_, err := Parse(crashing)
		var ce *CrashError
		if !errors.As(err, &ce) || ce.Reason != "stack overflow" {
			t.Fatalf("got %v, want a CrashError for a stack overflow", err)
		}
		// The statement after a crash parses correctly: the trapped
		// instance was discarded, not pooled.
		for _, sql := range []string{"SELECT a + 1 FROM t", "SELECT count(*) FROM t"} {
			mustParse(t, sql)
		}
		if _, err := Parse("SELECT a FORM t"); err == nil || err.Error() != `syntax error at or near "t"` {
			t.Fatalf("syntax error after a crash: %v", err)
		}
	}
	if _, crashed := Counters(); crashed-crashedBefore != 3 {
		t.Errorf("%d instances discarded, want 3", crashed-crashedBefore)
	}
}

func TestLargeStatementRetiresInstance(t *testing.T) {
	// A 4 MB literal grows the instance's memory past the (lowered)
	// retirement size: it is closed after the call instead of pooled.
	defer func(old uint32) { retireMemoryBytes = old }(retireMemoryBytes)
	retireMemoryBytes = 4 << 20
	before := retired.Load()
	huge := "SELECT '" + strings.Repeat("x", 4<<20) + "'"
	res, err := Parse(huge)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.GetStmts()[0].GetStmt().GetSelectStmt().GetTargetList()); got != 1 {
		t.Fatalf("%d targets", got)
	}
	if retired.Load() == before {
		t.Error("no instance was retired")
	}
	poolMu.Lock()
	for _, in := range idle {
		if in.mod.Memory().Size() > retireMemoryBytes {
			t.Errorf("an instance of %d bytes was pooled", in.mod.Memory().Size())
		}
	}
	poolMu.Unlock()
	mustParse(t, "SELECT 1")
}

func TestConcurrentParsing(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				if (g+i)%3 == 0 {
					if _, err := Parse(crashing); err == nil {
						errs <- errors.New("hostile statement parsed")
					}
					continue
				}
				sql := fmt.Sprintf("SELECT c%d + %d FROM t%d WHERE x = 'v%d'", g, i, g, i)
				res, err := Parse(sql)
				if err != nil {
					errs <- fmt.Errorf("%s: %v", sql, err)
					continue
				}
				rel := res.GetStmts()[0].GetStmt().GetSelectStmt().GetFromClause()[0].GetRangeVar().GetRelname()
				if want := fmt.Sprintf("t%d", g); rel != want {
					errs <- fmt.Errorf("%s: parsed table %q, want %q (crossed results)", sql, rel, want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
