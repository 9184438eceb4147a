package main

import (
	"container/heap"
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/bench/peers/data"
)

// gmsEngine serves the events as a go-mysql-server table (gmsEvents) in a
// database whose other table, users, is a GMS memory table with a primary
// key. What the events table takes from GMS:
//
//   - partitions: one per region (sql.Table.Partitions), which GMS reads
//     one after another;
//   - projection (sql.ProjectedTable): rows carry only the columns used;
//   - filters, through the only filter pushdown GMS's analyzer still does,
//     index lookups (sql.IndexAddressable): an index on region (only the
//     matching partitions are read) and one on ts (each partition is cut to
//     the ranges by binary search); PreciseMatch, so GMS drops the filter;
//   - statistics (sql.StatisticsTable): the exact row count, which GMS
//     uses to answer count(*) without a scan.
//
// ORDER BY and LIMIT are not pushed: GMS sorts (top-N) above the table.
type gmsEngine struct {
	engine *sqle.Engine
	pro    *memory.DbProvider
}

func init() {
	register("go-mysql-server", func(d *data.Dataset, cores int) (Engine, error) {
		mem := memory.NewDatabase("bench")
		mem.BaseDatabase.EnablePrimaryKeyIndexes()
		mem.AddTable("events", gmsMemTable{&gmsEvents{d: d}})
		pro := memory.NewDBProvider(mem)
		e := &gmsEngine{engine: sqle.NewDefault(pro), pro: pro}
		ctx := e.context(context.Background())
		users := memory.NewTable(mem, "users", sql.NewPrimaryKeySchema(sql.Schema{
			{Name: "user_id", Type: types.Int64, Nullable: false, Source: "users", PrimaryKey: true},
			{Name: "name", Type: types.Text, Nullable: false, Source: "users"},
			{Name: "tier", Type: types.Text, Nullable: false, Source: "users"},
		}), mem.GetForeignKeyCollection())
		mem.AddTable("users", users)
		ids := d.Users.Column(0).(*array.Int64)
		names := d.Users.Column(1).(*array.String)
		tiers := d.Users.Column(2).(*array.String)
		for i := range ids.Len() {
			if err := users.Insert(ctx, sql.NewRow(ids.Value(i), names.Value(i), tiers.Value(i))); err != nil {
				return nil, err
			}
		}
		return e, nil
	})
}

func (e *gmsEngine) context(ctx context.Context) *sql.Context {
	s := memory.NewSession(sql.NewBaseSession(), e.pro)
	c := sql.NewContext(ctx, sql.WithSession(s))
	c.SetCurrentDatabase("bench")
	return c
}

func (e *gmsEngine) Name() string     { return "go-mysql-server" }
func (e *gmsEngine) Dialect() Dialect { return MySQL }
func (e *gmsEngine) Close() error     { return nil }

func (e *gmsEngine) Run(ctx context.Context, q Query) (Answer, error) {
	c := e.context(ctx)
	_, iter, _, err := e.engine.Query(c, q.SQL[MySQL])
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for {
		r, err := iter.Next(c)
		if err == io.EOF {
			break
		}
		if err != nil {
			iter.Close(c)
			return nil, err
		}
		rows = append(rows, append([]any(nil), r...))
	}
	if err := iter.Close(c); err != nil {
		return nil, err
	}
	return toAnswer(rows), nil
}

// gmsMemTable lets the memory database hold the events table: its data
// lives outside GMS's session, so the session must leave it alone.
type gmsMemTable struct{ *gmsEvents }

func (gmsMemTable) IgnoreSessionData() bool        { return true }
func (gmsMemTable) UnderlyingTable() *memory.Table { return nil }

var gmsSchema = sql.Schema{
	{Name: "region", Type: types.Text, Nullable: false, Source: "events"},
	{Name: "event_type", Type: types.Text, Nullable: false, Source: "events"},
	{Name: "ts", Type: types.Int64, Nullable: false, Source: "events"},
	{Name: "user_id", Type: types.Int64, Nullable: false, Source: "events"},
	{Name: "amount", Type: types.Int64, Nullable: false, Source: "events"},
}

// gmsEvents is the events table; a copy carries a projection and, once GMS
// chose an index lookup, the lookup.
type gmsEvents struct {
	d      *data.Dataset
	cols   []int // projected columns (nil: all)
	proj   []string
	lookup *sql.IndexLookup
}

var (
	_ sql.ProjectedTable   = (*gmsEvents)(nil)
	_ sql.StatisticsTable  = (*gmsEvents)(nil)
	_ sql.IndexAddressable = (*gmsEvents)(nil)
	_ sql.IndexedTable     = (*gmsEvents)(nil)
)

func (t *gmsEvents) Name() string               { return "events" }
func (t *gmsEvents) String() string             { return "events" }
func (t *gmsEvents) Collation() sql.CollationID { return sql.Collation_Default }

func (t *gmsEvents) Schema() sql.Schema {
	if t.cols == nil {
		return gmsSchema
	}
	s := make(sql.Schema, len(t.cols))
	for i, c := range t.cols {
		s[i] = gmsSchema[c]
	}
	return s
}

func (t *gmsEvents) WithProjections(names []string) sql.Table {
	c := *t
	c.proj, c.cols = names, make([]int, 0, len(names))
	for _, n := range names {
		for i, col := range gmsSchema {
			if strings.EqualFold(col.Name, n) {
				c.cols = append(c.cols, i)
			}
		}
	}
	return &c
}

func (t *gmsEvents) Projections() []string { return t.proj }

func (t *gmsEvents) DataLength(*sql.Context) (uint64, error) { return uint64(t.d.Rows) * 40, nil }
func (t *gmsEvents) RowCount(*sql.Context) (uint64, bool, error) {
	return uint64(t.d.Rows), true, nil
}

// gmsScan is the rows [lo, hi) of one data partition.
type gmsScan struct {
	part   *data.Partition
	lo, hi int64
}

// gmsPartition is a GMS partition: one region's rows in some ts ranges,
// or, for a lookup on the ts index, every selected row of the table in ts
// order (GMS takes rows from an index lookup to be in index order, and
// drops its sort).
type gmsPartition struct {
	key    string
	scans  []gmsScan
	merged bool
}

func (p *gmsPartition) Key() []byte { return []byte(p.key) }

func (t *gmsEvents) Partitions(ctx *sql.Context) (sql.PartitionIter, error) {
	return t.LookupPartitions(ctx, sql.IndexLookup{})
}

// LookupPartitions keeps the partitions the lookup's region ranges allow,
// each cut to its ts ranges.
func (t *gmsEvents) LookupPartitions(_ *sql.Context, lookup sql.IndexLookup) (sql.PartitionIter, error) {
	if lookup.Index == nil && t.lookup != nil {
		lookup = *t.lookup
	}
	var regions []sql.MySQLRangeColumnExpr
	var tsRanges [][2]int64
	byTs := lookup.Index != nil && lookup.Index.ID() == "ts_idx"
	if lookup.Index != nil {
		ranges, ok := lookup.Ranges.(sql.MySQLRangeCollection)
		if !ok {
			return nil, fmt.Errorf("events: unexpected range collection %T", lookup.Ranges)
		}
		for _, r := range ranges {
			if len(r) != 1 {
				return nil, fmt.Errorf("events: range over %d columns on a one-column index", len(r))
			}
			if byTs {
				lo, hi, err := int64Range(r[0])
				if err != nil {
					return nil, err
				}
				tsRanges = append(tsRanges, [2]int64{lo, hi})
			} else {
				regions = append(regions, r[0])
			}
		}
		if len(ranges) == 0 {
			return sql.PartitionsToPartitionIter(), nil
		}
	}
	if !byTs {
		tsRanges = [][2]int64{{math.MinInt64, math.MaxInt64}}
	}
	var parts []sql.Partition
	all := &gmsPartition{key: "all", merged: true}
	for i := range t.d.Parts {
		part := &t.d.Parts[i]
		if len(regions) > 0 && !regionIn(part.Region, regions) {
			continue
		}
		p := &gmsPartition{key: part.Region}
		for _, r := range tsRanges {
			lo, hi := int64(0), part.Rows
			if byTs {
				lo, hi = part.RowRange(r[0], r[1])
			}
			if lo < hi {
				p.scans = append(p.scans, gmsScan{part, lo, hi})
			}
		}
		all.scans = append(all.scans, p.scans...)
		if len(p.scans) > 0 {
			parts = append(parts, p)
		}
	}
	if byTs {
		return sql.PartitionsToPartitionIter(all), nil
	}
	return sql.PartitionsToPartitionIter(parts...), nil
}

// int64Range turns a ts range into [lo, hi).
func int64Range(r sql.MySQLRangeColumnExpr) (lo, hi int64, err error) {
	lo, hi = math.MinInt64, math.MaxInt64
	key := func(c sql.MySQLRangeCut) (int64, error) {
		v, _, err := types.Int64.Convert(context.Background(), sql.GetMySQLRangeCutKey(c))
		if err != nil {
			return 0, err
		}
		return v.(int64), nil
	}
	switch b := r.LowerBound.(type) {
	case sql.Below: // >= key
		if lo, err = key(b); err != nil {
			return
		}
	case sql.Above: // > key
		if lo, err = key(b); err != nil {
			return
		}
		lo++
	}
	switch b := r.UpperBound.(type) {
	case sql.Below: // < key
		if hi, err = key(b); err != nil {
			return
		}
	case sql.Above: // <= key
		if hi, err = key(b); err != nil {
			return
		}
		hi++
	}
	return lo, hi, nil
}

func regionIn(region string, ranges []sql.MySQLRangeColumnExpr) bool {
	for _, r := range ranges {
		ok := true
		switch b := r.LowerBound.(type) {
		case sql.Below:
			ok = ok && region >= fmt.Sprint(b.Key)
		case sql.Above:
			ok = ok && region > fmt.Sprint(b.Key)
		}
		switch b := r.UpperBound.(type) {
		case sql.Below:
			ok = ok && region < fmt.Sprint(b.Key)
		case sql.Above:
			ok = ok && region <= fmt.Sprint(b.Key)
		case sql.AboveNull, sql.BelowNull:
			ok = false
		}
		if ok {
			return true
		}
	}
	return false
}

func (t *gmsEvents) PartitionRows(_ *sql.Context, p sql.Partition) (sql.RowIter, error) {
	gp, ok := p.(*gmsPartition)
	if !ok {
		return nil, fmt.Errorf("events: foreign partition %T", p)
	}
	cols := t.cols
	if cols == nil {
		cols = []int{0, 1, 2, 3, 4}
	}
	it := &gmsRows{scans: append([]gmsScan(nil), gp.scans...), cols: cols, merged: gp.merged}
	if it.merged {
		for i := range it.scans {
			it.heap = append(it.heap, mergeItem{scan: i, ts: scanTs(&it.scans[i])})
		}
		heap.Init(&it.heap)
	}
	return it, nil
}

func scanTs(s *gmsScan) int64 {
	c := int(s.lo / data.ChunkRows)
	return int64(s.part.TsColumn(c)[s.lo-s.part.ChunkStart[c]])
}

// gmsRows walks scans one after another, or merged by ts, making one
// sql.Row per row (GMS's row-at-a-time interface).
type gmsRows struct {
	scans  []gmsScan
	cols   []int
	merged bool
	heap   mergeHeap
}

func (it *gmsRows) Next(*sql.Context) (sql.Row, error) {
	var s *gmsScan
	if it.merged {
		if len(it.heap) == 0 {
			return nil, io.EOF
		}
		s = &it.scans[it.heap[0].scan]
	} else {
		for len(it.scans) > 0 && it.scans[0].lo >= it.scans[0].hi {
			it.scans = it.scans[1:]
		}
		if len(it.scans) == 0 {
			return nil, io.EOF
		}
		s = &it.scans[0]
	}
	c := int(s.lo / data.ChunkRows)
	rec, i := s.part.Chunks[c], int(s.lo-s.part.ChunkStart[c])
	s.lo++
	if it.merged {
		if s.lo < s.hi {
			it.heap[0].ts = scanTs(s)
			heap.Fix(&it.heap, 0)
		} else {
			heap.Pop(&it.heap)
		}
	}
	row := make(sql.Row, len(it.cols))
	for k, col := range it.cols {
		switch col {
		case data.ColRegion, data.ColEventType:
			row[k] = rec.Column(col).(*array.String).Value(i)
		case data.ColTs:
			row[k] = int64(rec.Column(col).(*array.Timestamp).Value(i))
		default:
			row[k] = rec.Column(col).(*array.Int64).Value(i)
		}
	}
	return row, nil
}

func (it *gmsRows) Close(*sql.Context) error { return nil }

// Index access.

func (t *gmsEvents) IndexedAccess(_ *sql.Context, lookup sql.IndexLookup) sql.IndexedTable {
	c := *t
	c.lookup = &lookup
	return &c
}

func (t *gmsEvents) GetIndexes(*sql.Context) ([]sql.Index, error) {
	return []sql.Index{gmsIndex{"region_idx", "region", types.Text}, gmsIndex{"ts_idx", "ts", types.Int64}}, nil
}

func (t *gmsEvents) PreciseMatch() bool { return true }

// gmsIndex is a one-column index GMS may choose for lookups.
type gmsIndex struct {
	id, column string
	typ        sql.Type
}

func (i gmsIndex) ID() string            { return i.id }
func (i gmsIndex) Database() string      { return "bench" }
func (i gmsIndex) Table() string         { return "events" }
func (i gmsIndex) Expressions() []string { return []string{"events." + i.column} }
func (i gmsIndex) IsUnique() bool        { return false }
func (i gmsIndex) IsSpatial() bool       { return false }
func (i gmsIndex) IsFullText() bool      { return false }
func (i gmsIndex) IsVector() bool        { return false }
func (i gmsIndex) Comment() string       { return "" }
func (i gmsIndex) IndexType() string     { return "BTREE" }
func (i gmsIndex) IsGenerated() bool     { return false }
func (i gmsIndex) ColumnExpressionTypes() []sql.ColumnExpressionType {
	return []sql.ColumnExpressionType{{Expression: "events." + i.column, Type: i.typ}}
}
func (i gmsIndex) CanSupport(*sql.Context, ...sql.Range) bool { return true }
func (i gmsIndex) CanSupportOrderBy(sql.Expression) bool      { return false }
func (i gmsIndex) PrefixLengths() []uint16                    { return nil }

// PrimaryKeySchema gives GMS's index coster the full schema even when the
// table is projected (it looks index columns up in it). The table has no
// primary key.
func (t *gmsEvents) PrimaryKeySchema() sql.PrimaryKeySchema {
	return sql.NewPrimaryKeySchema(gmsSchema)
}
