package sql

import (
	"bufio"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime/logical"
)

var update = flag.Bool("update", false, "rewrite the golden files with the current output")

// goldenCase is one entry of a golden file:
//
//	# name
//	SQL (one or more lines)
//	----
//	expected output
//	(blank line)
type goldenCase struct {
	name, sql, want string
}

func readGolden(t *testing.T, path string) []goldenCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []goldenCase
	var cur *goldenCase
	inWant := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "# "):
			cases = append(cases, goldenCase{name: strings.TrimPrefix(line, "# ")})
			cur, inWant = &cases[len(cases)-1], false
		case cur == nil:
		case line == "----" && !inWant:
			inWant = true
		case inWant && line == "":
			cur = nil
		case inWant:
			cur.want += line + "\n"
		default:
			if cur.sql != "" {
				cur.sql += "\n"
			}
			cur.sql += line
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func writeGolden(t *testing.T, path string, cases []goldenCase) {
	t.Helper()
	var b strings.Builder
	for _, c := range cases {
		b.WriteString("# " + c.name + "\n" + c.sql + "\n----\n" + c.want + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runGolden checks (or with -update rewrites) each case's output.
func runGolden(t *testing.T, path string, run func(t *testing.T, sql string) string) {
	cases := readGolden(t, path)
	if len(cases) == 0 {
		t.Fatalf("%s has no cases", path)
	}
	for i := range cases {
		c := &cases[i]
		t.Run(c.name, func(t *testing.T) {
			got := run(t, c.sql)
			if *update {
				c.want = got
				return
			}
			if got != c.want {
				t.Errorf("SQL:\n%s\ngot:\n%s\nwant:\n%s", c.sql, got, c.want)
			}
		})
	}
	if *update {
		writeGolden(t, path, cases)
	}
}

// TestPlans checks the logical plan of every supported construct.
func TestPlans(t *testing.T) {
	runGolden(t, "testdata/plans.golden", func(t *testing.T, sql string) string {
		st, err := Prepare(sql, testCatalog)
		if err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		return logical.Format(st.Plan)
	})
}

// TestErrors checks the exact message and position of every error.
func TestErrors(t *testing.T) {
	runGolden(t, "testdata/errors.golden", func(t *testing.T, sql string) string {
		_, err := Prepare(sql, testCatalog)
		if err == nil {
			t.Fatalf("Prepare succeeded, want an error")
		}
		checkError(t, sql, err)
		return err.Error() + "\n"
	})
}
