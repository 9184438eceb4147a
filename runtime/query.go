package runtime

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/planner"
	"github.com/tpgen/tpgen/runtime/sql"
)

// Query runs a SQL statement (PostgreSQL dialect; $1, $2, ... bound to
// args in order) and returns its whole result, which the caller must
// Release. EXPLAIN and EXPLAIN ANALYZE return a one-column result named
// plan with one row per line of the plan.
//
// Errors in the statement are *sql.Error values locating the problem in
// the text; errors while running are *Error values naming the operator,
// table and partition that failed. Cancelling ctx stops the query.
func (s *Session) Query(ctx context.Context, sqlText string, args ...any) (*Result, error) {
	st, _, err := s.prepare(ctx, sqlText)
	if err != nil {
		return nil, err
	}
	return s.query(ctx, st, args)
}

// QueryStream is Query for large results: it returns the result as a
// stream of batches (with no selection vectors) instead of collecting
// them. The caller must Close the stream, which stops the query if it is
// still running; cancelling ctx stops it too.
func (s *Session) QueryStream(ctx context.Context, sqlText string, args ...any) (RecordStream, error) {
	st, _, err := s.prepare(ctx, sqlText)
	if err != nil {
		return nil, err
	}
	return s.queryStream(ctx, st, args)
}

// Explain returns the physical plan of a query as an indented tree, the
// way EXPLAIN prints it, without running it. args bind $1, $2, ... as in
// Query (pushdown can depend on them). A statement that is itself an
// EXPLAIN is explained as its query (EXPLAIN ANALYZE still runs it).
func (s *Session) Explain(ctx context.Context, sqlText string, args ...any) (string, error) {
	st, _, err := s.prepare(ctx, sqlText)
	if err != nil {
		return "", err
	}
	lp, err := st.Bind(args...)
	if err != nil {
		return "", err
	}
	if ex, ok := lp.(*logical.Explain); ok {
		return s.explainText(ctx, ex)
	}
	p, err := planner.Plan(ctx, lp, s.planOptions())
	if err != nil {
		return "", err
	}
	return physical.Explain(p), nil
}

// prepare returns the parsed statement for sqlText, from the cache when
// it can, and the cache generation it belongs to.
//
// A statement that is not cached waits for the parser's one-time
// start-up only until ctx ends.
func (s *Session) prepare(ctx context.Context, sqlText string) (*sql.Statement, uint64, error) {
	s.mu.RLock()
	cat, gen := s.catalog, s.cache.generation()
	s.mu.RUnlock()
	if st, ok := s.cache.get(sqlText); ok {
		return st, gen, nil
	}
	if err := sql.WaitParser(ctx); err != nil {
		return nil, 0, err
	}
	st, err := sql.PrepareWithLimits(sqlText, cat, s.limits)
	if err != nil {
		return nil, 0, err
	}
	s.cache.put(sqlText, st, gen)
	return st, gen, nil
}

// physicalPlan plans lp, which st bound to. A statement run without
// arguments binds to its own plan, whose optimization the statement
// cache keeps.
func (s *Session) physicalPlan(ctx context.Context, st *sql.Statement, lp logical.Plan) (plan.ExecutionPlan, error) {
	if lp != st.Plan {
		return planner.Plan(ctx, lp, s.planOptions())
	}
	opt, err := s.cache.optimized(st)
	if err != nil {
		return nil, err
	}
	return planner.PlanOptimized(ctx, opt, s.planOptions())
}

// runQuery plans and runs a bound statement to completion; query runs it
// so that the caller is not held past its context by user code that
// ignores the context.
func (s *Session) runQuery(ctx context.Context, st *sql.Statement, args []any) (*Result, error) {
	lp, err := st.Bind(args...)
	if err != nil {
		return nil, err
	}
	if ex, ok := lp.(*logical.Explain); ok {
		text, err := s.explainText(ctx, ex)
		if err != nil {
			return nil, err
		}
		return s.planResult(text)
	}
	p, err := s.physicalPlan(ctx, st, lp)
	if err != nil {
		return nil, err
	}
	recs, err := physical.Collect(ctx, p, s.task())
	if err != nil {
		return nil, err
	}
	return &Result{Schema: p.Schema(), Records: recs}, nil
}

// openStream plans a bound statement and starts its stream, on the
// caller's goroutine; queryStream guards it when ctx can end.
func (s *Session) openStream(ctx context.Context, st *sql.Statement, args []any) (RecordStream, error) {
	lp, err := st.Bind(args...)
	if err != nil {
		return nil, err
	}
	if _, ok := lp.(*logical.Explain); ok {
		res, err := s.query(ctx, st, args)
		if err != nil {
			return nil, err
		}
		return newResultStream(res), nil
	}
	p, err := s.physicalPlan(ctx, st, lp)
	if err != nil {
		return nil, err
	}
	return physical.Stream(ctx, p, s.task())
}

// explainText plans ex's query and describes it; with ANALYZE it runs
// the query and adds what each operator did.
func (s *Session) explainText(ctx context.Context, ex *logical.Explain) (string, error) {
	p, err := planner.Plan(ctx, ex.Input, s.planOptions())
	if err != nil {
		return "", err
	}
	if ex.Analyze {
		return physical.Analyze(ctx, p, s.task())
	}
	return physical.Explain(p), nil
}

// planResult turns plan text into the one-column result EXPLAIN returns.
func (s *Session) planResult(text string) (*Result, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	schema := arrow.NewSchema([]arrow.Field{{Name: "plan", Type: arrow.BinaryTypes.String}}, nil)
	rec := stringRecord(s.alloc, schema, lines)
	return &Result{Schema: schema, Records: []arrow.RecordBatch{rec}}, nil
}
