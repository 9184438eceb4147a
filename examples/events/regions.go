package events

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/memtable"
)

// RegionsSchema is the schema of RegionsTable: one row per region.
var RegionsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "manager", Type: arrow.BinaryTypes.String},
	{Name: "country", Type: arrow.BinaryTypes.String},
}, nil)

// RegionsTable is a second table to join events with: the regions Synth
// generates (region-00, region-01, ...), one partition per region in the
// same order, declared key-partitioned on name. Joined on
// events.region = regions.name, the two are co-partitioned (partition i
// of each holds the same region), so the join runs partition by partition
// without repartitioning. Release it when done.
func RegionsTable(regions int) (*memtable.Table, error) {
	managers := []string{"ann", "bob", "cid"}
	countries := []string{"de", "fr", "jp", "us"}
	parts := make([][][]any, regions)
	for i := range parts {
		parts[i] = [][]any{{RegionName(i), managers[i%len(managers)], countries[i%len(countries)]}}
	}
	t, err := memtable.Build(memory.NewGoAllocator(), RegionsSchema, parts, memtable.WithKeyPartitioning("name"))
	if err != nil {
		return nil, fmt.Errorf("regions table: %w", err)
	}
	return t, nil
}
