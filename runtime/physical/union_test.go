package physical

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime/plan"
)

func TestUnionConcatenatesPartitions(t *testing.T) {
	mem := checked(t)
	left := numbers(t, mem, 10, 3)
	rs := schemaOf("x", i64, "y", i64) // other names, same types
	right := newLeaf(rs,
		[]plan.Batch{{Record: rec(rs, col(mem, i64, 100, 101, 102), col(mem, i64, nil, 1, 2)), Sel: []int32{0, 2}}},
		nil)
	t.Cleanup(right.release)
	u, err := NewUnion(left, right)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Properties().Partitions; got != 5 {
		t.Errorf("partitions = %d, want 5", got)
	}
	if got := u.String(); got != "UnionExec: partitions=3+2" {
		t.Errorf("String() = %q", got)
	}
	if got := u.Schema().Field(0).Name; got != "a" {
		t.Errorf("union takes the first input's names, got %q", got)
	}
	for _, par := range []int{1, 4} {
		recs, err := Collect(context.Background(), u, &plan.TaskContext{Allocator: mem, Parallelism: par})
		if err != nil {
			t.Fatal(err)
		}
		got := rows(recs)
		for _, r := range recs {
			if !r.Schema().Equal(u.Schema()) {
				t.Errorf("batch schema %s, want the union's", r.Schema())
			}
		}
		release(recs)
		slices.Sort(got)
		if len(got) != 12 || !slices.Contains(got, "100,NULL") || !slices.Contains(got, "102,2") || slices.Contains(got, "101,1") {
			t.Errorf("parallelism %d: rows %v", par, got)
		}
	}
	if _, err := u.Execute(context.Background(), 5, &plan.TaskContext{Allocator: mem}); err == nil {
		t.Error("partition 5 of 5 should fail")
	}
}

func TestUnionChecksInputs(t *testing.T) {
	mem := checked(t)
	a := numbers(t, mem, 4, 1)
	one := newLeaf(schemaOf("a", i64))
	str := newLeaf(schemaOf("a", i64, "b", str))
	if _, err := NewUnion(a, one); err == nil || !strings.Contains(err.Error(), "1 columns") {
		t.Errorf("column count: %v", err)
	}
	if _, err := NewUnion(a, str); err == nil || !strings.Contains(err.Error(), "column 2 of input 1") {
		t.Errorf("column type: %v", err)
	}
}

func TestUnionKeepsCommonOrdering(t *testing.T) {
	mem := checked(t)
	a, b := numbers(t, mem, 4, 2), numbers(t, mem, 4, 1)
	asc := []plan.SortKey{{Column: "a"}}
	a.props.Ordering, b.props.Ordering = asc, asc
	u, err := NewUnion(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Properties().Ordering; !slices.Equal(got, asc) {
		t.Errorf("ordering %v, want %v", got, asc)
	}
	b.props.Ordering = nil
	if got := u.Properties().Ordering; got != nil {
		t.Errorf("ordering %v, want none", got)
	}
}

func TestRepeatRowsByCount(t *testing.T) {
	mem := checked(t)
	s := schemaOf("v", str, "n", i64)
	leaf := newLeaf(s,
		[]plan.Batch{{Record: rec(s, col(mem, str, "a", "b", "c", "d"), col(mem, i64, 2, 0, nil, 3)), Sel: []int32{0, 1, 2}}},
		[]plan.Batch{{Record: rec(s, col(mem, str, "e", "f"), col(mem, i64, -1, 1))}},
	)
	t.Cleanup(leaf.release)
	r, err := NewRepeat(leaf, "n")
	if err != nil {
		t.Fatal(err)
	}
	if r.Schema().NumFields() != 1 || r.Schema().Field(0).Name != "v" {
		t.Errorf("schema %s, want just v", r.Schema())
	}
	got := collectRows(t, mem, r)
	slices.Sort(got)
	if want := []string{"a", "a", "f"}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if _, err := NewRepeat(leaf, "v"); err == nil {
		t.Error("a text count column should be refused")
	}
}
