package runtime

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/planner"
	"github.com/tpgen/tpgen/runtime/sql"
	"github.com/tpgen/tpgen/runtime/verify"
)

// DefaultStatementCacheSize is how many parsed statements a Session keeps
// unless WithStatementCacheSize says otherwise.
const DefaultStatementCacheSize = 256

// Session holds registered tables and runs queries over them. It is safe
// for concurrent use: queries may run while tables are registered, and
// each query sees the tables as they were when it was parsed.
type Session struct {
	alloc       memory.Allocator
	parallelism int
	batchSize   int
	verify      bool
	limits      sql.Limits
	joinBudget  int64
	stopGrace   time.Duration

	mu      sync.RWMutex
	catalog *catalog // replaced, never mutated, so queries can hold it
	cache   *stmtCache
}

// Option configures a Session.
type Option func(*Session)

// WithAllocator makes the session allocate every Arrow buffer of its
// queries from a (tests pass memory.NewCheckedAllocator to prove nothing
// leaks). The default is memory.DefaultAllocator.
func WithAllocator(a memory.Allocator) Option {
	return func(s *Session) {
		if a != nil {
			s.alloc = a
		}
	}
}

// WithParallelism caps how many partitions run at once and sets how many
// partitions repartitioned stages (aggregation) use. The default is
// GOMAXPROCS; values below 1 keep it.
func WithParallelism(n int) Option {
	return func(s *Session) {
		if n > 0 {
			s.parallelism = n
		}
	}
}

// WithBatchSize sets the preferred number of rows per batch (default
// plan.DefaultBatchSize); values below 1 keep it.
func WithBatchSize(n int) Option {
	return func(s *Session) {
		if n > 0 {
			s.batchSize = n
		}
	}
}

// WithVerify wraps every provider registered afterwards in verify mode
// (see Verify), so queries fail with a precise error when a provider
// breaks a promise. Meant for tests of providers; it costs a pass over
// every row.
func WithVerify(on bool) Option { return func(s *Session) { s.verify = on } }

// WithJoinMemoryBudget caps the memory, in bytes, the build side of one
// join may hold (all its partitions together; the build side is the input
// a hash join keeps in a table, the smaller one when statistics tell). A
// query whose join needs more fails with an error naming the join and the
// budget instead of exhausting memory. The default is
// DefaultJoinMemoryBudget; a negative value removes the cap.
func WithJoinMemoryBudget(bytes int64) Option {
	return func(s *Session) {
		if bytes != 0 {
			s.joinBudget = bytes
		}
	}
}

// DefaultJoinMemoryBudget is the join memory budget of a Session without
// WithJoinMemoryBudget: 1 GiB.
const DefaultJoinMemoryBudget = physical.DefaultJoinMemoryBudget

// WithStatementCacheSize sets how many parsed statements the session
// keeps by SQL text (default DefaultStatementCacheSize); 0 disables the
// cache.
func WithStatementCacheSize(n int) Option {
	return func(s *Session) { s.cache = newStmtCache(max(n, 0)) }
}

// WithMaxStatementLength caps the length in bytes of the SQL text a
// statement may have (default sql.DefaultMaxStatementBytes, 1 MiB); longer
// statements are refused before they reach the parser. Values below 1
// keep the default.
func WithMaxStatementLength(n int) Option {
	return func(s *Session) {
		if n > 0 {
			s.limits.MaxStatementBytes = n
		}
	}
}

// WithMaxNestingDepth caps how deeply a statement's expressions may nest
// (default sql.DefaultMaxNestingDepth; see sql.NestingDepth for what
// counts). Deeper statements are refused, with the position, before they
// reach the parser, whose stack they could exhaust. Values below 1 keep
// the default.
func WithMaxNestingDepth(n int) Option {
	return func(s *Session) {
		if n > 0 {
			s.limits.MaxNestingDepth = n
		}
	}
}

// WithStopGrace sets how long a query whose context has ended waits for
// the sources and operators it runs to stop before it is abandoned
// (default DefaultStopGrace): Query then returns an *AbandonedError
// naming the calls into user code that had not returned. Values below 1
// keep the default.
func WithStopGrace(d time.Duration) Option {
	return func(s *Session) {
		if d > 0 {
			s.stopGrace = d
		}
	}
}

// NewSession returns a session with no tables. It starts the SQL parser's
// one-time start-up (about 1.5 s per process) in the background, so the
// first query usually finds it done.
func NewSession(opts ...Option) *Session {
	sql.WarmParser()
	s := &Session{
		alloc:       memory.DefaultAllocator,
		parallelism: goruntime.GOMAXPROCS(0),
		batchSize:   plan.DefaultBatchSize,
		catalog:     &catalog{tables: map[string]table{}},
		cache:       newStmtCache(DefaultStatementCacheSize),
		limits:      sql.DefaultLimits,
		stopGrace:   DefaultStopGrace,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Register makes p queryable as name. Names follow SQL identifier rules
// (a letter or underscore, then letters, digits or underscores; at most
// 63 bytes) and are case-insensitive, as unquoted SQL identifiers are:
// "Events", "events" and "EVENTS" are one table, and registering a name
// that is already taken is an error (Deregister it first). Registering
// drops the session's cached statements, which are bound to providers.
func (s *Session) Register(name string, p TableProvider) error {
	if err := validName(name); err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("register %q: nil provider", name)
	}
	if p.Schema() == nil {
		return fmt.Errorf("register %q: provider has no schema", name)
	}
	if s.verify {
		p = verify.Verify(p, name)
	}
	key := strings.ToLower(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.catalog.tables[key]; ok {
		return fmt.Errorf("register %q: table %q is already registered", name, t.name)
	}
	s.catalog = s.catalog.with(key, table{name: name, provider: p})
	s.cache.clear()
	return nil
}

// Deregister removes the table registered as name (case-insensitively)
// and reports whether there was one. Queries already running keep reading
// it.
func (s *Session) Deregister(name string) bool {
	key := strings.ToLower(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.catalog.tables[key]; !ok {
		return false
	}
	s.catalog = s.catalog.without(key)
	s.cache.clear()
	return true
}

// Tables returns the registered table names, as registered, sorted.
func (s *Session) Tables() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.catalog.TableNames()
}

func validName(name string) error {
	if name == "" {
		return errors.New("register: empty table name")
	}
	if len(name) > 63 {
		return fmt.Errorf("register %q: table names are at most 63 bytes", name)
	}
	for i, r := range name {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return fmt.Errorf("register %q: a table name is a letter or _ followed by letters, digits or _", name)
		}
	}
	return nil
}

func (s *Session) task() *plan.TaskContext {
	return &plan.TaskContext{Allocator: s.alloc, BatchSize: s.batchSize, Parallelism: s.parallelism}
}

func (s *Session) planOptions() planner.Options {
	return planner.Options{TargetPartitions: s.parallelism, JoinMemoryBudget: s.joinBudget}
}

// table is one registered provider.
type table struct {
	name     string // as registered
	provider TableProvider
}

// catalog is an immutable snapshot of the registered tables; it is what
// the SQL front end resolves names against.
type catalog struct {
	tables map[string]table // by lower-cased name
}

// Table implements sql.Catalog, case-insensitively.
func (c *catalog) Table(name string) (plan.TableProvider, bool) {
	t, ok := c.tables[strings.ToLower(name)]
	return t.provider, ok
}

// TableNames implements sql.Catalog.
func (c *catalog) TableNames() []string {
	out := make([]string, 0, len(c.tables))
	for _, t := range c.tables {
		out = append(out, t.name)
	}
	sort.Strings(out)
	return out
}

func (c *catalog) with(key string, t table) *catalog {
	n := &catalog{tables: make(map[string]table, len(c.tables)+1)}
	for k, v := range c.tables {
		n.tables[k] = v
	}
	n.tables[key] = t
	return n
}

func (c *catalog) without(key string) *catalog {
	n := &catalog{tables: make(map[string]table, len(c.tables))}
	for k, v := range c.tables {
		if k != key {
			n.tables[k] = v
		}
	}
	return n
}
