// Package source is the support library of tpgen-generated table providers.
//
// Generated code (the NAME_provider.gen.go, NAME_plan.gen.go and
// NAME_stream.gen.go files tpgen writes) stays short and readable because
// everything that does not depend on the table's row type lives here:
//
//   - which filters a table can take (Capabilities.Supports) and the typed
//     domain of each pushable column (DomainOf), so a user's source reads
//     scan.Filters.Region.Values() instead of walking expressions;
//   - partition pruning by key, range and min/max statistics (KeyIn,
//     RangeOverlaps, MinMax.Overlaps);
//   - the plan's properties under projection and its EXPLAIN line
//     (Properties, Explain);
//   - the stream: the source's Read run as a coroutine of the consumer (or
//     on its own goroutine with a bounded read-ahead channel), cancellation,
//     and errors naming table and partition (Stream);
//   - batching: the Batcher a generated Writer appends to, which cuts Arrow
//     record batches of the configured size and stops at the scan's limit.
//
// Users meet this package for three names: Null (nullable column values),
// MinMax (optional partition statistics) and ErrStop (returned by a Writer
// once the scan needs no more rows).
package source
