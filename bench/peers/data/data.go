// Package data builds the deterministic synthetic events every engine of
// the peer benchmark reads: rows of (region, event_type, ts, user_id,
// amount) in partitions, one region per partition, held in memory as Arrow
// record batches, plus a users table to join with.
//
// Row g (0 <= g < Rows) of the table lives in partition g mod Parts. Its
// values are functions of g alone:
//
//   - region: "region-PP", the partition's number (the partition key);
//   - event_type: one of EventTypes;
//   - ts: Start + g milliseconds, so ts is unique, increasing inside every
//     partition (the declared ordering) and the partitions interleave;
//   - user_id: in [0, Users), a hash of g;
//   - amount: a permutation of [0, Rows) (in cents), so amounts are
//     unique and ORDER BY amount has no ties.
package data

import (
	"fmt"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Start is the ts of row 0.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// StartMicros is Start in microseconds since the Unix epoch.
var StartMicros = Start.UnixMicro()

// Step is the ts distance between consecutive rows, in microseconds.
const Step = 1000

// Users is the number of rows of the users table (user_id 0..Users-1).
const Users = 1000

// EventTypes are the values of event_type.
var EventTypes = []string{"click", "view", "purchase", "signup"}

// Tiers are the values of users.tier.
var Tiers = []string{"free", "pro", "team"}

// ChunkRows is the number of rows of each stored record batch.
const ChunkRows = 8192

// Schema is the events table's Arrow schema.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: "region", Type: arrow.BinaryTypes.String},
	{Name: "event_type", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "amount", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// UsersSchema is the users table's Arrow schema.
var UsersSchema = arrow.NewSchema([]arrow.Field{
	{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "tier", Type: arrow.BinaryTypes.String},
}, nil)

// Column indices of Schema.
const (
	ColRegion = iota
	ColEventType
	ColTs
	ColUserID
	ColAmount
)

// Partition is one region's rows, in ts order.
type Partition struct {
	Region string
	Rows   int64
	// MinTs and MaxTs are the partition's smallest and largest ts, in
	// microseconds.
	MinTs, MaxTs int64
	// MinUserID, MaxUserID, MinAmount and MaxAmount are the partition's
	// smallest and largest user_id and amount (0 when it is empty).
	MinUserID, MaxUserID, MinAmount, MaxAmount int64
	// Chunks hold the rows, ChunkRows each (the last may be shorter).
	Chunks []arrow.RecordBatch
	// ChunkStart[i] is the index in the partition of Chunks[i]'s first row.
	ChunkStart []int64
}

// Dataset is the whole source: the events partitions and the users table.
type Dataset struct {
	Rows  int64
	Parts []Partition
	Users arrow.RecordBatch
}

// RegionName is the region of partition p.
func RegionName(p int) string { return fmt.Sprintf("region-%02d", p) }

// Row returns the values of row g: event type, ts (microseconds), user id,
// amount.
func Row(g, rows int64) (eventType string, ts, userID, amount int64) {
	h := uint64(g) * 0x9E3779B97F4A7C15
	return EventTypes[(h>>32)%uint64(len(EventTypes))], StartMicros + g*Step,
		int64((h >> 40) % Users), permute(g, rows)
}

// permute maps [0, n) onto itself one to one: g*a mod n for an a coprime
// to n.
func permute(g, n int64) int64 {
	a := coprime(n)
	return int64((uint64(g) * uint64(a)) % uint64(n))
}

var coprimeCache = map[int64]int64{}

func coprime(n int64) int64 {
	if a, ok := coprimeCache[n]; ok {
		return a
	}
	a := n/3*2 + 1
	for gcd(a, n) != 1 {
		a++
	}
	coprimeCache[n] = a
	return a
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Build makes rows events in parts partitions, and the users table.
func Build(mem memory.Allocator, rows int64, parts int) (*Dataset, error) {
	if rows < 1 || parts < 1 {
		return nil, fmt.Errorf("data: need at least one row and one partition (got %d rows, %d partitions)", rows, parts)
	}
	coprime(rows) // fill the cache before readers run concurrently
	d := &Dataset{Rows: rows, Parts: make([]Partition, parts)}
	for p := range d.Parts {
		part := &d.Parts[p]
		part.Region = RegionName(p)
		part.MinTs = StartMicros + int64(p)*Step
		n := int64(0)
		if int64(p) < rows {
			n = (rows - int64(p) + int64(parts) - 1) / int64(parts)
		}
		part.Rows = n
		part.MaxTs = StartMicros + (int64(p)+(n-1)*int64(parts))*Step
		for first := int64(0); first < n; first += ChunkRows {
			k := min(ChunkRows, n-first)
			part.ChunkStart = append(part.ChunkStart, first)
			part.Chunks = append(part.Chunks, buildChunk(mem, part.Region, int64(p)+first*int64(parts), int64(parts), k, rows))
		}
		for c, rec := range part.Chunks {
			uid := rec.Column(ColUserID).(*array.Int64).Int64Values()
			amt := rec.Column(ColAmount).(*array.Int64).Int64Values()
			for i := range uid {
				if c == 0 && i == 0 {
					part.MinUserID, part.MaxUserID, part.MinAmount, part.MaxAmount = uid[i], uid[i], amt[i], amt[i]
				}
				part.MinUserID, part.MaxUserID = min(part.MinUserID, uid[i]), max(part.MaxUserID, uid[i])
				part.MinAmount, part.MaxAmount = min(part.MinAmount, amt[i]), max(part.MaxAmount, amt[i])
			}
		}
	}
	d.Users = buildUsers(mem)
	return d, nil
}

func buildChunk(mem memory.Allocator, region string, g0, stride, n, rows int64) arrow.RecordBatch {
	rb := array.NewStringBuilder(mem)
	eb := array.NewStringBuilder(mem)
	tb := array.NewTimestampBuilder(mem, Schema.Field(ColTs).Type.(*arrow.TimestampType))
	ub := array.NewInt64Builder(mem)
	ab := array.NewInt64Builder(mem)
	for _, b := range []array.Builder{rb, eb, tb, ub, ab} {
		b.Reserve(int(n))
		defer b.Release()
	}
	for i := range n {
		et, ts, uid, amt := Row(g0+i*stride, rows)
		rb.Append(region)
		eb.Append(et)
		tb.Append(arrow.Timestamp(ts))
		ub.Append(uid)
		ab.Append(amt)
	}
	cols := []arrow.Array{rb.NewArray(), eb.NewArray(), tb.NewArray(), ub.NewArray(), ab.NewArray()}
	rec := array.NewRecordBatch(Schema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// UserName and UserTier are the users table's values for user id u.
func UserName(u int64) string { return fmt.Sprintf("user-%04d", u) }

// UserTier is the tier of user u.
func UserTier(u int64) string { return Tiers[(u*7)%int64(len(Tiers))] }

func buildUsers(mem memory.Allocator) arrow.RecordBatch {
	ib := array.NewInt64Builder(mem)
	nb := array.NewStringBuilder(mem)
	tb := array.NewStringBuilder(mem)
	defer ib.Release()
	defer nb.Release()
	defer tb.Release()
	for u := range int64(Users) {
		ib.Append(u)
		nb.Append(UserName(u))
		tb.Append(UserTier(u))
	}
	cols := []arrow.Array{ib.NewArray(), nb.NewArray(), tb.NewArray()}
	rec := array.NewRecordBatch(UsersSchema, cols, Users)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// Release frees the dataset's Arrow memory.
func (d *Dataset) Release() {
	for _, p := range d.Parts {
		for _, c := range p.Chunks {
			c.Release()
		}
	}
	d.Users.Release()
}

// TsColumn returns chunk c's ts values.
func (p *Partition) TsColumn(c int) []arrow.Timestamp {
	return p.Chunks[c].Column(ColTs).(*array.Timestamp).TimestampValues()
}

// RowRange returns the rows [lo, hi) of the partition whose ts lies in
// [from, to) (microseconds). Rows are in ts order, so it is a binary
// search over the chunks.
func (p *Partition) RowRange(from, to int64) (lo, hi int64) {
	return p.firstAtLeast(from), p.firstAtLeast(to)
}

// firstAtLeast is the index of the first row whose ts >= v (Rows when none).
func (p *Partition) firstAtLeast(v int64) int64 {
	c := sort.Search(len(p.Chunks), func(i int) bool {
		ts := p.TsColumn(i)
		return int64(ts[len(ts)-1]) >= v
	})
	if c == len(p.Chunks) {
		return p.Rows
	}
	ts := p.TsColumn(c)
	i := sort.Search(len(ts), func(i int) bool { return int64(ts[i]) >= v })
	return p.ChunkStart[c] + int64(i)
}

// Slices calls f with every chunk's part that lies in rows [lo, hi): the
// chunk, its index in Chunks and the rows [i, j) of it.
func (p *Partition) Slices(lo, hi int64, f func(rec arrow.RecordBatch, chunk int, i, j int64) error) error {
	for c, rec := range p.Chunks {
		s := p.ChunkStart[c]
		e := s + rec.NumRows()
		if e <= lo || s >= hi {
			continue
		}
		if err := f(rec, c, max(lo, s)-s, min(hi, e)-s); err != nil {
			return err
		}
	}
	return nil
}
