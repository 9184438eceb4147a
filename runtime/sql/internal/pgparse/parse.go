package pgparse

import (
	"fmt"
	goruntime "runtime"
	"sync"
	"sync/atomic"

	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"
	"google.golang.org/protobuf/proto"
)

// Error is an error PostgreSQL's parser reported (ereport): a syntax error,
// an invalid literal, a statement too complex for its stack check. The
// parser is unharmed by it.
type Error struct {
	// Message is PostgreSQL's message, e.g. `syntax error at or near "FORM"`.
	Message string
	// Funcname is the C function that reported it (for diagnostics).
	Funcname string
	// Cursorpos is the 1-based character position the error refers to, 0
	// when it refers to no position.
	Cursorpos int
}

func (e *Error) Error() string { return e.Message }

// CrashError reports that the parser itself failed on a statement: its
// WebAssembly instance trapped (ran out of stack or memory, or faulted).
// The instance has been discarded; the next Parse runs on a fresh one.
type CrashError struct {
	// Reason is the trap, e.g. "stack overflow".
	Reason string
}

func (e *CrashError) Error() string { return "the parser failed: " + e.Reason }

// DecodeError reports that the parser's output could not be decoded (the
// tree is nested deeper than the protobuf decoder accepts).
type DecodeError struct{ Err error }

func (e *DecodeError) Error() string { return "decoding the parse tree: " + e.Err.Error() }

func (e *DecodeError) Unwrap() error { return e.Err }

var (
	poolMu sync.Mutex
	idle   []*instance

	instantiated atomic.Int64
	discarded    atomic.Int64
	retired      atomic.Int64
)

// Counters reports how many instances were created and how many were
// discarded after a crash, for tests and diagnostics.
func Counters() (created, crashed int64) { return instantiated.Load(), discarded.Load() }

func acquire() (*instance, error) {
	poolMu.Lock()
	if n := len(idle); n > 0 {
		in := idle[n-1]
		idle = idle[:n-1]
		poolMu.Unlock()
		return in, nil
	}
	poolMu.Unlock()
	c, err := module()
	if err != nil {
		return nil, err
	}
	in, err := newInstance(c)
	if err != nil {
		return nil, err
	}
	instantiated.Add(1)
	return in, nil
}

// release pools in, keeping at most GOMAXPROCS idle instances: more can
// never run at once.
func release(in *instance) {
	if !in.reusable() {
		retired.Add(1)
		in.close()
		return
	}
	poolMu.Lock()
	if len(idle) < goruntime.GOMAXPROCS(0) {
		idle = append(idle, in)
		in = nil
	}
	poolMu.Unlock()
	if in != nil {
		in.close()
	}
}

// Parse parses sql with PostgreSQL's grammar. It returns *Error for what
// the parser rejects, *CrashError when the parser failed (the caller can
// go on: the failed instance is gone), and *DecodeError when the tree is
// too deep to decode. Parse is safe for concurrent use.
func Parse(sql string) (*pg.ParseResult, error) {
	in, err := acquire()
	if err != nil {
		return nil, err
	}
	tree, perr, crash := in.parseProtobuf(sql)
	if crash != nil {
		discarded.Add(1)
		in.close()
		return nil, &CrashError{Reason: trapReason(crash)}
	}
	release(in)
	if perr != nil {
		return nil, perr
	}
	var out pg.ParseResult
	if err := proto.Unmarshal(tree, &out); err != nil {
		return nil, &DecodeError{Err: err}
	}
	return &out, nil
}

// trapReason keeps the first line of a wazero error ("wasm error: stack
// overflow" followed by a WebAssembly stack trace).
func trapReason(err error) string {
	s := fmt.Sprint(err)
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			s = s[:i]
			break
		}
	}
	const prefix = "wasm error: "
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		s = s[len(prefix):]
	}
	return s
}
