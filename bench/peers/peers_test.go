package main

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/bench/peers/data"
)

// TestEnginesAgree checks every engine built in against the arrow loop on
// every query, on small tables (one whose rows do not divide evenly into
// partitions). Only tpgen's join may be unsupported (joins are being added
// to the engine); every other answer must be equal.
func TestEnginesAgree(t *testing.T) {
	ctx := context.Background()
	for _, size := range []struct {
		rows  int64
		parts int
	}{{20_000, 4}, {1_001, 3}} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		d, err := data.Build(mem, size.rows, size.parts)
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := findOpener("arrow-loop")
		fl, _ := ref(d, 2)
		for _, o := range openers {
			e, err := o.open(d, 2)
			if err != nil {
				t.Fatalf("%s: %v", o.name, err)
			}
			for _, q := range queries(size.rows) {
				want, err := fl.Run(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatalf("%s: the arrow loop answers nothing", q.Name)
				}
				got, err := e.Run(ctx, q)
				if err != nil {
					if o.name == "tpgen" && q.NeedsJoin && errorsIsUnsupported(err) {
						t.Logf("tpgen %s: unsupported (%v)", q.Name, err)
						continue
					}
					t.Errorf("%d rows: %s %s: %v", size.rows, o.name, q.Name, err)
					continue
				}
				if d := want.diff(got); d != "" {
					t.Errorf("%d rows: %s %s: %s", size.rows, o.name, q.Name, d)
				}
			}
			if err := e.Close(); err != nil {
				t.Errorf("%s: Close: %v", o.name, err)
			}
		}
		d.Release()
		mem.AssertSize(t, 0)
	}
}

// TestQueriesAreSelective guards the benchmark's meaning: the key and time
// range queries select what their names say.
func TestQueriesAreSelective(t *testing.T) {
	d, err := data.Build(memory.DefaultAllocator, 100_000, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	fl := &floor{d, 1}
	run := func(name string) Answer {
		for _, q := range queries(d.Rows) {
			if q.Name == name {
				a, err := fl.Run(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
		}
		t.Fatalf("no query %s", name)
		return nil
	}
	if got := run("time_range")[0][0]; got != "10000" {
		t.Errorf("time_range counts %s rows, want 10%% of 100000", got)
	}
	if got := run("key_eq")[0][0]; got != "6250" {
		t.Errorf("key_eq counts %s rows, want one partition of 16", got)
	}
	if got := run("count")[0][0]; got != "100000" {
		t.Errorf("count = %s", got)
	}
}

// TestReport renders a report of made-up results: the markdown names every
// engine and query, the chart is a PNG.
func TestReport(t *testing.T) {
	res := func(engine string, ns int64) EngineResult {
		r := EngineResult{Engine: engine, Cores: 2, MaxRSS: 100 << 20}
		for _, q := range queries(1) {
			st := "ok"
			if engine == "tpgen" && q.NeedsJoin {
				st = "unsupported"
			}
			r.Queries = append(r.Queries, QueryResult{Query: q.Name, Status: st, Median: ns, Runs: 3})
		}
		return r
	}
	rep := report{cfg: config{rows: 1000, parts: 4, cores: 2}, base: EngineResult{MaxRSS: 50 << 20},
		results: []EngineResult{res("arrow-loop", 1000), res("tpgen", 2000), res("sqlite", 4000)},
		scaling: []EngineResult{res("arrow-loop", 1500), res("tpgen", 3000)}}
	md := rep.markdown()
	for _, want := range []string{"| count (count(*)) | 1 us (0.50x) | 2 us (1.00x) | 4 us (2.00x) |", "unsupported", "| sqlite | 100 MiB | 50 MiB |", "tpgen / arrow-loop, 1 core"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	img, err := png.Decode(bytes.NewReader(rep.chart()))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() < 400 {
		t.Errorf("chart is %v", img.Bounds())
	}
}
