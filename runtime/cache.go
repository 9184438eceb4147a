package runtime

import (
	"container/list"
	"sync"

	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/planner"
	"github.com/tpgen/tpgen/runtime/sql"
)

// stmtCache is a bounded LRU of parsed statements by SQL text. Parsing
// with PostgreSQL's grammar costs ~100 us per statement, more than planning
// and often more than running a small query, so repeated queries skip it.
//
// Statements are bound to the providers registered when they were parsed,
// so registering or deregistering clears the cache and bumps gen; a parse
// that started before the change is then not inserted.
type stmtCache struct {
	mu       sync.Mutex
	capacity int
	gen      uint64
	order    *list.List // front = most recently used; values are *cacheEntry
	byText   map[string]*list.Element
	byStmt   map[*sql.Statement]*cacheEntry
	hits     int64
	misses   int64
}

type cacheEntry struct {
	text string
	stmt *sql.Statement
	// optimized is stmt.Plan after planner.Optimize, made on the first
	// run without arguments: the rewrite depends only on the plan and
	// the providers' declared capabilities, which a catalog change (that
	// clears the cache) is the only way to alter.
	optimized logical.Plan
}

func newStmtCache(capacity int) *stmtCache {
	return &stmtCache{capacity: capacity, order: list.New(), byText: map[string]*list.Element{}, byStmt: map[*sql.Statement]*cacheEntry{}}
}

// get returns the cached statement for text, counting a hit or a miss.
func (c *stmtCache) get(text string) (*sql.Statement, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byText[text]; ok {
		c.hits++
		c.order.MoveToFront(el)
		return el.Value.(*cacheEntry).stmt, true
	}
	c.misses++
	return nil, false
}

// put caches stmt unless the catalog changed since gen was read.
func (c *stmtCache) put(text string, stmt *sql.Statement, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.capacity == 0 || gen != c.gen {
		return
	}
	if el, ok := c.byText[text]; ok {
		e := el.Value.(*cacheEntry)
		delete(c.byStmt, e.stmt)
		e.stmt, e.optimized = stmt, nil
		c.byStmt[stmt] = e
		c.order.MoveToFront(el)
		return
	}
	e := &cacheEntry{text: text, stmt: stmt}
	c.byText[text] = c.order.PushFront(e)
	c.byStmt[stmt] = e
	for c.order.Len() > c.capacity {
		last := c.order.Back()
		c.order.Remove(last)
		old := last.Value.(*cacheEntry)
		delete(c.byText, old.text)
		delete(c.byStmt, old.stmt)
	}
}

// clear drops every entry and starts a new generation.
func (c *stmtCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.order.Init()
	clear(c.byText)
	clear(c.byStmt)
}

// optimized returns stmt's plan optimized, from the cache when stmt is
// cached: stmt.Plan is what a statement without arguments binds to.
func (c *stmtCache) optimized(stmt *sql.Statement) (logical.Plan, error) {
	c.mu.Lock()
	e := c.byStmt[stmt]
	var opt logical.Plan
	if e != nil {
		opt = e.optimized
	}
	c.mu.Unlock()
	if opt != nil {
		return opt, nil
	}
	opt, err := planner.Optimize(stmt.Plan)
	if err != nil || e == nil {
		return opt, err
	}
	c.mu.Lock()
	if c.byStmt[stmt] == e {
		e.optimized = opt
	}
	c.mu.Unlock()
	return opt, nil
}

func (c *stmtCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// CacheStats reports how the statement cache has served a session.
type CacheStats struct {
	Hits, Misses int64 // lookups answered from the cache, and not
	Entries      int   // statements cached now
}

// CacheStats returns the statement cache's counters.
func (s *Session) CacheStats() CacheStats {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits, Misses: c.misses, Entries: c.order.Len()}
}
