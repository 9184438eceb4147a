package main

import (
	"fmt"
	"time"

	"github.com/tpgen/tpgen/bench/peers/data"
)

// Dialect selects the SQL text of a query for an engine.
type Dialect int

const (
	// Postgres is tpgen's dialect.
	Postgres Dialect = iota
	// SQLite is SQLite's, where ts is an INTEGER of microseconds.
	SQLite
	// MySQL is go-mysql-server's, where ts is a BIGINT of microseconds.
	MySQL
	// DuckDB is DuckDB's, where ts is a BIGINT of microseconds.
	DuckDB
)

// Query is one benchmark query, in each engine's dialect. Every answer is
// ordered (each query fixes its row order), so answers compare row by row.
type Query struct {
	Name string
	// Desc says what the query exercises.
	Desc string
	SQL  map[Dialect]string
	// NeedsJoin marks the join query, which tpgen may not support yet.
	NeedsJoin bool
}

// queries returns the benchmark's queries for a table of rows events.
func queries(rows int64) []Query {
	// The 10% time range: [45%, 55%) of the table's ts span.
	from := data.StartMicros + rows*45/100*data.Step
	to := data.StartMicros + rows*55/100*data.Step
	pgTs := func(us int64) string {
		return "'" + time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.000000") + "+00'"
	}
	same := func(s string) map[Dialect]string {
		return map[Dialect]string{Postgres: s, SQLite: s, MySQL: s, DuckDB: s}
	}
	ints := func(pg, other string) map[Dialect]string {
		return map[Dialect]string{Postgres: pg, SQLite: other, MySQL: other, DuckDB: other}
	}
	return []Query{
		{Name: "count", Desc: "count(*)", SQL: same("SELECT count(*) FROM events")},
		{Name: "key_eq", Desc: "equality on the partition key",
			SQL: same("SELECT count(*), sum(amount) FROM events WHERE region = 'region-03'")},
		{Name: "time_range", Desc: "a 10% time range",
			SQL: ints(fmt.Sprintf("SELECT count(*), sum(amount) FROM events WHERE ts >= %s AND ts < %s", pgTs(from), pgTs(to)),
				fmt.Sprintf("SELECT count(*), sum(amount) FROM events WHERE ts >= %d AND ts < %d", from, to))},
		{Name: "group_by", Desc: "GROUP BY region with count and sum",
			SQL: same("SELECT region, count(*), sum(amount) FROM events GROUP BY region ORDER BY region")},
		{Name: "order_ts", Desc: "ORDER BY ts LIMIT 10 (the declared order)",
			SQL: same("SELECT region, ts, user_id, amount FROM events ORDER BY ts LIMIT 10")},
		{Name: "sum", Desc: "sum of one column", SQL: same("SELECT sum(amount) FROM events")},
		{Name: "top_amount", Desc: "top 10 by amount",
			SQL: same("SELECT region, ts, amount FROM events ORDER BY amount DESC LIMIT 10")},
		{Name: "join", Desc: "join with a 1K-row users table", NeedsJoin: true,
			SQL: same("SELECT u.tier, count(*), sum(e.amount) FROM events e JOIN users u ON e.user_id = u.user_id GROUP BY u.tier ORDER BY u.tier")},
	}
}
