// Package bench measures tpgen's engine against hand-written Go loops over
// the same Arrow arrays, on a 10M-row, 8-partition MemTable:
//
//	go test -run '^$' -bench . -benchtime 5x ./bench/
//
// Each benchmark has the sub-benchmarks handwritten, engine/parallelism=1
// and engine/parallelism=GOMAXPROCS; engine runs report x-handwritten, the
// ratio of their time per operation to the hand-written loop's.
package bench
