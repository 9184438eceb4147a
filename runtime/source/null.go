package source

// Null is the value of a nullable column: V when Valid, NULL otherwise. It
// mirrors database/sql.Null so a source fills rows without allocating a
// pointer per value.
type Null[T any] struct {
	V     T
	Valid bool
}

// Some returns the non-NULL value v.
func Some[T any](v T) Null[T] { return Null[T]{V: v, Valid: true} }
