// Command peers benchmarks tpgen against the other ways to put a Go data
// source behind queries, on one deterministic synthetic events source
// (package data) and the same queries:
//
//   - arrow-loop: a hand-written arrow-go loop per query (the floor);
//   - tpgen: the provider generated from events/events.tpgen.yaml;
//   - sqlite: a modernc.org/sqlite virtual table;
//   - go-mysql-server: a github.com/dolthub/go-mysql-server table;
//   - duckdb: a github.com/duckdb/duckdb-go/v2 table function (cgo, only
//     with -tags duckdb).
//
// Run from this folder (a module of its own):
//
//	go run . -md ../../docs/benchmarks-peers.md -png ../../docs/benchmarks-peers.png
//
// Every engine runs in its own child process (this program, re-executed),
// so its peak memory is the child's maximum resident set size, read from
// the operating system when it exits. Before a query's time counts, the
// engine's answer is checked equal to the arrow loop's.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	goruntime "runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/bench/peers/data"
)

type config struct {
	rows    int64
	parts   int
	cores   int
	engines []string
	queries []string
	minTime time.Duration
	maxRuns int
	md, png string
}

func main() {
	var c config
	var engines, qs string
	var child string
	flag.Int64Var(&c.rows, "rows", 1_000_000, "rows of the events table")
	flag.IntVar(&c.parts, "parts", 16, "partitions (regions) of the events table")
	flag.IntVar(&c.cores, "cores", goruntime.NumCPU(), "cores (GOMAXPROCS and engine parallelism) of the main runs")
	flag.StringVar(&engines, "engines", "", "comma-separated engines to run (default: all built in: "+strings.Join(engineNames(), ", ")+")")
	flag.StringVar(&qs, "queries", "", "comma-separated queries to run (default: all)")
	flag.DurationVar(&c.minTime, "mintime", 300*time.Millisecond, "time each query at least this long (after one checked run)")
	flag.IntVar(&c.maxRuns, "maxruns", 10000, "time each query at most this many runs")
	flag.StringVar(&c.md, "md", "", "also write the markdown report to this file")
	flag.StringVar(&c.png, "png", "", "write the chart (PNG) to this file")
	flag.StringVar(&child, "child", "", "internal: run one engine and print its results as JSON")
	flag.Parse()
	c.engines = splitList(engines)
	c.queries = splitList(qs)
	if child != "" {
		if err := runChild(c, child, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "peers:", err)
			os.Exit(1)
		}
		return
	}
	if err := runParent(c); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// QueryResult is one engine's outcome on one query.
type QueryResult struct {
	Query  string
	Status string // "ok", "unsupported" or "wrong" / "error" with Detail
	Detail string `json:",omitempty"`
	// Median is the median time of one query, in nanoseconds.
	Median int64
	Runs   int
}

// EngineResult is what a child reports.
type EngineResult struct {
	Engine  string
	Cores   int
	Queries []QueryResult
	// MaxRSS is the child's peak resident set size in bytes (filled in by
	// the parent from the child's rusage).
	MaxRSS int64
	// Explains holds tpgen's plans, for the report.
	Explains map[string]string `json:",omitempty"`
}

// runChild builds the data, computes the floor's answers, then checks and
// times every query on one engine.
func runChild(c config, name string, w io.Writer) error {
	goruntime.GOMAXPROCS(c.cores)
	d, err := data.Build(memory.DefaultAllocator, c.rows, c.parts)
	if err != nil {
		return err
	}
	defer d.Release()
	res := EngineResult{Engine: name, Cores: c.cores}
	if name == "none" { // the data alone: the memory baseline
		return json.NewEncoder(w).Encode(res)
	}
	results, explains, err := measure(c, d, name)
	if err != nil {
		return err
	}
	res.Queries, res.Explains = results, explains
	return json.NewEncoder(w).Encode(res)
}

// measure runs the named engine over d in this process.
func measure(c config, d *data.Dataset, name string) ([]QueryResult, map[string]string, error) {
	ctx := context.Background()
	open, ok := findOpener(name)
	if !ok {
		return nil, nil, fmt.Errorf("unknown engine %q (built in: %s)", name, strings.Join(engineNames(), ", "))
	}
	ref, _ := findOpener("arrow-loop")
	fl, err := ref(d, c.cores)
	if err != nil {
		return nil, nil, err
	}
	e, err := open(d, c.cores)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	defer e.Close()
	var out []QueryResult
	explains := map[string]string{}
	for _, q := range queries(c.rows) {
		if len(c.queries) > 0 && !slices.Contains(c.queries, q.Name) {
			continue
		}
		want, err := fl.Run(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		r := QueryResult{Query: q.Name}
		got, err := e.Run(ctx, q)
		switch {
		case err != nil && errorsIsUnsupported(err):
			r.Status, r.Detail = "unsupported", firstLine(err.Error())
		case err != nil:
			r.Status, r.Detail = "error", firstLine(err.Error())
		case want.diff(got) != "":
			r.Status, r.Detail = "wrong", want.diff(got)
		default:
			r.Status = "ok"
			r.Median, r.Runs, err = timeQuery(ctx, e, q, c)
			if err != nil {
				r.Status, r.Detail = "error", firstLine(err.Error())
			}
		}
		if t, ok := e.(*tpgenEngine); ok {
			if plan, err := t.explain(ctx, q); err == nil {
				explains[q.Name] = plan
			}
		}
		out = append(out, r)
	}
	return out, explains, nil
}

func errorsIsUnsupported(err error) bool {
	for err != nil {
		if err == ErrUnsupported {
			return true
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				if errorsIsUnsupported(e) {
					return true
				}
			}
			return false
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// timeQuery runs q until minTime has passed (at least 3 and at most
// maxRuns runs) and returns the median run time.
func timeQuery(ctx context.Context, e Engine, q Query, c config) (int64, int, error) {
	var times []int64
	start := time.Now()
	for len(times) < 3 || (time.Since(start) < c.minTime && len(times) < c.maxRuns) {
		t0 := time.Now()
		if _, err := e.Run(ctx, q); err != nil {
			return 0, len(times), err
		}
		times = append(times, time.Since(t0).Nanoseconds())
	}
	slices.Sort(times)
	return times[len(times)/2], len(times), nil
}

// child runs one engine in a child process and reads its report and peak
// memory.
func child(c config, engine string, cores int) (EngineResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return EngineResult{}, err
	}
	args := []string{"-child", engine, "-rows", strconv.FormatInt(c.rows, 10), "-parts", strconv.Itoa(c.parts),
		"-cores", strconv.Itoa(cores), "-mintime", c.minTime.String(), "-maxruns", strconv.Itoa(c.maxRuns)}
	if len(c.queries) > 0 {
		args = append(args, "-queries", strings.Join(c.queries, ","))
	}
	cmd := exec.Command(exe, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return EngineResult{}, fmt.Errorf("engine %s: %v: %s", engine, err, strings.TrimSpace(stderr.String()))
	}
	var r EngineResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return EngineResult{}, fmt.Errorf("engine %s: reading its report: %v", engine, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return r, nil
}

func runParent(c config) error {
	engines := c.engines
	if len(engines) == 0 {
		engines = engineNames()
	}
	started := time.Now()
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			load = strings.Join(f[:3], ", ")
		}
	}
	base, err := child(c, "none", c.cores)
	if err != nil {
		return err
	}
	var results []EngineResult
	for _, name := range engines {
		fmt.Fprintf(os.Stderr, "peers: %s (%d cores)...\n", name, c.cores)
		r, err := child(c, name, c.cores)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	// Scaling: tpgen and the floor on one core (the main run has c.cores).
	var scaling []EngineResult
	if c.cores > 1 {
		for _, name := range []string{"arrow-loop", "tpgen"} {
			if !slices.Contains(engines, name) {
				continue
			}
			fmt.Fprintf(os.Stderr, "peers: %s (1 core)...\n", name)
			r, err := child(c, name, 1)
			if err != nil {
				return err
			}
			scaling = append(scaling, r)
		}
	}
	rep := report{cfg: c, base: base, results: results, scaling: scaling, elapsed: time.Since(started), load: load}
	text := rep.markdown()
	fmt.Print(text)
	if c.md != "" {
		if err := os.WriteFile(c.md, []byte(text), 0o644); err != nil {
			return err
		}
	}
	if c.png != "" {
		if err := os.WriteFile(c.png, rep.chart(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// sortedQueries lists query names in benchmark order.
func sortedQueries(rs []EngineResult) []string {
	seen := map[string]int{}
	for i, q := range queries(1) {
		seen[q.Name] = i
	}
	var names []string
	for _, r := range rs {
		for _, q := range r.Queries {
			if !slices.Contains(names, q.Query) {
				names = append(names, q.Query)
			}
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return seen[names[i]] < seen[names[j]] })
	return names
}
