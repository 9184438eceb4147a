package logical

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Repeat outputs each input row as many times as its int64 column Count
// says (NULL or less than 1: not at all), without that column. The front
// end builds INTERSECT ALL and EXCEPT ALL with it.
type Repeat struct {
	Input Plan
	Count string
}

// Schema implements Plan.
func (r *Repeat) Schema() *arrow.Schema {
	var fields []arrow.Field
	for _, f := range r.Input.Schema().Fields() {
		if f.Name != r.Count {
			fields = append(fields, f)
		}
	}
	return arrow.NewSchema(fields, nil)
}

// Children implements Plan.
func (r *Repeat) Children() []Plan { return []Plan{r.Input} }

// String implements Plan.
func (r *Repeat) String() string { return "Repeat: count=" + r.Count }
