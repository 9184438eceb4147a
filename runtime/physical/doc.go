// Package physical holds tpgen's physical operators (filter, projection,
// sort, top-N, merge, ordered concatenation of range partitions, coalesce,
// repartition, limit, hash aggregate), the executor that runs a plan
// (Collect, Stream) and EXPLAIN [ANALYZE].
//
// Every operator implements plan.ExecutionPlan and is modelled on
// DataFusion's physical-plan crate. Conventions shared by all of them:
//
//   - Batches may carry a selection vector (plan.Batch.Sel). Filters narrow
//     it instead of copying rows; every operator reads only selected rows.
//   - Operators that read several partitions do so on goroutines bounded by
//     TaskContext.Parallelism, hand batches over through bounded channels,
//     and stop every goroutine when the consumer closes the stream or the
//     context is cancelled.
//   - The first error cancels the rest of the query and is returned wrapped
//     in *plan.Error naming the operator and partition, unless it already
//     is one (the innermost location wins: a failing scan names its table).
//   - All Arrow memory comes from TaskContext.Allocator and every batch is
//     released exactly once.
package physical
