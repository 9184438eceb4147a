package physical

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// joinSpec is what the hash join and the nested-loop join share: the
// join's type, which input is the build side (collected in memory) and
// which the probe side (streamed), the output schema and the residual
// filter.
type joinSpec struct {
	op        string
	joinType  plan.JoinType
	buildLeft bool
	left      *arrow.Schema
	right     *arrow.Schema
	schema    *arrow.Schema // the output, before proj
	combined  *arrow.Schema // left then right columns: what filter reads
	filter    expr.Expr
	sel       selector // filter compiled over combined; nil without filter
	// proj lists the columns of schema the join outputs (nil: all), so
	// that build columns nobody reads are never gathered; out is the
	// schema of what it outputs, cols where each column comes from.
	proj []int
	out  *arrow.Schema
	cols []joinColumn
	// full is where each column of a filtered record (recordSchema)
	// comes from.
	full []joinColumn
}

// joinColumn is an output column: column idx of the build or probe side.
type joinColumn struct {
	build bool
	idx   int
}

// column returns where column i of the left-then-right layout comes from.
func (s *joinSpec) column(i int) joinColumn {
	if i < s.left.NumFields() {
		return joinColumn{build: s.buildLeft, idx: i}
	}
	return joinColumn{build: !s.buildLeft, idx: i - s.left.NumFields()}
}

// project makes the join output only the columns proj of its schema
// (nil: all of them).
func (s *joinSpec) project(proj []int) error {
	s.proj, s.out, s.cols = nil, s.schema, nil
	n := s.schema.NumFields()
	if proj != nil {
		fields := make([]arrow.Field, len(proj))
		for j, i := range proj {
			if i < 0 || i >= n {
				return fmt.Errorf("%s: projection of column %d of %d", s.op, i, n)
			}
			fields[j] = s.schema.Field(i)
		}
		s.proj = append([]int(nil), proj...)
		s.out = arrow.NewSchema(fields, nil)
	}
	for j := range s.out.NumFields() {
		i := j
		if s.proj != nil {
			i = s.proj[j]
		}
		s.cols = append(s.cols, s.column(i))
	}
	s.full = nil
	for i := range s.recordSchema().NumFields() {
		s.full = append(s.full, s.column(i))
	}
	return nil
}

// recordSchema is the layout of a record the filter reads: every column
// of both sides for a semi or anti join, the output's otherwise.
func (s *joinSpec) recordSchema() *arrow.Schema {
	if s.semiLike() {
		return s.combined
	}
	return s.schema
}

// projectionString renders the projection for EXPLAIN ("" without one).
func (s *joinSpec) projectionString() string {
	if s.proj == nil {
		return ""
	}
	return ", projection=[" + fieldNames(s.out) + "]"
}

func newJoinSpec(op string, joinType plan.JoinType, left, right *arrow.Schema, filter expr.Expr, buildLeft bool) (*joinSpec, error) {
	switch joinType {
	case plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin:
	case plan.LeftSemiJoin, plan.LeftAntiJoin, plan.LeftAntiNullAwareJoin, plan.LeftSingleJoin:
		if buildLeft {
			return nil, fmt.Errorf("%s: a %s join builds on its right input", op, joinType)
		}
	default:
		return nil, fmt.Errorf("%s: unknown join type %d", op, int(joinType))
	}
	seen := map[string]bool{}
	var fields []arrow.Field
	for _, f := range left.Fields() {
		seen[f.Name] = true
		fields = append(fields, f)
	}
	for _, f := range right.Fields() {
		if seen[f.Name] {
			return nil, fmt.Errorf("%s: both inputs have a column named %q", op, f.Name)
		}
		fields = append(fields, f)
	}
	combined := arrow.NewSchema(fields, nil)
	s := &joinSpec{op: op, joinType: joinType, buildLeft: buildLeft, left: left, right: right, combined: combined, filter: filter}
	out := make([]arrow.Field, 0, len(fields))
	for i, f := range fields {
		isLeft := i < left.NumFields()
		if !isLeft && !joinType.OutputsRight() {
			break
		}
		if (isLeft && joinType.PreservesRight()) || (!isLeft && joinType.PreservesLeft()) {
			f.Nullable = true
		}
		out = append(out, f)
	}
	s.schema = arrow.NewSchema(out, nil)
	if err := s.project(nil); err != nil {
		return nil, err
	}
	if filter != nil {
		if joinType == plan.LeftAntiNullAwareJoin || joinType == plan.LeftSingleJoin {
			return nil, fmt.Errorf("%s: a %s join takes no filter", op, joinType)
		}
		sel, err := compileSelector(filter, combined)
		if err != nil {
			return nil, fmt.Errorf("%s: filter: %w", op, err)
		}
		s.sel = sel
	}
	return s, nil
}

// probePreserved reports whether probe rows without a match are output.
func (s *joinSpec) probePreserved() bool {
	if s.buildLeft {
		return s.joinType.PreservesRight()
	}
	return s.joinType.PreservesLeft()
}

// buildPreserved reports whether build rows without a match are output.
func (s *joinSpec) buildPreserved() bool {
	if s.buildLeft {
		return s.joinType.PreservesLeft()
	}
	return s.joinType.PreservesRight()
}

// semiLike reports whether the output is probe rows only, each once.
func (s *joinSpec) semiLike() bool { return !s.joinType.OutputsRight() }

// filterString renders the filter for EXPLAIN ("" without one).
func (s *joinSpec) filterString() string {
	if s.filter == nil {
		return ""
	}
	return ", filter=" + s.filter.String()
}

// joinProber produces a join's output for the batches of one probe
// partition against a collected build side. For each probe batch it
// finds the candidate build rows of every probe row (by key for a hash
// join, all of them for a nested-loop join), keeps the pairs the filter
// accepts, and outputs them in batches of at most BatchSize rows; then
// the unmatched probe rows when the probe side is preserved. After the
// last probe batch it outputs the unmatched build rows when the build
// side is preserved.
type joinProber struct {
	spec      *joinSpec
	build     *joinBuild
	mem       memory.Allocator
	batchSize int
	nested    bool // nested-loop: every build row is a candidate
	// visited marks the build rows that matched, when the build side is
	// preserved (then this prober is the build side's only user).
	visited []bool

	cur     plan.Batch // the probe batch being joined; Record nil when none
	first   []int32    // per selected row of cur: first candidate build row, -1 none
	matched []bool     // per record row of cur: has a match
	pos     int        // generic path: the selected row being expanded
	chain   int32      // generic path: its next candidate build row
	keys    keyBatch
	idx     []int32 // aligned path: the build row of each probe record row

	finishing bool
	unmatched []int32 // build rows to output at the end
}

func newJoinProber(spec *joinSpec, build *joinBuild, task *plan.TaskContext, nested bool) *joinProber {
	p := &joinProber{spec: spec, build: build, mem: task.Allocator, batchSize: task.BatchSize, nested: nested}
	if spec.buildPreserved() {
		p.visited = make([]bool, build.n)
	}
	return p
}

func (p *joinProber) release() {
	p.cur.Release()
	p.cur = plan.Batch{}
	p.keys.release()
}

// aligned reports whether every probe row has at most one candidate, so
// build columns can be gathered aligned with the probe record and the
// probe columns reused as they are.
func (p *joinProber) aligned() bool {
	if p.nested {
		return p.spec.joinType == plan.LeftSingleJoin
	}
	return p.build.table.unique
}

// start takes b (owned) as the current probe batch; keys are evaluated by
// evals for a hash join (nil for a nested-loop join).
func (p *joinProber) start(b plan.Batch, evals []evaluator, intKey bool) error {
	p.cur = b
	n := b.NumRows()
	if cap(p.first) < n {
		p.first = make([]int32, n)
	}
	p.first = p.first[:n]
	rows := int(b.Record.NumRows())
	if cap(p.matched) < rows {
		p.matched = make([]bool, rows)
	}
	p.matched = p.matched[:rows]
	clear(p.matched)
	p.pos, p.chain = 0, -1
	switch {
	case p.nested && p.spec.joinType == plan.LeftSingleJoin:
		if p.build.n > 1 {
			return fmt.Errorf("more than one row returned by a subquery used as an expression")
		}
		for i := range p.first {
			p.first[i] = int32(p.build.n) - 1 // 0, or -1 when empty
		}
	case p.nested:
		for i := range p.first {
			p.first[i] = 0
			if p.build.n == 0 {
				p.first[i] = -1
			}
		}
	default:
		if err := evalKeys(&p.keys, evals, p.mem, b, intKey); err != nil {
			return err
		}
		p.build.table.lookup(&p.keys, p.first)
	}
	return nil
}

// next returns the next output batch of the current probe batch; done is
// true (and the batch released) once it has no more.
func (p *joinProber) next() (out plan.Batch, done bool, err error) {
	if p.aligned() || (p.spec.semiLike() && p.spec.sel == nil) {
		out, err = p.joinAligned()
		p.release()
		return out, true, err
	}
	for p.pos < len(p.first) {
		pi, bi := p.pairs()
		if len(pi) == 0 {
			break
		}
		out, err := p.joinPairs(pi, bi)
		if err != nil || out.Record != nil {
			return out, false, err
		}
	}
	out, err = p.probeRest()
	p.release()
	return out, true, err
}

// pairs collects up to batchSize candidate pairs from where the last call
// stopped: record rows of the probe batch and build rows.
func (p *joinProber) pairs() ([]int32, []int32) {
	pi := make([]int32, 0, p.batchSize)
	bi := make([]int32, 0, p.batchSize)
	var next []int32
	if !p.nested {
		next = p.build.table.next
	}
	for p.pos < len(p.first) && len(pi) < p.batchSize {
		if p.chain < 0 {
			p.chain = p.first[p.pos]
			if p.chain < 0 {
				p.pos++
				continue
			}
		}
		row := int32(rowOf(p.cur.Sel, p.pos))
		for p.chain >= 0 && len(pi) < p.batchSize {
			pi = append(pi, row)
			bi = append(bi, p.chain)
			if p.nested {
				p.chain++
				if int(p.chain) >= p.build.n {
					p.chain = -1
				}
			} else {
				p.chain = next[p.chain]
			}
		}
		if p.chain < 0 {
			p.pos++
		}
	}
	return pi, bi
}

// joinPairs filters one chunk of pairs and marks what matched; it returns
// the pairs to output (Record nil when none are output).
func (p *joinProber) joinPairs(pi, bi []int32) (plan.Batch, error) {
	if p.spec.sel == nil {
		for k := range pi {
			p.mark(pi[k], bi[k])
		}
		if p.spec.semiLike() {
			return plan.Batch{}, nil
		}
		rec, err := p.pairRecord(pi, bi, p.spec.out, p.spec.cols)
		return plan.Batch{Record: rec}, err
	}
	rec, err := p.pairRecord(pi, bi, p.spec.recordSchema(), p.spec.full)
	if err != nil {
		return plan.Batch{}, err
	}
	kept, err := p.spec.sel.selectRows(p.mem, plan.Batch{Record: rec}, make([]int32, 0, len(pi)))
	if err != nil {
		rec.Release()
		return plan.Batch{}, err
	}
	for _, k := range kept {
		p.mark(pi[k], bi[k])
	}
	if p.spec.semiLike() || len(kept) == 0 {
		rec.Release()
		return plan.Batch{}, nil
	}
	return plan.Batch{Record: p.project(rec), Sel: kept}, nil
}

func (p *joinProber) mark(probeRow, buildRow int32) {
	p.matched[probeRow] = true
	if p.visited != nil {
		p.visited[buildRow] = true
	}
}

// probeRest outputs what the current probe batch yields besides pairs:
// its unmatched rows for a preserved probe side, its matched (semi) or
// unmatched (anti) rows for a semi or anti join.
func (p *joinProber) probeRest() (plan.Batch, error) {
	switch {
	case p.spec.joinType == plan.LeftSemiJoin:
		return p.probeRows(true)
	case p.spec.semiLike():
		return p.probeRows(false)
	case p.spec.probePreserved():
		un := p.selectedWhere(false)
		if len(un) == 0 {
			return plan.Batch{}, nil
		}
		rec, err := p.withNullBuild()
		if err != nil {
			return plan.Batch{}, err
		}
		return plan.Batch{Record: rec, Sel: un}, nil
	}
	return plan.Batch{}, nil
}

// probeRows outputs the current batch's selected rows whose matched flag
// is want, reusing the record's columns.
func (p *joinProber) probeRows(want bool) (plan.Batch, error) {
	sel := p.selectedWhere(want)
	if len(sel) == 0 {
		return plan.Batch{}, nil
	}
	if p.spec.proj == nil {
		p.cur.Record.Retain()
		return plan.Batch{Record: p.cur.Record, Sel: sel}, nil
	}
	rec, err := p.assemble(p.spec.out, p.spec.cols, int(p.cur.Record.NumRows()), p.probeColumn, nil)
	return plan.Batch{Record: rec, Sel: sel}, err
}

func (p *joinProber) selectedWhere(want bool) []int32 {
	n := p.cur.NumRows()
	out := make([]int32, 0, n)
	for i := range n {
		r := rowOf(p.cur.Sel, i)
		if p.matched[r] == want {
			out = append(out, int32(r))
		}
	}
	return out
}

// joinAligned joins the current batch when each probe row has at most one
// candidate: build columns are gathered aligned with the probe record
// (the NULL row where there is none and the probe side is preserved), the
// probe columns are reused, and the output is that record with a
// selection (none when every row of an unselected batch matched).
func (p *joinProber) joinAligned() (plan.Batch, error) {
	n := p.cur.NumRows()
	cand := make([]int32, 0, n)
	if p.cur.Sel == nil {
		for i, f := range p.first[:n] {
			if f >= 0 {
				cand = append(cand, int32(i))
			}
		}
	} else {
		for i, f := range p.first[:n] {
			if f >= 0 {
				cand = append(cand, p.cur.Sel[i])
			}
		}
	}
	if p.spec.joinType == plan.LeftAntiNullAwareJoin {
		return p.notIn(cand)
	}
	if p.spec.semiLike() && p.spec.sel == nil {
		for _, r := range cand {
			p.matched[r] = true
		}
		return p.probeRest()
	}
	preserved := p.spec.probePreserved()
	if len(cand) == 0 && !preserved && !p.spec.semiLike() {
		return plan.Batch{}, nil
	}
	rows := int(p.cur.Record.NumRows())
	p.idx = sized(p.idx, rows)
	idx := p.idx
	// A row without a candidate gathers the NULL row only when it is
	// output; otherwise row 0 does (it is not selected), and columns
	// without NULLs need no validity.
	null := int32(p.build.n)
	fill := null
	if !preserved && p.build.n > 0 {
		fill = 0
	}
	if p.cur.Sel == nil {
		for i, f := range p.first[:n] {
			if f < 0 {
				f = fill
			}
			idx[i] = f
		}
	} else {
		for i := range idx {
			idx[i] = fill
		}
		for i, f := range p.first[:n] {
			if f >= 0 {
				idx[p.cur.Sel[i]] = f
			}
		}
	}
	nulls := preserved || fill == null
	if p.spec.sel == nil {
		rec, err := p.alignedRecord(idx, nulls, p.spec.out, p.spec.cols)
		if err != nil {
			return plan.Batch{}, err
		}
		if p.visited != nil {
			for _, r := range cand {
				p.visited[idx[r]] = true
			}
		}
		if preserved {
			return plan.Batch{Record: rec, Sel: p.selCopy()}, nil
		}
		if p.cur.Sel == nil && len(cand) == rows {
			return plan.Batch{Record: rec}, nil
		}
		return plan.Batch{Record: rec, Sel: cand}, nil
	}
	rec, err := p.alignedRecord(idx, nulls, p.spec.recordSchema(), p.spec.full)
	if err != nil {
		return plan.Batch{}, err
	}
	kept := cand
	if len(cand) > 0 {
		if kept, err = p.spec.sel.selectRows(p.mem, plan.Batch{Record: rec, Sel: cand}, make([]int32, 0, len(cand))); err != nil {
			rec.Release()
			return plan.Batch{}, err
		}
	}
	for _, r := range kept {
		p.mark(r, idx[r])
	}
	switch {
	case p.spec.semiLike():
		rec.Release()
		return p.probeRest()
	case preserved:
		if len(kept) < len(cand) {
			// Rows the filter rejected are unmatched: NULL build columns.
			rec.Release()
			for _, r := range cand {
				if !p.matched[r] {
					idx[r] = null
				}
			}
			if rec, err = p.alignedRecord(idx, true, p.spec.out, p.spec.cols); err != nil {
				return plan.Batch{}, err
			}
			return plan.Batch{Record: rec, Sel: p.selCopy()}, nil
		}
		return plan.Batch{Record: p.project(rec), Sel: p.selCopy()}, nil
	}
	if len(kept) == 0 {
		rec.Release()
		return plan.Batch{}, nil
	}
	return plan.Batch{Record: p.project(rec), Sel: kept}, nil
}

// selCopy is the current batch's selection for an output batch (which
// must not share it with the input's producer).
func (p *joinProber) selCopy() []int32 {
	if p.cur.Sel == nil {
		return nil
	}
	return append([]int32(nil), p.cur.Sel...)
}

// notIn outputs the rows for which `key NOT IN (build keys)` is TRUE:
// every row when the build side is empty; none when it holds a NULL key;
// otherwise rows with a non-NULL key and no match.
func (p *joinProber) notIn(cand []int32) (plan.Batch, error) {
	switch {
	case p.build.n == 0:
		for i := range p.cur.NumRows() {
			p.matched[rowOf(p.cur.Sel, i)] = false
		}
	case p.build.table.nullKeys > 0:
		return plan.Batch{}, nil
	default:
		for i := range p.cur.NumRows() {
			if p.keys.null[i] {
				p.matched[rowOf(p.cur.Sel, i)] = true // NULL NOT IN (...) is NULL
			}
		}
		for _, r := range cand {
			p.matched[r] = true
		}
	}
	return p.probeRows(false)
}

// assemble makes a record of rows rows with schema and the columns cols
// says, each taken from probe or build (which return a new reference).
func (p *joinProber) assemble(schema *arrow.Schema, cols []joinColumn, rows int, probe, build func(int) (arrow.Array, error)) (arrow.RecordBatch, error) {
	arrs := make([]arrow.Array, len(cols))
	defer releaseArrays(arrs)
	for j, c := range cols {
		var err error
		if c.build {
			arrs[j], err = build(c.idx)
		} else {
			arrs[j], err = probe(c.idx)
		}
		if err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(schema, arrs, int64(rows)), nil
}

// project turns a record of the filter's layout (owned) into one of the
// output's columns.
func (p *joinProber) project(rec arrow.RecordBatch) arrow.RecordBatch {
	if p.spec.proj == nil {
		return rec
	}
	defer rec.Release()
	arrs := make([]arrow.Array, len(p.spec.proj))
	for j, i := range p.spec.proj {
		arrs[j] = rec.Column(i)
	}
	return array.NewRecordBatch(p.spec.out, arrs, rec.NumRows())
}

// probeColumn is column i of the current probe record, as it is.
func (p *joinProber) probeColumn(i int) (arrow.Array, error) {
	c := p.cur.Record.Column(i)
	c.Retain()
	return c, nil
}

// alignedRecord is the probe record's columns plus the build columns
// gathered by idx (one build row per probe record row); nulls says idx
// may pick the NULL row.
func (p *joinProber) alignedRecord(idx []int32, nulls bool, schema *arrow.Schema, cols []joinColumn) (arrow.RecordBatch, error) {
	return p.assemble(schema, cols, len(idx), p.probeColumn, func(i int) (arrow.Array, error) {
		return takeRows(p.mem, p.build.rec.Column(i), idx, nulls || p.build.nulls[i])
	})
}

// pairRecord gathers one output row per pair.
func (p *joinProber) pairRecord(pi, bi []int32, schema *arrow.Schema, cols []joinColumn) (arrow.RecordBatch, error) {
	return p.assemble(schema, cols, len(pi), func(i int) (arrow.Array, error) {
		return takeArray(p.mem, p.cur.Record.Column(i), pi)
	}, p.buildRows(bi))
}

// buildRows gathers build rows idx (never the NULL row) of a column.
func (p *joinProber) buildRows(idx []int32) func(int) (arrow.Array, error) {
	return func(i int) (arrow.Array, error) {
		return takeRows(p.mem, p.build.rec.Column(i), idx, p.build.nulls[i])
	}
}

// withNullBuild is the current probe record with all-NULL build columns.
func (p *joinProber) withNullBuild() (arrow.RecordBatch, error) {
	rows := int(p.cur.Record.NumRows())
	return p.assemble(p.spec.out, p.spec.cols, rows, p.probeColumn, func(i int) (arrow.Array, error) {
		return array.MakeArrayOfNull(p.mem, p.build.rec.Schema().Field(i).Type, rows), nil
	})
}

// finish returns the next batch of unmatched build rows once the probe
// side is exhausted (a preserved build side); Record nil at the end.
func (p *joinProber) finish(probeSchema *arrow.Schema) (plan.Batch, error) {
	if p.visited == nil {
		return plan.Batch{}, nil
	}
	if !p.finishing {
		p.finishing = true
		for i, v := range p.visited {
			if !v {
				p.unmatched = append(p.unmatched, int32(i))
			}
		}
	}
	if len(p.unmatched) == 0 {
		return plan.Batch{}, nil
	}
	chunk := p.unmatched[:min(p.batchSize, len(p.unmatched))]
	p.unmatched = p.unmatched[len(chunk):]
	rec, err := p.assemble(p.spec.out, p.spec.cols, len(chunk), func(i int) (arrow.Array, error) {
		return array.MakeArrayOfNull(p.mem, probeSchema.Field(i).Type, len(chunk)), nil
	}, p.buildRows(chunk))
	return plan.Batch{Record: rec}, err
}

func nullColumns(mem memory.Allocator, schema *arrow.Schema, n int) []arrow.Array {
	out := make([]arrow.Array, schema.NumFields())
	for i, f := range schema.Fields() {
		out[i] = array.MakeArrayOfNull(mem, f.Type, n)
	}
	return out
}

func releaseArrays(as []arrow.Array) {
	for _, a := range as {
		if a != nil {
			a.Release()
		}
	}
}

// probeLoop is the probe half both join streams share: it feeds the probe
// side's batches through the prober, one output batch at a time, and once
// the probe side ends emits what the prober kept back (unmatched build
// rows of outer joins).
type probeLoop struct {
	ctx      context.Context
	probe    plan.RecordStream
	prober   *joinProber
	probeEOF bool
	inBatch  bool
	state    sticky
}

// next returns the join's next batch. skipProbe says the probe side need
// not be read (nothing can match); start hands a probe batch to the
// prober; fail locates an error in the calling operator.
func (l *probeLoop) next(probeSchema *arrow.Schema, skipProbe bool, start func(plan.Batch) error, fail func(error) (plan.Batch, error)) (plan.Batch, error) {
	for {
		if err := l.ctx.Err(); err != nil {
			return fail(err)
		}
		if l.inBatch {
			out, done, err := l.prober.next()
			if err != nil {
				return fail(err)
			}
			l.inBatch = !done
			if out.Record != nil {
				return out, nil
			}
			continue
		}
		if l.probeEOF {
			out, err := l.prober.finish(probeSchema)
			if err != nil {
				return fail(err)
			}
			if out.Record == nil {
				return plan.Batch{}, l.state.set(io.EOF)
			}
			return out, nil
		}
		if skipProbe {
			l.probeEOF = true
			continue
		}
		b, err := l.probe.Next()
		if isEOF(err) {
			l.probeEOF = true
			continue
		}
		if err != nil {
			return plan.Batch{}, l.state.set(err)
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		if err := start(b); err != nil {
			l.prober.release()
			return fail(err)
		}
		l.inBatch = true
	}
}
