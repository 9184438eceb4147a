package events

import (
	"context"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/bench/peers/data"
	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/source"
)

// Chunks serves a data.Dataset: one partition per region, each read by
// handing its Arrow chunks to the Writer without copying (AppendRecord),
// cut to the rows the ts domain allows. The rows of a partition are in ts
// order, so every range of the domain is a contiguous run of rows found by
// binary search: that is what makes the spec's exact ts filter true.
type Chunks struct{ Data *data.Dataset }

// Partitions lists every region with its exact row count and its ts,
// user_id and amount extremes (the spec declares them exact): the table
// prunes partitions whose ts span misses the ts domain, and the planner
// answers count(*), min and max from them.
func (c *Chunks) Partitions(_ context.Context, _ *Scan) ([]Partition, error) {
	parts := make([]Partition, len(c.Data.Parts))
	keys := make([]Key, len(parts)) // one allocation for every partition's key
	for i := range parts {
		p := &c.Data.Parts[i]
		keys[i] = Key{Region: p.Region}
		parts[i] = Partition{Key: &keys[i], Rows: p.Rows, Payload: p}
		if p.Rows > 0 {
			parts[i].Stats = Stats{
				Ts:     source.MinMax[time.Time]{Min: time.UnixMicro(p.MinTs).UTC(), Max: time.UnixMicro(p.MaxTs).UTC(), Valid: true},
				UserID: source.MinMax[int64]{Min: p.MinUserID, Max: p.MaxUserID, Valid: true},
				Amount: source.MinMax[int64]{Min: p.MinAmount, Max: p.MaxAmount, Valid: true},
			}
		}
	}
	return parts, nil
}

// Read hands over the partition's rows in each range of the ts domain.
func (c *Chunks) Read(_ context.Context, p Partition, scan *Scan, w *Writer) error {
	part := p.Payload.(*data.Partition)
	for r := range scan.Filters.Ts.EachRange() {
		from, to := micros(r)
		lo, hi := int64(0), part.Rows
		if from > math.MinInt64 || to < math.MaxInt64 {
			lo, hi = part.RowRange(from, to)
		}
		err := part.Slices(lo, hi, func(rec arrow.RecordBatch, _ int, i, j int64) error {
			return w.AppendRecordRows(rec, i, j)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// micros turns a ts range into [from, to) in microseconds.
func micros(r domain.Range[time.Time]) (from, to int64) {
	from, to = math.MinInt64, math.MaxInt64
	if !r.Low.Unbounded {
		from = ceilMicro(r.Low.Value)
		if !r.Low.Inclusive && r.Low.Value.Equal(time.UnixMicro(from)) {
			from++
		}
	}
	if !r.High.Unbounded {
		to = ceilMicro(r.High.Value)
		if r.High.Inclusive && r.High.Value.Equal(time.UnixMicro(to)) {
			to++
		}
	}
	return from, to
}

// ceilMicro is the first whole microsecond at or after t.
func ceilMicro(t time.Time) int64 {
	us := t.UnixMicro()
	if time.UnixMicro(us).Before(t) {
		us++
	}
	return us
}
