package counting

import (
	"context"

	"github.com/tpgen/tpgen/runtime/source"
)

// Counter counts 0..N-1 in P partitions of consecutive values.
type Counter struct{ N, P int64 }

// Partitions splits 0..N-1 into P ranges, with min/max statistics so
// value filters prune whole partitions.
func (c *Counter) Partitions(context.Context, *Scan) ([]Partition, error) {
	parts := make([]Partition, 0, c.P)
	for i := range c.P {
		lo, hi := i*c.N/c.P, (i+1)*c.N/c.P
		if lo < hi {
			parts = append(parts, Partition{Rows: hi - lo, Payload: i,
				Stats: Stats{Value: source.MinMax[int64]{Min: lo, Max: hi - 1, Valid: true}}})
		}
	}
	return parts, nil
}

// Read writes the partition's values that satisfy the value filter
// (exactly, as the spec promises), 4096 at a time through AppendColumns.
func (c *Counter) Read(_ context.Context, p Partition, scan *Scan, w *Writer) error {
	buf := Columns{Partition: make([]int64, 0, 4096), Value: make([]int64, 0, 4096)}
	for v := p.Stats.Value.Min; v <= p.Stats.Value.Max; v++ {
		if scan.Filters.Value.Contains(v) {
			buf.Partition, buf.Value = append(buf.Partition, p.Payload.(int64)), append(buf.Value, v)
		}
		if len(buf.Value) == cap(buf.Value) || v == p.Stats.Value.Max {
			if err := w.AppendColumns(buf); err != nil {
				return err
			}
			buf.Partition, buf.Value = buf.Partition[:0], buf.Value[:0]
		}
	}
	return nil
}
