package plan

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestProjectedSchemasAreShared(t *testing.T) {
	testSchema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	a, b := ProjectSchema(testSchema, []int{1}), ProjectSchema(testSchema, []int{1})
	if a != b || a.NumFields() != 1 || a.Field(0).Name != "v" {
		t.Errorf("projection [1]: %v and %v", a, b)
	}
	if both := ProjectSchema(testSchema, []int{1, 0}); both == a || both.Field(0).Name != "v" || both.Field(1).Name != "k" {
		t.Errorf("projection [1, 0]: %v", both)
	}
	other := arrow.NewSchema(testSchema.Fields(), nil)
	if ProjectSchema(other, []int{1}) == a {
		t.Error("two tables share a projected schema")
	}
	if n := testing.AllocsPerRun(100, func() { ProjectSchema(testSchema, []int{1}) }); n != 0 {
		t.Errorf("a cached projection allocates %v times", n)
	}
}
