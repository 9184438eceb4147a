package runtime

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/sql"
)

// Stmt is a prepared statement: SQL parsed once, run many times with
// different values for its $1, $2, ... parameters. It is safe for
// concurrent use. A Stmt outlives changes to the session's tables: when
// tables were registered or deregistered since it was prepared, it is
// parsed again on its next use, against the current tables.
type Stmt struct {
	s    *Session
	text string

	mu  sync.Mutex
	st  *sql.Statement
	gen uint64
}

// Prepare parses sqlText (PostgreSQL dialect, with $1, $2, ...
// parameters) for repeated use. Errors in the statement are reported now,
// as *sql.Error.
func (s *Session) Prepare(sqlText string) (*Stmt, error) {
	st, gen, err := s.prepare(context.Background(), sqlText)
	if err != nil {
		return nil, err
	}
	return &Stmt{s: s, text: sqlText, st: st, gen: gen}, nil
}

// SQL returns the statement's text.
func (st *Stmt) SQL() string { return st.text }

// Params returns the types of the parameters $1, $2, ..., as inferred
// from where they appear.
func (st *Stmt) Params() []arrow.DataType {
	stmt, err := st.current()
	if err != nil {
		return nil
	}
	return append([]arrow.DataType(nil), stmt.Params...)
}

// Query runs the statement with args bound to its parameters, like
// Session.Query.
func (st *Stmt) Query(ctx context.Context, args ...any) (*Result, error) {
	stmt, err := st.current()
	if err != nil {
		return nil, err
	}
	return st.s.query(ctx, stmt, args)
}

// QueryStream runs the statement like Session.QueryStream.
func (st *Stmt) QueryStream(ctx context.Context, args ...any) (RecordStream, error) {
	stmt, err := st.current()
	if err != nil {
		return nil, err
	}
	return st.s.queryStream(ctx, stmt, args)
}

// current returns the parsed statement, parsing again when the tables it
// was bound to changed.
func (st *Stmt) current() (*sql.Statement, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.gen == st.s.cache.generation() {
		return st.st, nil
	}
	stmt, gen, err := st.s.prepare(context.Background(), st.text)
	if err != nil {
		return nil, err
	}
	st.st, st.gen = stmt, gen
	return stmt, nil
}
