package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

type report struct {
	cfg     config
	base    EngineResult
	results []EngineResult
	scaling []EngineResult
	elapsed time.Duration
	load    string // /proc/loadavg's first three fields, "" when unknown
}

func (r report) find(rs []EngineResult, engine, query string) (QueryResult, bool) {
	for _, e := range rs {
		if e.Engine != engine {
			continue
		}
		for _, q := range e.Queries {
			if q.Query == query {
				return q, true
			}
		}
	}
	return QueryResult{}, false
}

// fmtDur renders nanoseconds with three significant digits.
func fmtDur(ns int64) string {
	d := float64(ns)
	switch {
	case d < 1e3:
		return fmt.Sprintf("%.0f ns", d)
	case d < 1e6:
		return fmt.Sprintf("%.3g us", d/1e3)
	case d < 1e9:
		return fmt.Sprintf("%.3g ms", d/1e6)
	}
	return fmt.Sprintf("%.3g s", d/1e9)
}

func cell(q QueryResult, ok bool, tp QueryResult, tpOK bool) string {
	switch {
	case !ok:
		return "-"
	case q.Status == "unsupported":
		return "unsupported"
	case q.Status != "ok":
		return q.Status + ": " + strings.ReplaceAll(q.Detail, "|", "/")
	}
	s := fmtDur(q.Median)
	if tpOK && tp.Status == "ok" && tp.Median > 0 {
		s += fmt.Sprintf(" (%.2fx)", float64(q.Median)/float64(tp.Median))
	}
	return s
}

func (r report) markdown() string {
	var b strings.Builder
	c := r.cfg
	fmt.Fprintf(&b, "### %d rows in %d partitions, %d cores\n\n", c.rows, c.parts, c.cores)
	if r.load != "" {
		fmt.Fprintf(&b, "Load average (1, 5, 15 min) when the run started: %s (other processes share the machine when it is above 0).\n\n", r.load)
	}
	fmt.Fprintf(&b, "Median time per query (after one run whose answer was checked equal to the arrow loop's); in brackets the ratio to tpgen (above 1: slower than tpgen).\n\n")
	b.WriteString("| query |")
	for _, e := range r.results {
		b.WriteString(" " + e.Engine + " |")
	}
	b.WriteString("\n|---|")
	for range r.results {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	descs := map[string]string{}
	for _, q := range queries(1) {
		descs[q.Name] = q.Desc
	}
	for _, qn := range sortedQueries(r.results) {
		tp, tpOK := r.find(r.results, "tpgen", qn)
		fmt.Fprintf(&b, "| %s (%s) |", qn, descs[qn])
		for _, e := range r.results {
			q, ok := r.find(r.results, e.Engine, qn)
			b.WriteString(" " + cell(q, ok, tp, tpOK) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\nPeak memory: the maximum resident set size of the engine's child process (data, engine and queries), and that minus the same for a child that only builds the data (")
	b.WriteString(mib(r.base.MaxRSS) + ").\n\n| engine | peak RSS | above the data alone |\n|---|---|---|\n")
	for _, e := range r.results {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", e.Engine, mib(e.MaxRSS), mib(e.MaxRSS-r.base.MaxRSS))
	}
	if len(r.scaling) > 0 {
		fmt.Fprintf(&b, "\nScaling: median times at 1 core and at %d cores (GOMAXPROCS and engine parallelism).\n\n", c.cores)
		b.WriteString("| query |")
		for _, e := range r.scaling {
			fmt.Fprintf(&b, " %s 1 core | %s %d cores | speed-up |", e.Engine, e.Engine, c.cores)
		}
		b.WriteString(" tpgen / arrow-loop, 1 core |\n|---|")
		for range r.scaling {
			b.WriteString("---|---|---|")
		}
		b.WriteString("---|\n")
		for _, qn := range sortedQueries(r.scaling) {
			fmt.Fprintf(&b, "| %s |", qn)
			for _, e := range r.scaling {
				one, ok1 := r.find(r.scaling, e.Engine, qn)
				many, ok2 := r.find(r.results, e.Engine, qn)
				if !ok1 || !ok2 || one.Status != "ok" || many.Status != "ok" {
					b.WriteString(" - | - | - |")
					continue
				}
				fmt.Fprintf(&b, " %s | %s | %.2fx |", fmtDur(one.Median), fmtDur(many.Median), float64(one.Median)/float64(many.Median))
			}
			tp, ok1 := r.find(r.scaling, "tpgen", qn)
			fl, ok2 := r.find(r.scaling, "arrow-loop", qn)
			if ok1 && ok2 && tp.Status == "ok" && fl.Status == "ok" {
				fmt.Fprintf(&b, " %.2fx |\n", float64(tp.Median)/float64(fl.Median))
			} else {
				b.WriteString(" - |\n")
			}
		}
	}
	for _, e := range r.results {
		if len(e.Explains) == 0 {
			continue
		}
		b.WriteString("\ntpgen's plans (EXPLAIN):\n")
		for _, qn := range sortedQueries(r.results) {
			if p, ok := e.Explains[qn]; ok {
				fmt.Fprintf(&b, "\n%s:\n\n```\n%s\n```\n", qn, strings.TrimRight(p, "\n"))
			}
		}
	}
	fmt.Fprintf(&b, "\nThe whole run took %s.\n", r.elapsed.Round(time.Second))
	return b.String()
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// Chart colours, one per engine in results order.
var palette = []color.RGBA{
	{0x55, 0x55, 0x55, 0xff}, // arrow-loop
	{0x1f, 0x77, 0xb4, 0xff}, // tpgen
	{0x2c, 0xa0, 0x2c, 0xff}, // sqlite
	{0xd6, 0x27, 0x28, 0xff}, // go-mysql-server
	{0xff, 0x7f, 0x0e, 0xff}, // duckdb
	{0x94, 0x67, 0xbd, 0xff},
}

// chart draws grouped bars, one group per query and one bar per engine,
// of the median time on a log scale (1 us to 10 s), as a PNG.
func (r report) chart() []byte {
	qs := sortedQueries(r.results)
	const (
		left, top, bottom, right = 70, 50, 60, 20
		groupW                   = 110
		plotH                    = 360
	)
	width := left + right + groupW*max(len(qs), 1)
	height := top + plotH + bottom
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	black := color.RGBA{0, 0, 0, 0xff}
	grey := color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	const lo, hi = 3.0, 10.0 // log10 ns: 1 us .. 10 s
	yOf := func(ns float64) int {
		l := math.Log10(math.Max(ns, 1))
		l = math.Min(math.Max(l, lo), hi)
		return top + plotH - int((l-lo)/(hi-lo)*plotH)
	}
	for e := lo; e <= hi; e++ {
		y := yOf(math.Pow(10, e))
		fillRect(img, left, y, width-right, y+1, grey)
		label(img, 4, y+4, fmtDur(int64(math.Pow(10, e))), black)
	}
	fillRect(img, left, top, left+1, top+plotH, black)
	fillRect(img, left, top+plotH, width-right, top+plotH+1, black)
	n := max(len(r.results), 1)
	barW := (groupW - 20) / n
	for gi, qn := range qs {
		x0 := left + gi*groupW + 10
		for ei, e := range r.results {
			q, ok := r.find(r.results, e.Engine, qn)
			x := x0 + ei*barW
			if !ok || q.Status != "ok" {
				label(img, x, top+plotH-4, "x", palette[ei%len(palette)])
				continue
			}
			fillRect(img, x, yOf(float64(q.Median)), x+barW-2, top+plotH, palette[ei%len(palette)])
		}
		label(img, x0, top+plotH+18, qn, black)
	}
	label(img, left, 20, fmt.Sprintf("median time per query, log scale (%d rows, %d partitions, %d cores); x: unsupported", r.cfg.rows, r.cfg.parts, r.cfg.cores), black)
	lx := left
	for ei, e := range r.results {
		fillRect(img, lx, top+plotH+32, lx+10, top+plotH+42, palette[ei%len(palette)])
		label(img, lx+14, top+plotH+42, e.Engine, black)
		lx += 20 + 7*len(e.Engine) + 10
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func fillRect(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	draw.Draw(img, image.Rect(x0, y0, x1, y1), &image.Uniform{c}, image.Point{}, draw.Src)
}

func label(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: &image.Uniform{c}, Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
