package sqldriver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/tpgen/tpgen/runtime"
)

// errReadOnly is returned by Exec of a valid statement.
var errReadOnly = errors.New("sqldriver: Exec is not supported: the tpgen engine is read-only and runs only SELECT and EXPLAIN; use Query")

// conn is one database/sql connection. It holds no state of its own
// besides the session, so database/sql may pool as many as it likes.
type conn struct {
	s *runtime.Session
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
)

// Prepare implements driver.Conn.
func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext implements driver.ConnPrepareContext: the statement is
// parsed now, so errors in it (*sql.Error with line and column) surface
// here.
func (c *conn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	st, err := c.s.Prepare(query)
	if err != nil {
		return nil, err
	}
	return &stmt{st: st}, nil
}

// QueryContext implements driver.QueryerContext, running the query
// through the session's statement cache without a driver.Stmt.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st, err := c.s.Prepare(query)
	if err != nil {
		return nil, err
	}
	return query1(ctx, st, args)
}

// ExecContext implements driver.ExecerContext. The engine runs no
// statement without a result, so this always fails, with the engine's
// own message for statements it does not support (INSERT, CREATE, ...).
func (c *conn) ExecContext(_ context.Context, query string, _ []driver.NamedValue) (driver.Result, error) {
	if _, err := c.s.Prepare(query); err != nil {
		return nil, err
	}
	return nil, errReadOnly
}

// Begin implements driver.Conn; see BeginTx.
func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx implements driver.ConnBeginTx. Read-only transactions are
// accepted and do nothing (queries in them see the session's tables as
// each query starts); others fail, since nothing can be written.
func (c *conn) BeginTx(_ context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if !opts.ReadOnly {
		return nil, errors.New("sqldriver: only read-only transactions are supported (the tpgen engine is read-only); use sql.TxOptions{ReadOnly: true}")
	}
	return readOnlyTx{}, nil
}

type readOnlyTx struct{}

func (readOnlyTx) Commit() error   { return nil }
func (readOnlyTx) Rollback() error { return nil }

// Close implements driver.Conn.
func (c *conn) Close() error { return nil }

// Ping implements driver.Pinger.
func (c *conn) Ping(context.Context) error { return nil }

// IsValid implements driver.Validator.
func (c *conn) IsValid() bool { return true }

// ResetSession implements driver.SessionResetter.
func (c *conn) ResetSession(context.Context) error { return nil }

// CheckNamedValue implements driver.NamedValueChecker: it passes the Go
// types the engine binds directly (unsigned integers and durations
// included, which database/sql's default conversion would reject or
// flatten), converts the rest as database/sql does, and refuses named
// arguments.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if nv.Name != "" {
		return fmt.Errorf("sqldriver: named argument %q: the engine takes positional parameters $1, $2, ...", nv.Name)
	}
	switch nv.Value.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, string, []byte, time.Time, time.Duration, runtime.Scalar:
		return nil
	}
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return fmt.Errorf("sqldriver: argument $%d: %w", nv.Ordinal, err)
	}
	nv.Value = v
	return nil
}

// stmt is a prepared statement over runtime.Stmt.
type stmt struct {
	st *runtime.Stmt
}

var (
	_ driver.Stmt             = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
	_ driver.StmtExecContext  = (*stmt)(nil)
)

// Close implements driver.Stmt.
func (s *stmt) Close() error { return nil }

// NumInput implements driver.Stmt: the number of $n parameters.
func (s *stmt) NumInput() int { return len(s.st.Params()) }

// Exec implements driver.Stmt; it always fails (see conn.ExecContext).
func (s *stmt) Exec([]driver.Value) (driver.Result, error) { return nil, errReadOnly }

// ExecContext implements driver.StmtExecContext; it always fails.
func (s *stmt) ExecContext(context.Context, []driver.NamedValue) (driver.Result, error) {
	return nil, errReadOnly
}

// Query implements driver.Stmt.
func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return query1(context.Background(), s.st, named)
}

// QueryContext implements driver.StmtQueryContext.
func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return query1(ctx, s.st, args)
}

// query1 starts st streaming; ctx governs the whole life of the rows.
func query1(ctx context.Context, st *runtime.Stmt, args []driver.NamedValue) (driver.Rows, error) {
	values := make([]any, len(args))
	for i, a := range args {
		values[i] = a.Value
	}
	stream, err := st.QueryStream(ctx, values...)
	if err != nil {
		return nil, err
	}
	return newRows(stream), nil
}
