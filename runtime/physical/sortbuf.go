package physical

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// gatherRows builds one dense record of schema from the rows refs names
// in recs.
func gatherRows(mem memory.Allocator, schema *arrow.Schema, recs []arrow.RecordBatch, refs []rowRef) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	src := make([]arrow.Array, len(recs))
	for i := range cols {
		for j, r := range recs {
			src[j] = r.Column(i)
		}
		var err error
		if len(recs) == 0 {
			cols[i] = array.MakeArrayOfNull(mem, schema.Field(i).Type, 0)
			continue
		}
		if cols[i], err = interleave(mem, src, refs); err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(schema, cols, int64(len(refs))), nil
}

// releaseBatches releases every batch of bs.
func releaseBatches(bs []plan.Batch) {
	for _, b := range bs {
		b.Release()
	}
}

func recordsOf(bs []plan.Batch) []arrow.RecordBatch {
	out := make([]arrow.RecordBatch, len(bs))
	for i, b := range bs {
		out[i] = b.Record
	}
	return out
}
