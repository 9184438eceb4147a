package sql

import (
	"testing"

	pgquery "github.com/wasilibs/go-pgquery"
)

const benchSQL = "SELECT region, count(*), sum(amount) FROM events WHERE ts >= '2026-01-01' AND user_id > $1 " +
	"GROUP BY region HAVING count(*) > 10 ORDER BY 2 DESC LIMIT 10"

// BenchmarkPrepare times the raw parse (libpg_query on wazero), Prepare
// (parse + bind + plan), binding and planning alone on a parsed tree, and
// Bind of a cached statement.
func BenchmarkPrepare(b *testing.B) {
	if _, err := pgquery.Parse(benchSQL); err != nil { // compile the parser outside the timings
		b.Fatal(err)
	}
	b.Run("pgquery.Parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := pgquery.Parse(benchSQL); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Prepare", func(b *testing.B) {
		for b.Loop() {
			if _, err := Prepare(benchSQL, testCatalog); err != nil {
				b.Fatal(err)
			}
		}
	})
	node, pos, err := parse(benchSQL, DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("BindAndPlanOnly", func(b *testing.B) {
		for b.Loop() {
			if _, err := prepareTree(benchSQL, node, pos, testCatalog, DefaultLimits); err != nil {
				b.Fatal(err)
			}
		}
	})
	st, err := Prepare(benchSQL, testCatalog)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Bind", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Bind(42); err != nil {
				b.Fatal(err)
			}
		}
	})
}
