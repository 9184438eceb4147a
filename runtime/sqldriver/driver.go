// Package sqldriver is a database/sql driver over a runtime.Session, so
// code written against database/sql (and the tools built on it) can query
// tpgen tables:
//
//	db := sql.OpenDB(sqldriver.Connector(session))
//	defer db.Close()
//	rows, err := db.QueryContext(ctx, "SELECT region, ts, amount FROM events WHERE user_id = $1", 42)
//
// Or by name, after RegisterSession("events", session):
//
//	db, err := sql.Open("tpgen", "events")
//
// Statements are PostgreSQL-dialect SELECT and EXPLAIN with positional
// parameters $1, $2, ...; they go through the session's prepared
// statements (and its statement cache). The engine is read-only: Exec
// returns an error, and only read-only transactions (which do nothing)
// can begin.
//
// Rows stream: each Next reads from the current Arrow batch and fetches
// the next batch only when it is used up, so a large result is never
// collected. Closing Rows early (or cancelling the query's context) stops
// the query and releases every Arrow buffer and goroutine it holds.
//
// Values scan as database/sql expects: signed integers as int64, unsigned
// ones as int64 (uint64 as uint64), floats as float64, text as string,
// binary as []byte, booleans as bool, dates (midnight UTC) and timestamps
// (in the column's time zone, UTC without one) as time.Time, durations as
// time.Duration, and decimals as their exact decimal text ("12.50"), which
// scans into a string or, through database/sql's conversion, a float64.
// NULL scans into the sql.Null* types (or any pointer). ColumnTypes
// reports each column's database type name, scan type, nullability,
// decimal precision and scale.
package sqldriver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/tpgen/tpgen/runtime"
)

// DriverName is the name the driver is registered under with
// database/sql, for sql.Open(DriverName, name) of a session registered
// with RegisterSession.
const DriverName = "tpgen"

func init() { sql.Register(DriverName, Driver{}) }

var (
	sessionsMu sync.RWMutex
	sessions   = map[string]*runtime.Session{}
)

// RegisterSession makes s reachable as sql.Open("tpgen", name). Registering
// a name again replaces its session; a nil session removes the name.
func RegisterSession(name string, s *runtime.Session) {
	sessionsMu.Lock()
	defer sessionsMu.Unlock()
	if s == nil {
		delete(sessions, name)
		return
	}
	sessions[name] = s
}

// Connector returns a driver.Connector whose connections query s, for
// sql.OpenDB.
func Connector(s *runtime.Session) driver.Connector { return &connector{s: s} }

type connector struct{ s *runtime.Session }

// Connect implements driver.Connector. Connections are cheap: they share
// the session, which is safe for concurrent use.
func (c *connector) Connect(context.Context) (driver.Conn, error) {
	if c.s == nil {
		return nil, errors.New("sqldriver: nil session")
	}
	return &conn{s: c.s}, nil
}

// Driver implements driver.Connector.
func (c *connector) Driver() driver.Driver { return Driver{} }

// Driver is the database/sql driver. Its data source names are the names
// sessions were registered under with RegisterSession.
type Driver struct{}

// Open implements driver.Driver.
func (d Driver) Open(name string) (driver.Conn, error) {
	c, err := d.OpenConnector(name)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector implements driver.DriverContext.
func (Driver) OpenConnector(name string) (driver.Connector, error) {
	sessionsMu.RLock()
	s, ok := sessions[name]
	sessionsMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("sqldriver: no session registered as %q (call sqldriver.RegisterSession, or use sql.OpenDB(sqldriver.Connector(session)))", name)
	}
	return Connector(s), nil
}
