package runtime

import (
	"container/list"
	"sync"

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
	hits     int64
	misses   int64
}

type cacheEntry struct {
	text string
	stmt *sql.Statement
}

func newStmtCache(capacity int) *stmtCache {
	return &stmtCache{capacity: capacity, order: list.New(), byText: map[string]*list.Element{}}
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
		el.Value.(*cacheEntry).stmt = stmt
		c.order.MoveToFront(el)
		return
	}
	c.byText[text] = c.order.PushFront(&cacheEntry{text: text, stmt: stmt})
	for c.order.Len() > c.capacity {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byText, last.Value.(*cacheEntry).text)
	}
}

// clear drops every entry and starts a new generation.
func (c *stmtCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.order.Init()
	clear(c.byText)
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
