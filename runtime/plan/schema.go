package plan

import (
	"encoding/binary"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// ProjectSchema returns the schema of the columns cols (indices, in
// output order) of table. Every scan of a table with the same projection
// has the same schema, and making one (a field list and a name index) was
// a tenth of planning a short query, so recent projections of each table
// are kept and shared: a schema is immutable.
func ProjectSchema(table *arrow.Schema, cols []int) *arrow.Schema {
	return projections.get(table, cols)
}

var projections = &projectionCache{byTable: map[*arrow.Schema]map[string]*arrow.Schema{}}

// projectionCacheSize bounds projectionCache; reaching it starts afresh.
const projectionCacheSize = 1024

// projectionCache maps a table and its projection, the column indices
// packed into a string of bytes, to the projected schema. Two levels, so
// that a lookup by the packed bytes allocates nothing.
type projectionCache struct {
	mu      sync.Mutex
	byTable map[*arrow.Schema]map[string]*arrow.Schema
	n       int
}

func (c *projectionCache) get(table *arrow.Schema, cols []int) *arrow.Schema {
	var buf [64]byte
	key := buf[:0]
	for _, col := range cols {
		key = binary.AppendUvarint(key, uint64(col))
	}
	c.mu.Lock()
	s, ok := c.byTable[table][string(key)]
	c.mu.Unlock()
	if ok {
		return s
	}
	fields := make([]arrow.Field, len(cols))
	for i, col := range cols {
		fields[i] = table.Field(col)
	}
	s = arrow.NewSchema(fields, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= projectionCacheSize {
		clear(c.byTable)
		c.n = 0
	}
	m := c.byTable[table]
	if m == nil {
		m = map[string]*arrow.Schema{}
		c.byTable[table] = m
	}
	if _, ok := m[string(key)]; !ok {
		m[string(key)] = s
		c.n++
	}
	return s
}
