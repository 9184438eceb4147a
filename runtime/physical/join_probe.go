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
	schema    *arrow.Schema // the output
	combined  *arrow.Schema // left then right columns: what filter reads
	filter    expr.Expr
	sel       selector // filter compiled over combined; nil without filter
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
	rec, err := p.pairRecord(pi, bi)
	if err != nil {
		return plan.Batch{}, err
	}
	var kept []int32
	if p.spec.sel != nil {
		if kept, err = p.spec.sel.selectRows(p.mem, plan.Batch{Record: rec}, make([]int32, 0, len(pi))); err != nil {
			rec.Release()
			return plan.Batch{}, err
		}
		for _, k := range kept {
			p.mark(pi[k], bi[k])
		}
	} else {
		for k := range pi {
			p.mark(pi[k], bi[k])
		}
	}
	if p.spec.semiLike() || (kept != nil && len(kept) == 0) {
		rec.Release()
		return plan.Batch{}, nil
	}
	return plan.Batch{Record: rec, Sel: kept}, nil
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
		return p.probeRows(true), nil
	case p.spec.semiLike():
		return p.probeRows(false), nil
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
// is want, reusing the record.
func (p *joinProber) probeRows(want bool) plan.Batch {
	sel := p.selectedWhere(want)
	if len(sel) == 0 {
		return plan.Batch{}
	}
	p.cur.Record.Retain()
	return plan.Batch{Record: p.cur.Record, Sel: sel}
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
// (the NULL row where there is none), the probe columns are reused, and
// the output is that record with a selection.
func (p *joinProber) joinAligned() (plan.Batch, error) {
	n := p.cur.NumRows()
	cand := make([]int32, 0, n)
	for i := range n {
		if p.first[i] >= 0 {
			cand = append(cand, int32(rowOf(p.cur.Sel, i)))
		}
	}
	if p.spec.joinType == plan.LeftAntiNullAwareJoin {
		return p.notIn(cand), nil
	}
	if p.spec.semiLike() && p.spec.sel == nil {
		for _, r := range cand {
			p.matched[r] = true
		}
		return p.probeRest()
	}
	rows := int(p.cur.Record.NumRows())
	idx := make([]int32, rows)
	null := int32(p.build.n)
	for i := range idx {
		idx[i] = null
	}
	for i := range n {
		if f := p.first[i]; f >= 0 {
			idx[rowOf(p.cur.Sel, i)] = f
		}
	}
	rec, err := p.alignedRecord(idx)
	if err != nil {
		return plan.Batch{}, err
	}
	kept := cand
	if p.spec.sel != nil && len(cand) > 0 {
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
	case p.spec.probePreserved():
		if len(kept) < len(cand) {
			// Rows the filter rejected are unmatched: NULL build columns.
			rec.Release()
			for _, r := range cand {
				if !p.matched[r] {
					idx[r] = null
				}
			}
			if rec, err = p.alignedRecord(idx); err != nil {
				return plan.Batch{}, err
			}
		}
		if p.cur.Sel == nil {
			return plan.Batch{Record: rec}, nil
		}
		return plan.Batch{Record: rec, Sel: append([]int32(nil), p.cur.Sel...)}, nil
	}
	if len(kept) == 0 {
		rec.Release()
		return plan.Batch{}, nil
	}
	return plan.Batch{Record: rec, Sel: kept}, nil
}

// notIn outputs the rows for which `key NOT IN (build keys)` is TRUE:
// every row when the build side is empty; none when it holds a NULL key;
// otherwise rows with a non-NULL key and no match.
func (p *joinProber) notIn(cand []int32) plan.Batch {
	switch {
	case p.build.n == 0:
		for i := range p.cur.NumRows() {
			p.matched[rowOf(p.cur.Sel, i)] = false
		}
	case p.build.table.nullKeys > 0:
		return plan.Batch{}
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

// columns assembles output columns in left-then-right order from the probe
// and build sides' columns.
func (p *joinProber) columns(probe, build []arrow.Array) []arrow.Array {
	if p.spec.buildLeft {
		return append(append([]arrow.Array(nil), build...), probe...)
	}
	return append(append([]arrow.Array(nil), probe...), build...)
}

func (p *joinProber) recordSchema() *arrow.Schema {
	if p.spec.semiLike() {
		return p.spec.combined
	}
	return p.spec.schema
}

// alignedRecord is the probe record's columns plus the build columns
// gathered by idx (one build row per probe record row).
func (p *joinProber) alignedRecord(idx []int32) (arrow.RecordBatch, error) {
	build, err := gatherColumns(p.mem, p.build.rec, idx)
	if err != nil {
		return nil, err
	}
	defer releaseArrays(build)
	rec := array.NewRecordBatch(p.recordSchema(), p.columns(p.cur.Record.Columns(), build), int64(len(idx)))
	return rec, nil
}

// pairRecord gathers one output row per pair.
func (p *joinProber) pairRecord(pi, bi []int32) (arrow.RecordBatch, error) {
	probe, err := gatherColumns(p.mem, p.cur.Record, pi)
	if err != nil {
		return nil, err
	}
	defer releaseArrays(probe)
	build, err := gatherColumns(p.mem, p.build.rec, bi)
	if err != nil {
		return nil, err
	}
	defer releaseArrays(build)
	return array.NewRecordBatch(p.recordSchema(), p.columns(probe, build), int64(len(pi))), nil
}

// withNullBuild is the current probe record with all-NULL build columns.
func (p *joinProber) withNullBuild() (arrow.RecordBatch, error) {
	rows := int(p.cur.Record.NumRows())
	build := nullColumns(p.mem, p.build.rec.Schema(), rows)
	defer releaseArrays(build)
	return array.NewRecordBatch(p.spec.schema, p.columns(p.cur.Record.Columns(), build), int64(rows)), nil
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
	build, err := gatherColumns(p.mem, p.build.rec, chunk)
	if err != nil {
		return plan.Batch{}, err
	}
	defer releaseArrays(build)
	probe := nullColumns(p.mem, probeSchema, len(chunk))
	defer releaseArrays(probe)
	return plan.Batch{Record: array.NewRecordBatch(p.spec.schema, p.columns(probe, build), int64(len(chunk)))}, nil
}

// gatherColumns gathers rows idx of every column of rec.
func gatherColumns(mem memory.Allocator, rec arrow.RecordBatch, idx []int32) ([]arrow.Array, error) {
	out := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		t, err := takeArray(mem, c, idx)
		if err != nil {
			releaseArrays(out)
			return nil, err
		}
		out[i] = t
	}
	return out, nil
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
