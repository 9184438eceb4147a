package runtime

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// TableSchema returns the schema of the table registered as name
// (case-insensitively), for adapters that list tables to their clients.
func (s *Session) TableSchema(name string) (*arrow.Schema, bool) {
	s.mu.RLock()
	t, ok := s.catalog.tables[strings.ToLower(name)]
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return t.provider.Schema(), true
}
