package physical

import (
	"strings"

	"github.com/tpgen/tpgen/runtime/plan"
)

// Explain renders p as an indented tree, one operator per line (its
// String()), children two spaces deeper than their parent:
//
//	ProjectionExec: expr=[a, sum(b)]
//	  FilterExec: a > 1
//	    MemoryExec: partitions=8, ...
func Explain(p plan.ExecutionPlan) string {
	var b strings.Builder
	explainTo(&b, p, 0, func(n plan.ExecutionPlan) string { return n.String() })
	return b.String()
}

func explainTo(b *strings.Builder, p plan.ExecutionPlan, depth int, line func(plan.ExecutionPlan) string) {
	if p == nil {
		return
	}
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString(line(p))
	b.WriteByte('\n')
	for _, c := range p.Children() {
		explainTo(b, c, depth+1, line)
	}
}
