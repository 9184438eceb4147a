package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"
)

// readAll drains a stream into rows.
func readAll(t *testing.T, s RecordStream) [][]any {
	t.Helper()
	defer s.Close()
	var rows [][]any
	for {
		b, err := s.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		if b.Sel != nil {
			t.Fatal("stream returned a selection vector")
		}
		r := &Result{Schema: s.Schema(), Records: []arrow.RecordBatch{b.Record}}
		rows = append(rows, r.Rows()...)
		r.Release()
	}
}

func sortRows(rows [][]any) {
	sort.Slice(rows, func(i, j int) bool { return fmt.Sprint(rows[i]) < fmt.Sprint(rows[j]) })
}

// TestPlanQueryPartitions checks which shapes split and that the parts'
// rows together are the whole query's rows.
func TestPlanQueryPartitions(t *testing.T) {
	s, mem := newTestSession(t, WithVerify(false))
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	tests := []struct {
		sql   string
		parts int
	}{
		{"SELECT * FROM events", 2},
		{"SELECT user_id + 1 AS u, event_type FROM events WHERE user_id > 1", 2},
		{"SELECT region, count(*) FROM events GROUP BY region", 2},         // one phase per key partition
		{"SELECT event_type, count(*) FROM events GROUP BY event_type", 1}, // repartitions
		{"SELECT count(*) FROM events", 1},
		{"SELECT * FROM events ORDER BY user_id", 1},
		{"SELECT * FROM events LIMIT 3", 1},
		{"SELECT * FROM events WHERE region = 'us-east-1'", 1}, // pruned to one partition
		{"EXPLAIN SELECT * FROM events", 1},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			q, err := s.PlanQuery(ctx, tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Partitions(); got != tt.parts {
				text, _ := q.Explain(ctx)
				t.Fatalf("Partitions() = %d, want %d; plan:\n%s", got, tt.parts, text)
			}
			whole, err := q.Stream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := readAll(t, whole)
			var got [][]any
			for i := 0; i < q.Partitions(); i++ {
				st, err := q.ExecutePartition(ctx, i)
				if err != nil {
					t.Fatal(err)
				}
				if !st.Schema().Equal(q.Schema()) {
					t.Fatalf("partition schema %s, want %s", st.Schema(), q.Schema())
				}
				got = append(got, readAll(t, st)...)
			}
			if _, err := q.ExecutePartition(ctx, q.Partitions()); err == nil {
				t.Fatal("ExecutePartition out of range: no error")
			}
			if !strings.HasPrefix(tt.sql, "EXPLAIN") {
				sortRows(got)
				sortRows(want)
			}
			if strings.Contains(tt.sql, "LIMIT") {
				// LIMIT without ORDER BY may keep any 3 rows: each run
				// may pick others.
				if len(got) != len(want) {
					t.Fatalf("parts gave %d rows, the whole %d", len(got), len(want))
				}
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("parts differ from the whole (-whole +parts):\n%s", diff)
			}
		})
	}
}

func TestStmtPlanQuery(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	st, err := s.Prepare("SELECT user_id, event_type FROM events WHERE user_id > $1")
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Schema().String(); !strings.Contains(got, "user_id: type=int64") || !strings.Contains(got, "event_type: type=utf8, nullable") {
		t.Fatalf("Schema() = %s", got)
	}
	q, err := st.PlanQuery(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range st.Schema().Fields() {
		if g := q.Schema().Field(i); g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			t.Fatalf("plan schema %s, statement schema %s", q.Schema(), st.Schema())
		}
	}
	var rows [][]any
	for i := 0; i < q.Partitions(); i++ {
		ps, err := q.ExecutePartition(context.Background(), i)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, readAll(t, ps)...)
	}
	sortRows(rows)
	want := [][]any{{int64(4), "click"}, {int64(5), "click"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Fatal(diff)
	}
	if _, err := s.PlanQuery(context.Background(), "SELECT nope FROM events"); err == nil || !strings.Contains(err.Error(), "line 1, column 8") {
		t.Fatalf("bad SQL: %v", err)
	}
}
