package sql

import (
	"strings"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime/logical"
)

// TestNowIsFixedPerBind: now() stays a node in the prepared (cacheable)
// plan and becomes one literal per Bind, folded with the arithmetic
// around it so the scan sees a constant bound.
func TestNowIsFixedPerBind(t *testing.T) {
	st := mustPrepare(t, "SELECT region, CURRENT_DATE FROM events WHERE ts > now() - INTERVAL '1 hour' AND ts <= CURRENT_TIMESTAMP")
	if plan := logical.Format(st.Plan); !strings.Contains(plan, "now()") {
		t.Fatalf("prepared plan should keep now():\n%s", plan)
	}
	at := func(tm time.Time) string {
		p, err := st.bindAt(tm)
		if err != nil {
			t.Fatal(err)
		}
		return logical.Format(p)
	}
	first := at(time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC))
	for _, want := range []string{
		"ts > TIMESTAMP '2026-03-01 11:30:00Z'",
		"ts <= TIMESTAMP '2026-03-01 12:30:00Z'",
		"DATE '2026-03-01'",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("bound plan lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "now()") || strings.Contains(first, "region, CURRENT_DATE") {
		t.Errorf("bound plan still has the current time as a node:\n%s", first)
	}
	if second := at(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)); second == first || !strings.Contains(second, "DATE '2026-03-02'") {
		t.Errorf("a later Bind should see a later time:\n%s", second)
	}
	if plan := logical.Format(st.Plan); !strings.Contains(plan, "now()") {
		t.Errorf("Bind must not change the prepared plan:\n%s", plan)
	}
}
