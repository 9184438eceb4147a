package events

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/tpgen/tpgen/runtime/source"
)

// Start is the timestamp of every region's first event.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Synth synthesises Regions regions (region-00, region-01, ...), one
// partition each, of PerRegion events one second apart from Start.
type Synth struct{ Regions, PerRegion int }

// RegionName is the name of region i.
func RegionName(i int) string { return fmt.Sprintf("region-%02d", i) }

// Partitions lists one partition per region, with its time span.
func (s *Synth) Partitions(_ context.Context, _ *Scan) ([]Partition, error) {
	parts := make([]Partition, s.Regions)
	for i := range parts {
		parts[i] = Partition{Key: &Key{Region: RegionName(i)}, Rows: int64(s.PerRegion), Payload: i,
			Stats: Stats{Ts: source.MinMax[time.Time]{Min: Start, Max: Start.Add(time.Duration(s.PerRegion-1) * time.Second), Valid: true}}}
	}
	return parts, nil
}

// Read writes a region's events, starting at the first second the ts
// filter allows (events are in ts order, so the rest can be skipped).
func (s *Synth) Read(_ context.Context, p Partition, scan *Scan, w *Writer) error {
	first, region, id := 0, p.Key.Region, p.Payload.(int)
	if span, ok := scan.Filters.Ts.Span(); ok && !span.Low.Unbounded && span.Low.Value.After(Start) {
		first = int(span.Low.Value.Sub(Start) / time.Second)
	}
	for i := first; i < s.PerRegion; i++ {
		r := Row{Region: region, Ts: Start.Add(time.Duration(i) * time.Second), UserID: int64(i*7+id) % 1000}
		if i%3 != 0 {
			r.EventType = source.Some([]string{"click", "view"}[i%2])
		}
		if i%2 == 0 {
			r.Amount = source.Some(decimal128.FromI64(int64(i % 10000)))
		}
		if err := w.Append(r); err != nil {
			return err
		}
	}
	return nil
}
