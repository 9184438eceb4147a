package events

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
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

// recordChunks hands every partition over as Arrow records (AppendRecord),
// holding the rows perPartitionCount appends one by one: records of chunk
// rows, or, with ranges, one record of the partition handed over chunk
// rows at a time (AppendRecordRows).
type recordChunks struct {
	Synth
	chunk  int
	ranges bool
}

func (c *recordChunks) Read(ctx context.Context, p Partition, scan *Scan, w *Writer) error {
	id := p.Payload.(int)
	b := array.NewRecordBuilder(memory.DefaultAllocator, eventsSchema)
	defer b.Release()
	build := func(from, to int) arrow.RecordBatch {
		for i := from; i < to; i++ {
			b.Field(0).(*array.StringBuilder).Append(p.Key.Region)
			b.Field(1).AppendNull()
			ts := Start.Add(time.Duration(i*8+id) * time.Millisecond)
			b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
			b.Field(3).(*array.Int64Builder).Append(int64(i))
			b.Field(4).AppendNull()
		}
		return b.NewRecordBatch()
	}
	if c.ranges {
		rec := build(0, c.PerRegion)
		defer rec.Release()
		for first := 0; first < c.PerRegion; first += c.chunk {
			if err := w.AppendRecordRows(rec, int64(first), int64(min(first+c.chunk, c.PerRegion))); err != nil {
				return err
			}
		}
		return nil
	}
	for first := 0; first < c.PerRegion; first += c.chunk {
		rec := build(first, min(first+c.chunk, c.PerRegion))
		err := w.AppendRecord(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// TestRecordsCutAtTheLimit: a record (or a range of one) handed over
// under a pushed limit is cut to the limit's rows, without slicing its
// columns when the cut is short (the batch selects the rows); every
// operator above reads only those rows. Answers
// are compared with the same rows appended one by one, in verify mode.
func TestRecordsCutAtTheLimit(t *testing.T) {
	rows := session(t, &perPartitionCount{Synth: Synth{Regions: 8, PerRegion: 1000}})
	for _, src := range []*recordChunks{{chunk: 1000}, {chunk: 300}, {chunk: 7}, {chunk: 300, ranges: true}, {chunk: 7, ranges: true}} {
		src.Synth = Synth{Regions: 8, PerRegion: 1000}
		records := session(t, src)
		for _, q := range []string{
			"SELECT region, user_id FROM events ORDER BY ts LIMIT 5 OFFSET 2",
			"SELECT user_id * 2 + 1 AS x, ts FROM events ORDER BY ts DESC LIMIT 4",
			"SELECT sum(user_id), count(*), max(ts) FROM (SELECT user_id, ts FROM events ORDER BY ts LIMIT 50) t",
			// Without ORDER BY any rows may be kept: only the count is fixed.
			"SELECT count(*) FROM (SELECT user_id FROM events LIMIT 300) t",
			"SELECT count(*) FROM (SELECT region FROM events WHERE region IN ('region-01', 'region-05') LIMIT 20) t",
			"SELECT user_id FROM events WHERE region = 'region-03' ORDER BY ts LIMIT 3",
			"SELECT e.user_id, f.user_id FROM (SELECT user_id, ts FROM events ORDER BY ts LIMIT 6) e JOIN (SELECT user_id FROM events WHERE region = 'region-00' ORDER BY ts LIMIT 2) f ON e.user_id = f.user_id ORDER BY e.ts",
		} {
			want, got := fmt.Sprint(query(t, rows, q)), fmt.Sprint(query(t, records, q))
			if got != want {
				t.Errorf("chunks of %d (ranges of one record: %v): %s\n got %s\nwant %s", src.chunk, src.ranges, q, got, want)
			}
		}
	}
}
