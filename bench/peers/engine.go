package main

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/tpgen/tpgen/bench/peers/data"
)

// Engine is one way to put the events source behind queries.
type Engine interface {
	// Name is the engine's name in the results table.
	Name() string
	// Dialect selects the SQL text the engine gets.
	Dialect() Dialect
	// Run answers one query.
	Run(ctx context.Context, q Query) (Answer, error)
	// Close frees what the engine holds.
	Close() error
}

// ErrUnsupported marks a query an engine cannot answer (yet); the harness
// reports it as "unsupported" instead of a time.
var ErrUnsupported = errors.New("unsupported")

// engineOpener builds an engine over a dataset; cores is the parallelism
// the engine may use.
type engineOpener func(d *data.Dataset, cores int) (Engine, error)

// opener is one engine the harness knows, in the order of the results.
type opener struct {
	name string
	open engineOpener
}

var openers []opener

// register adds an engine; files behind build tags register theirs in init.
func register(name string, open engineOpener) {
	openers = append(openers, opener{name, open})
	order := map[string]int{"arrow-loop": 0, "tpgen": 1, "sqlite": 2, "go-mysql-server": 3, "duckdb": 4}
	sort.SliceStable(openers, func(i, j int) bool { return order[openers[i].name] < order[openers[j].name] })
}

func engineNames() []string {
	names := make([]string, len(openers))
	for i, o := range openers {
		names[i] = o.name
	}
	return names
}

func findOpener(name string) (engineOpener, bool) {
	for _, o := range openers {
		if strings.EqualFold(o.name, name) {
			return o.open, true
		}
	}
	return nil, false
}
