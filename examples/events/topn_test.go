package events

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// perPartitionCount counts the rows each partition's Read appended.
type perPartitionCount struct {
	Synth
	appended [8]atomic.Int64
}

func (c *perPartitionCount) Read(ctx context.Context, p Partition, scan *Scan, w *Writer) error {
	id := p.Payload.(int)
	for i := range c.PerRegion {
		c.appended[id].Add(1)
		r := Row{Region: p.Key.Region, Ts: Start.Add(time.Duration(i*8+id) * time.Millisecond), UserID: int64(i)}
		if err := w.Append(r); err != nil {
			return err
		}
	}
	return nil
}

// TestOrderedLimitStopsEveryPartition: ORDER BY the declared ordering with
// a LIMIT needs only the first n rows of each partition; the limit reaches
// every partition's Writer, which stops the source after n rows.
func TestOrderedLimitStopsEveryPartition(t *testing.T) {
	src := &perPartitionCount{Synth: Synth{Regions: 8, PerRegion: 100_000}}
	s := session(t, src)
	got := query(t, s, "SELECT region, user_id FROM events ORDER BY ts LIMIT 5 OFFSET 2")
	if want := "[[region-02 0] [region-03 0] [region-04 0] [region-05 0] [region-06 0]]"; fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}
	for p := range src.appended {
		// The Writer refuses the row after the limit: Read tries 8, keeps 7.
		if n := src.appended[p].Load(); n > 8 {
			t.Errorf("partition %d: the source appended %d rows for LIMIT 5 OFFSET 2", p, n)
		}
	}
	plan, err := s.Explain(context.Background(), "SELECT region, user_id FROM events ORDER BY ts LIMIT 5 OFFSET 2")
	if err != nil {
		t.Fatal(err)
	}
	if want := "ordering=[ts ASC], limit=7"; !strings.Contains(plan, want) {
		t.Errorf("plan lacks %q:\n%s", want, plan)
	}
}
