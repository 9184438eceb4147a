package source

import "github.com/tpgen/tpgen/runtime/domain"

// Null is the value of a nullable column: V when Valid, NULL otherwise. It
// mirrors database/sql.Null so a source fills rows without allocating a
// pointer per value.
type Null[T any] struct {
	V     T
	Valid bool
}

// Some returns the non-NULL value v.
func Some[T any](v T) Null[T] { return Null[T]{V: v, Valid: true} }

// In reports whether n lies in d: a value when d contains it, NULL when d
// allows NULL. It is how a source applies a filter on a nullable column:
//
//	if !r.Note.In(scan.Filters.Note) { continue }
func (n Null[T]) In(d domain.Domain[T]) bool {
	if !n.Valid {
		return d.NullAllowed()
	}
	return d.Contains(n.V)
}
