package main

import (
	"container/heap"
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"modernc.org/sqlite"
	"modernc.org/sqlite/vtab"

	"github.com/tpgen/tpgen/bench/peers/data"
)

// sqliteEngine serves the events as a modernc.org/sqlite virtual table
// (eventsModule) and users as an ordinary SQLite table with its primary
// key. What the virtual table takes from SQLite (BestIndex):
//
//   - region = constant: only that partition is read (omit: SQLite does
//     not check it again);
//   - ts =, <, <=, >, >= constants: every partition is cut to its ts range
//     by binary search (omit);
//   - ORDER BY ts ASC: consumed, the cursor merges the partitions by ts;
//   - ORDER BY amount DESC with a LIMIT: consumed, the cursor keeps the top
//     LIMIT rows of each partition in a heap and returns them sorted;
//   - LIMIT (and OFFSET): the cursor stops after LIMIT+OFFSET rows (SQLite
//     still applies both itself);
//   - ColUsed: only the columns the query uses are fetched (SQLite asks
//     column by column, so projection costs nothing extra).
//
// A count(*) still visits every row: a virtual table has no way to return
// a row count.
type sqliteEngine struct {
	db *sql.DB
}

var sqliteModuleOnce sync.Once
var sqliteData struct {
	sync.Mutex
	d *data.Dataset
}

func init() {
	register("sqlite", func(d *data.Dataset, cores int) (Engine, error) {
		sqliteData.Lock()
		sqliteData.d = d
		sqliteData.Unlock()
		var err error
		sqliteModuleOnce.Do(func() { err = vtab.RegisterModule(nil, "events_chunks", eventsModule{}) })
		if err != nil {
			return nil, err
		}
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1) // one in-memory database, one connection
		e := &sqliteEngine{db: db}
		if err := e.setup(d); err != nil {
			db.Close()
			return nil, err
		}
		return e, nil
	})
}

var _ = sqlite.Driver{}

func (e *sqliteEngine) setup(d *data.Dataset) error {
	if _, err := e.db.Exec("CREATE VIRTUAL TABLE events USING events_chunks"); err != nil {
		return err
	}
	if _, err := e.db.Exec("CREATE TABLE users(user_id INTEGER PRIMARY KEY, name TEXT, tier TEXT)"); err != nil {
		return err
	}
	tx, err := e.db.Begin()
	if err != nil {
		return err
	}
	st, err := tx.Prepare("INSERT INTO users VALUES (?, ?, ?)")
	if err != nil {
		return err
	}
	ids := d.Users.Column(0).(*array.Int64)
	names := d.Users.Column(1).(*array.String)
	tiers := d.Users.Column(2).(*array.String)
	for i := range ids.Len() {
		if _, err := st.Exec(ids.Value(i), names.Value(i), tiers.Value(i)); err != nil {
			return err
		}
	}
	st.Close()
	return tx.Commit()
}

func (e *sqliteEngine) Name() string     { return "sqlite" }
func (e *sqliteEngine) Dialect() Dialect { return SQLite }
func (e *sqliteEngine) Close() error     { return e.db.Close() }

func (e *sqliteEngine) Run(ctx context.Context, q Query) (Answer, error) {
	return sqlQuery(ctx, e.db, q.SQL[SQLite])
}

// sqlQuery runs text on db and reads every row as Go values.
func sqlQuery(ctx context.Context, db *sql.DB, text string) (Answer, error) {
	rows, err := db.QueryContext(ctx, text)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return toAnswer(out), nil
}

type eventsModule struct{}

func (eventsModule) Create(ctx vtab.Context, args []string) (vtab.Table, error) {
	return eventsModule{}.Connect(ctx, args)
}

func (eventsModule) Connect(ctx vtab.Context, _ []string) (vtab.Table, error) {
	if err := ctx.Declare("CREATE TABLE x(region TEXT, event_type TEXT, ts INTEGER, user_id INTEGER, amount INTEGER)"); err != nil {
		return nil, err
	}
	sqliteData.Lock()
	defer sqliteData.Unlock()
	return &eventsVtab{d: sqliteData.d}, nil
}

type eventsVtab struct{ d *data.Dataset }

func (t *eventsVtab) Disconnect() error { return nil }
func (t *eventsVtab) Destroy() error    { return nil }

// Plan flags in IdxNum.
const (
	idxOrderTs     = 1 // rows in ts order (ORDER BY ts consumed)
	idxTopAmount   = 2 // the top LIMIT rows by amount, descending
	idxHasLimit    = 4
	idxOffsetFound = 8
)

// BestIndex takes every constraint it can apply exactly; IdxStr names,
// per argument, what it is: r region =, e ts =, g ts >=, G ts >, l ts <=,
// L ts <, n LIMIT, o OFFSET.
func (t *eventsVtab) BestIndex(info *vtab.IndexInfo) error {
	var kinds strings.Builder
	arg := 0
	take := func(i int, kind byte, omit bool) {
		info.Constraints[i].ArgIndex = arg
		info.Constraints[i].Omit = omit
		kinds.WriteByte(kind)
		arg++
	}
	rows := float64(t.d.Rows)
	hasLimit := false
	for i, c := range info.Constraints {
		if !c.Usable {
			continue
		}
		switch {
		case c.Column == data.ColRegion && c.Op == vtab.OpEQ:
			take(i, 'r', true)
			rows /= float64(len(t.d.Parts))
		case c.Column == data.ColTs && c.Op == vtab.OpEQ:
			take(i, 'e', true)
			rows = 1
		case c.Column == data.ColTs && c.Op == vtab.OpGE:
			take(i, 'g', true)
			rows /= 2
		case c.Column == data.ColTs && c.Op == vtab.OpGT:
			take(i, 'G', true)
			rows /= 2
		case c.Column == data.ColTs && c.Op == vtab.OpLE:
			take(i, 'l', true)
			rows /= 2
		case c.Column == data.ColTs && c.Op == vtab.OpLT:
			take(i, 'L', true)
			rows /= 2
		case c.Op == vtab.OpLIMIT:
			take(i, 'n', false)
			hasLimit = true
			info.IdxNum |= idxHasLimit
		case c.Op == vtab.OpOFFSET:
			take(i, 'o', false)
			info.IdxNum |= idxOffsetFound
		}
	}
	if len(info.OrderBy) == 1 {
		ob := info.OrderBy[0]
		switch {
		case ob.Column == data.ColTs && !ob.Desc:
			info.OrderByConsumed = true
			info.IdxNum |= idxOrderTs
		case ob.Column == data.ColAmount && ob.Desc && hasLimit:
			info.OrderByConsumed = true
			info.IdxNum |= idxTopAmount
		}
	}
	info.IdxStr = kinds.String()
	info.EstimatedRows = int64(max(rows, 1))
	info.EstimatedCost = max(rows, 1)
	return nil
}

func (t *eventsVtab) Open() (vtab.Cursor, error) { return &eventsCursor{d: t.d}, nil }

// rowRef is one row of the dataset.
type rowRef struct {
	part, chunk int
	row         int64
}

// partScan is the rows [lo, hi) of one partition still to visit.
type partScan struct {
	part   *data.Partition
	index  int
	lo, hi int64
}

type eventsCursor struct {
	d     *data.Dataset
	scans []partScan
	left  int64 // rows the limit still allows; -1: no limit
	// ordered: a heap of partitions by their next ts; otherwise scans[0]
	// is the current partition.
	ordered bool
	merge   mergeHeap
	// top-N mode: the rows to return, in order.
	top    []rowRef
	topPos int
	// the current row
	cur   rowRef
	rec   arrow.RecordBatch
	eof   bool
	chunk int // chunk of cur.row within cur.part
	cols  chunkCols
}

type chunkCols struct {
	region, etype *array.String
	ts            []arrow.Timestamp
	uid, amt      []int64
}

func (c *eventsCursor) Filter(idxNum int, idxStr string, vals []vtab.Value) error {
	regions := map[string]bool{}
	regionSet := false
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	limit, offset := int64(-1), int64(0)
	for i, k := range []byte(idxStr) {
		v := vals[i]
		switch k {
		case 'r':
			s, _ := v.(string)
			if regionSet && !regions[s] {
				regions = map[string]bool{}
			} else {
				regions = map[string]bool{s: true}
			}
			regionSet = true
		case 'e', 'g', 'G', 'l', 'L':
			n, ok := v.(int64)
			if !ok {
				return fmt.Errorf("events: ts compared with %T, want an integer", v)
			}
			switch k {
			case 'e':
				from, to = max(from, n), min(to, n+1)
			case 'g':
				from = max(from, n)
			case 'G':
				from = max(from, n+1)
			case 'l':
				to = min(to, n+1)
			case 'L':
				to = min(to, n)
			}
		case 'n':
			if n, ok := v.(int64); ok {
				limit = n
			}
		case 'o':
			if n, ok := v.(int64); ok && n > 0 {
				offset = n
			}
		}
	}
	c.left = -1
	if limit >= 0 {
		c.left = limit + offset
	}
	c.scans = c.scans[:0]
	for p := range c.d.Parts {
		part := &c.d.Parts[p]
		if regionSet && !regions[part.Region] {
			continue
		}
		lo, hi := int64(0), part.Rows
		if from > math.MinInt64 || to < math.MaxInt64 {
			lo, hi = part.RowRange(from, to)
		}
		if lo < hi {
			c.scans = append(c.scans, partScan{part: part, index: p, lo: lo, hi: hi})
		}
	}
	c.ordered = idxNum&idxOrderTs != 0
	c.top, c.topPos = nil, 0
	c.eof = false
	switch {
	case idxNum&idxTopAmount != 0:
		c.top = c.topAmount(c.left)
		c.left = -1
		return c.nextTop()
	case c.ordered:
		c.merge = c.merge[:0]
		for i := range c.scans {
			c.merge = append(c.merge, mergeItem{scan: i, ts: c.tsAt(&c.scans[i])})
		}
		heap.Init(&c.merge)
	}
	return c.advance()
}

// topAmount returns the n rows with the largest amounts, largest first.
func (c *eventsCursor) topAmount(n int64) []rowRef {
	var all []amountRef
	for _, s := range c.scans {
		var h amountHeap
		s.part.Slices(s.lo, s.hi, func(rec arrow.RecordBatch, chunk int, i, j int64) error {
			amt := int64s(rec, data.ColAmount)
			for r := i; r < j; r++ {
				if int64(len(h)) < n {
					heap.Push(&h, amountRef{amt[r], rowRef{s.index, chunk, r}})
				} else if n > 0 && amt[r] > h[0].amount {
					h[0] = amountRef{amt[r], rowRef{s.index, chunk, r}}
					heap.Fix(&h, 0)
				}
			}
			return nil
		})
		all = append(all, h...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].amount > all[j].amount })
	out := make([]rowRef, 0, min(int64(len(all)), max(n, 0)))
	for _, a := range all[:min(int64(len(all)), max(n, 0))] {
		out = append(out, a.ref)
	}
	return out
}

func (c *eventsCursor) nextTop() error {
	if c.topPos >= len(c.top) {
		c.eof = true
		return nil
	}
	r := c.top[c.topPos]
	c.topPos++
	c.setRow(&c.d.Parts[r.part], r.chunk, r.row)
	return nil
}

// tsAt is the ts of a scan's next row.
func (c *eventsCursor) tsAt(s *partScan) int64 {
	ch := chunkOf(s.part, s.lo)
	return int64(s.part.TsColumn(ch)[s.lo-s.part.ChunkStart[ch]])
}

func chunkOf(p *data.Partition, row int64) int {
	return int(row / data.ChunkRows)
}

func (c *eventsCursor) setRow(part *data.Partition, chunk int, row int64) {
	rec := part.Chunks[chunk]
	if rec != c.rec {
		c.rec = rec
		c.cols = chunkCols{
			region: rec.Column(data.ColRegion).(*array.String),
			etype:  rec.Column(data.ColEventType).(*array.String),
			ts:     rec.Column(data.ColTs).(*array.Timestamp).TimestampValues(),
			uid:    int64s(rec, data.ColUserID),
			amt:    int64s(rec, data.ColAmount),
		}
	}
	c.chunk = chunk
	c.cur.row = row
}

// advance moves to the next row.
func (c *eventsCursor) advance() error {
	if c.left == 0 {
		c.eof = true
		return nil
	}
	if c.left > 0 {
		c.left--
	}
	if c.ordered {
		if len(c.merge) == 0 {
			c.eof = true
			return nil
		}
		s := &c.scans[c.merge[0].scan]
		ch := chunkOf(s.part, s.lo)
		c.setRow(s.part, ch, s.lo-s.part.ChunkStart[ch])
		s.lo++
		if s.lo < s.hi {
			c.merge[0].ts = c.tsAt(s)
			heap.Fix(&c.merge, 0)
		} else {
			heap.Pop(&c.merge)
		}
		return nil
	}
	for len(c.scans) > 0 && c.scans[0].lo >= c.scans[0].hi {
		c.scans = c.scans[1:]
	}
	if len(c.scans) == 0 {
		c.eof = true
		return nil
	}
	s := &c.scans[0]
	ch := chunkOf(s.part, s.lo)
	c.setRow(s.part, ch, s.lo-s.part.ChunkStart[ch])
	s.lo++
	return nil
}

func (c *eventsCursor) Next() error {
	if c.top != nil {
		return c.nextTop()
	}
	return c.advance()
}

func (c *eventsCursor) Eof() bool { return c.eof }

func (c *eventsCursor) Column(col int) (vtab.Value, error) {
	r := int(c.cur.row)
	switch col {
	case data.ColRegion:
		return c.cols.region.Value(r), nil
	case data.ColEventType:
		return c.cols.etype.Value(r), nil
	case data.ColTs:
		return int64(c.cols.ts[r]), nil
	case data.ColUserID:
		return c.cols.uid[r], nil
	case data.ColAmount:
		return c.cols.amt[r], nil
	}
	return nil, fmt.Errorf("events: no column %d", col)
}

func (c *eventsCursor) Rowid() (int64, error) {
	return c.d.Parts[0].ChunkStart[0] + int64(c.chunk)*data.ChunkRows + c.cur.row, nil
}

func (c *eventsCursor) Close() error { return nil }

type mergeItem struct {
	scan int
	ts   int64
}

type mergeHeap []mergeItem

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return h[i].ts < h[j].ts }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(mergeItem)) }
func (h *mergeHeap) Pop() any          { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }

type amountRef struct {
	amount int64
	ref    rowRef
}

type amountHeap []amountRef

func (h amountHeap) Len() int           { return len(h) }
func (h amountHeap) Less(i, j int) bool { return h[i].amount < h[j].amount }
func (h amountHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *amountHeap) Push(x any)        { *h = append(*h, x.(amountRef)) }
func (h *amountHeap) Pop() any          { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }
