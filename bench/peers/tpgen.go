package main

import (
	"context"
	"errors"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/bench/peers/data"
	"github.com/tpgen/tpgen/bench/peers/events"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/memtable"
)

// tpgenEngine is the generated provider (package events) on a
// runtime.Session; users is a memtable. Queries go through the session's
// public API, parse and plan included (the session caches statements by
// text, as it does for any application).
type tpgenEngine struct {
	s     *runtime.Session
	users *memtable.Table
}

func init() {
	register("tpgen", func(d *data.Dataset, cores int) (Engine, error) {
		s := runtime.NewSession(runtime.WithParallelism(cores))
		if err := s.Register("events", events.NewTable(&events.Chunks{Data: d})); err != nil {
			return nil, err
		}
		users, err := memtable.New(data.UsersSchema, [][]arrow.RecordBatch{{d.Users}})
		if err != nil {
			return nil, err
		}
		if err := s.Register("users", users); err != nil {
			return nil, err
		}
		return &tpgenEngine{s: s, users: users}, nil
	})
}

func (e *tpgenEngine) Name() string     { return "tpgen" }
func (e *tpgenEngine) Dialect() Dialect { return Postgres }
func (e *tpgenEngine) Close() error     { e.users.Release(); return nil }

func (e *tpgenEngine) Run(ctx context.Context, q Query) (Answer, error) {
	res, err := e.s.Query(ctx, q.SQL[Postgres])
	if err != nil {
		if q.NeedsJoin && strings.Contains(strings.ToLower(err.Error()), "join") {
			return nil, errors.Join(ErrUnsupported, err)
		}
		return nil, err
	}
	defer res.Release()
	return toAnswer(res.Rows()), nil
}

// explain returns tpgen's plan of q, for the report.
func (e *tpgenEngine) explain(ctx context.Context, q Query) (string, error) {
	return e.s.Explain(ctx, q.SQL[Postgres])
}

var _ = memory.DefaultAllocator
