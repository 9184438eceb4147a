//go:build duckdb && cgo

package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/tpgen/tpgen/bench/peers/data"
)

// duckdbEngine serves the events as a DuckDB table function
// (events_chunks, behind the view events) and users as a DuckDB table.
// The table function is a parallel chunk source: DuckDB's threads claim
// Arrow chunks one at a time and copy them into DuckDB vectors, only the
// columns the query uses (projection pushdown, the one pushdown
// duckdb-go's table function API offers; it has no filter, order or limit
// pushdown, so DuckDB filters, sorts and limits itself). Its cardinality
// is reported exact.
type duckdbEngine struct {
	conn *sql.Conn
	db   *sql.DB
}

func init() {
	register("duckdb", func(d *data.Dataset, cores int) (Engine, error) {
		connector, err := duckdb.NewConnector("", nil)
		if err != nil {
			return nil, err
		}
		db := sql.OpenDB(connector)
		ctx := context.Background()
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		e := &duckdbEngine{conn: conn, db: db}
		if err := e.setup(ctx, d, cores); err != nil {
			e.Close()
			return nil, err
		}
		return e, nil
	})
}

func (e *duckdbEngine) setup(ctx context.Context, d *data.Dataset, cores int) error {
	if _, err := e.conn.ExecContext(ctx, "SET threads TO "+itoa(cores)); err != nil {
		return err
	}
	fn := duckdb.ParallelChunkTableFunction{
		BindArguments: func(map[string]any, ...any) (duckdb.ParallelChunkTableSource, error) {
			return &duckSource{d: d, cores: cores}, nil
		},
	}
	if err := duckdb.RegisterTableUDF(e.conn, "events_chunks", fn); err != nil {
		return err
	}
	if _, err := e.conn.ExecContext(ctx, "CREATE VIEW events AS SELECT * FROM events_chunks()"); err != nil {
		return err
	}
	if _, err := e.conn.ExecContext(ctx, "CREATE TABLE users(user_id BIGINT PRIMARY KEY, name VARCHAR, tier VARCHAR)"); err != nil {
		return err
	}
	ids := d.Users.Column(0).(*array.Int64)
	names := d.Users.Column(1).(*array.String)
	tiers := d.Users.Column(2).(*array.String)
	return e.conn.Raw(func(c any) error {
		app, err := duckdb.NewAppenderFromConn(c.(driver.Conn), "", "users")
		if err != nil {
			return err
		}
		for i := range ids.Len() {
			if err := app.AppendRow(ids.Value(i), names.Value(i), tiers.Value(i)); err != nil {
				return err
			}
		}
		return app.Close()
	})
}

func itoa(n int) string {
	if n < 1 {
		n = runtime.NumCPU()
	}
	b := []byte{}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func (e *duckdbEngine) Name() string     { return "duckdb" }
func (e *duckdbEngine) Dialect() Dialect { return DuckDB }
func (e *duckdbEngine) Close() error {
	err := e.conn.Close()
	return errors.Join(err, e.db.Close())
}

func (e *duckdbEngine) Run(ctx context.Context, q Query) (Answer, error) {
	rows, err := e.conn.QueryContext(ctx, q.SQL[DuckDB])
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
	return toAnswer(out), rows.Err()
}

// duckSource hands out the dataset's (partition, chunk, offset) pieces to
// DuckDB's threads.
type duckSource struct {
	d     *data.Dataset
	cores int
	next  atomic.Int64 // next piece
	once  sync.Once
	cuts  []duckPiece
}

// duckPiece is up to one DuckDB vector (2048 rows) of one chunk.
type duckPiece struct {
	rec    arrow.RecordBatch
	lo, hi int
}

func (s *duckSource) ColumnInfos() []duckdb.ColumnInfo {
	str, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	i64, _ := duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	return []duckdb.ColumnInfo{{Name: "region", T: str}, {Name: "event_type", T: str},
		{Name: "ts", T: i64}, {Name: "user_id", T: i64}, {Name: "amount", T: i64}}
}

func (s *duckSource) Cardinality() *duckdb.CardinalityInfo {
	return &duckdb.CardinalityInfo{Cardinality: uint(s.d.Rows), Exact: true}
}

func (s *duckSource) Init() duckdb.ParallelTableSourceInfo {
	vec := duckdb.GetDataChunkCapacity()
	for _, p := range s.d.Parts {
		for _, rec := range p.Chunks {
			n := int(rec.NumRows())
			for lo := 0; lo < n; lo += vec {
				s.cuts = append(s.cuts, duckPiece{rec, lo, min(lo+vec, n)})
			}
		}
	}
	return duckdb.ParallelTableSourceInfo{MaxThreads: s.cores}
}

func (s *duckSource) NewLocalState() any { return &struct{}{} }

func (s *duckSource) FillChunk(_ any, chunk duckdb.DataChunk) error {
	i := s.next.Add(1) - 1
	if i >= int64(len(s.cuts)) {
		return chunk.SetSize(0)
	}
	p := s.cuts[i]
	n := p.hi - p.lo
	if err := chunk.SetSize(n); err != nil {
		return err
	}
	for col := range 5 {
		vec, err := chunk.GetVector(col)
		if err != nil {
			continue // not projected
		}
		switch col {
		case data.ColRegion, data.ColEventType:
			w, err := duckdb.GetVectorWriter[string](vec)
			if err != nil {
				return err
			}
			arr := p.rec.Column(col).(*array.String)
			for r := range n {
				if err := w.Set(r, arr.Value(p.lo+r)); err != nil {
					return err
				}
			}
		default:
			var vals []int64
			if col == data.ColTs {
				ts := p.rec.Column(col).(*array.Timestamp).TimestampValues()[p.lo:p.hi]
				vals = make([]int64, n)
				for r, t := range ts {
					vals[r] = int64(t)
				}
			} else {
				vals = p.rec.Column(col).(*array.Int64).Int64Values()[p.lo:p.hi]
			}
			for r, v := range vals {
				if err := duckdb.SetChunkValue(chunk, col, r, v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
