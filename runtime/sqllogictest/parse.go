package sqllogictest

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Kind says what a Record asks the runner to do.
type Kind int

const (
	// KindTable registers a table (see TableDef).
	KindTable Kind = iota
	// KindStatement runs SQL and checks only success or the error.
	KindStatement
	// KindQuery runs SQL and compares its rows with Expected.
	KindQuery
	// KindExplain compares the EXPLAIN text of SQL with Expected.
	KindExplain
)

// String returns the directive that introduces records of the kind.
func (k Kind) String() string {
	switch k {
	case KindTable:
		return "table"
	case KindStatement:
		return "statement"
	case KindQuery:
		return "query"
	case KindExplain:
		return "explain"
	}
	return "unknown"
}

// ExplainMode says how an explain record compares the plan text.
type ExplainMode int

const (
	// ExplainEquals requires the plan to equal the expected lines (trailing
	// spaces and blank lines at the end are ignored).
	ExplainEquals ExplainMode = iota
	// ExplainContains requires each expected line to occur, as a substring,
	// in a plan line at or below the line the previous one matched, so
	// several expected lines may describe one operator.
	ExplainContains
	// ExplainLacks requires no plan line to contain any expected line; it
	// states what pushdown must have removed (e.g. "FilterExec").
	ExplainLacks
)

// Record is one directive of a file with the lines that belong to it.
type Record struct {
	Kind Kind
	// Line is the 1-based line of the directive, for messages.
	Line int
	// Skip is the reason given by a preceding "skipif tpgen" line; the
	// runner reports such records as skipped instead of running them, so a
	// known engine bug keeps its correct expectation in the corpus.
	Skip string
	// SQL is the statement, its lines joined by newlines.
	SQL string
	// ExpectError is set by "statement error" and "query error".
	ExpectError bool
	// ErrorPattern must match the error's text when ExpectError is set;
	// nil accepts any error.
	ErrorPattern *regexp.Regexp
	// Types holds one type letter per result column (queries only).
	Types string
	// RowSort compares rows as a multiset: both sides are sorted first.
	RowSort bool
	// Explain is the comparison an explain record makes.
	Explain ExplainMode
	// Expected are the lines after "----".
	Expected []string
	// Table is the table a KindTable record defines.
	Table *TableDef
}

// File is a parsed sqllogictest file.
type File struct {
	Name string
	// Layouts lists the layouts (see Layouts) the file runs under, from its
	// "layouts" directive; empty means once, with every table as declared.
	Layouts []string
	Records []Record
}

// ParseError locates a problem in a file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error implements error.
func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// resultTypes lists the type letters a query may declare.
const resultTypes = "IRTBD"

// parser walks the file line by line; blank lines end blocks.
type parser struct {
	name  string
	lines []string
	pos   int // index of the next unread line
}

// Parse reads a file's content; name only labels errors.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{name: name}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		p.lines = append(p.lines, strings.TrimRight(sc.Text(), " \t\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{Name: name}
	skip := ""
	skipLine := 0
	for p.pos < len(p.lines) {
		line := p.lines[p.pos]
		lineNo := p.pos + 1
		p.pos++
		if line == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		words := strings.Fields(stripComment(line))
		switch words[0] {
		case "skipif", "onlyif":
			if words[0] == "onlyif" || len(words) < 2 || words[1] != "tpgen" {
				return nil, p.errorf(lineNo, "only %q is supported as a condition, got %q", "skipif tpgen # reason", line)
			}
			if skip != "" {
				return nil, p.errorf(lineNo, "two conditions in a row (the first is on line %d)", skipLine)
			}
			skip = "skipped"
			if _, reason, ok := strings.Cut(line, "#"); ok && strings.TrimSpace(reason) != "" {
				skip = strings.TrimSpace(reason)
			}
			skipLine = lineNo
			continue
		case "layouts":
			if len(f.Records) > 0 || skip != "" {
				return nil, p.errorf(lineNo, "layouts must come before every record")
			}
			names, err := parseLayoutNames(words[1:])
			if err != nil {
				return nil, p.errorf(lineNo, "%v", err)
			}
			f.Layouts = names
			continue
		}
		rec, err := p.record(words, line, lineNo)
		if err != nil {
			return nil, err
		}
		rec.Skip = skip
		skip = ""
		f.Records = append(f.Records, *rec)
	}
	if skip != "" {
		return nil, p.errorf(skipLine, "condition is not followed by a record")
	}
	return f, nil
}

// stripComment drops a trailing "# ..." from a directive line. Directives
// never contain '#' otherwise, except inside an error regexp, which is
// parsed from the raw line.
func stripComment(line string) string {
	if i := strings.Index(line, " #"); i >= 0 {
		return line[:i]
	}
	return line
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &ParseError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) record(words []string, raw string, lineNo int) (*Record, error) {
	switch words[0] {
	case "table":
		def, err := parseTableDirective(words[1:])
		if err != nil {
			return nil, p.errorf(lineNo, "%v", err)
		}
		def.Line = lineNo
		if err := p.tableBody(def); err != nil {
			return nil, err
		}
		return &Record{Kind: KindTable, Line: lineNo, Table: def}, nil
	case "statement":
		rec := &Record{Kind: KindStatement, Line: lineNo}
		if len(words) < 2 {
			return nil, p.errorf(lineNo, `statement needs "ok" or "error <regexp>"`)
		}
		switch words[1] {
		case "ok":
			if len(words) > 2 {
				return nil, p.errorf(lineNo, "unexpected %q after statement ok", words[2])
			}
		case "error":
			if err := p.errorPattern(rec, raw, lineNo); err != nil {
				return nil, err
			}
		default:
			return nil, p.errorf(lineNo, `statement needs "ok" or "error <regexp>", got %q`, words[1])
		}
		rec.SQL = p.sql(false)
		if rec.SQL == "" {
			return nil, p.errorf(lineNo, "statement has no SQL")
		}
		return rec, nil
	case "query":
		return p.query(words, raw, lineNo)
	case "explain":
		rec := &Record{Kind: KindExplain, Line: lineNo}
		if len(words) > 2 {
			return nil, p.errorf(lineNo, "unexpected %q after explain %s", words[2], words[1])
		}
		if len(words) == 2 {
			switch words[1] {
			case "contains":
				rec.Explain = ExplainContains
			case "lacks":
				rec.Explain = ExplainLacks
			default:
				return nil, p.errorf(lineNo, `explain takes no argument, "contains" or "lacks"; got %q`, words[1])
			}
		}
		if err := p.sqlAndResults(rec, lineNo); err != nil {
			return nil, err
		}
		if len(rec.Expected) == 0 {
			return nil, p.errorf(lineNo, "explain record expects no lines")
		}
		return rec, nil
	}
	return nil, p.errorf(lineNo, "unknown directive %q (want table, statement, query, explain, layouts or skipif)", words[0])
}

func (p *parser) query(words []string, raw string, lineNo int) (*Record, error) {
	rec := &Record{Kind: KindQuery, Line: lineNo}
	if len(words) < 2 {
		return nil, p.errorf(lineNo, `query needs result types (e.g. "query ITR") or "error <regexp>"`)
	}
	if words[1] == "error" {
		if err := p.errorPattern(rec, raw, lineNo); err != nil {
			return nil, err
		}
		rec.SQL = p.sql(false)
		if rec.SQL == "" {
			return nil, p.errorf(lineNo, "query has no SQL")
		}
		return rec, nil
	}
	rec.Types = words[1]
	for _, c := range rec.Types {
		if !strings.ContainsRune(resultTypes, c) {
			return nil, p.errorf(lineNo, "unknown result type %q in %q (allowed: I integer, R float/decimal, T text/binary, B bool, D date/time)", c, rec.Types)
		}
	}
	for _, w := range words[2:] {
		switch w {
		case "rowsort":
			rec.RowSort = true
		case "nosort":
		default:
			return nil, p.errorf(lineNo, "unknown query option %q (allowed: rowsort, nosort)", w)
		}
	}
	if err := p.sqlAndResults(rec, lineNo); err != nil {
		return nil, err
	}
	return rec, nil
}

// errorPattern reads the regexp following "error" on the raw line, so a
// pattern may contain '#' and repeated spaces.
func (p *parser) errorPattern(rec *Record, raw string, lineNo int) error {
	rec.ExpectError = true
	_, rest, _ := strings.Cut(raw, "error")
	pat := strings.TrimSpace(rest)
	if pat == "" {
		return nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return p.errorf(lineNo, "bad error pattern: %v", err)
	}
	rec.ErrorPattern = re
	return nil
}

// sql reads lines up to a blank line, the end of the file or (when
// results is set) the "----" separator, which it consumes.
func (p *parser) sql(results bool) string {
	var b []string
	for p.pos < len(p.lines) {
		line := p.lines[p.pos]
		if line == "" {
			break
		}
		p.pos++
		if results && line == "----" {
			p.pos-- // the caller checks for the separator
			break
		}
		b = append(b, line)
	}
	return strings.Join(b, "\n")
}

func (p *parser) sqlAndResults(rec *Record, lineNo int) error {
	rec.SQL = p.sql(true)
	if rec.SQL == "" {
		return p.errorf(lineNo, "%s has no SQL", rec.Kind)
	}
	if p.pos >= len(p.lines) || p.lines[p.pos] != "----" {
		if rec.Kind == KindQuery {
			// A query with no separator expects zero rows, as in
			// DataFusion's files.
			return nil
		}
		return p.errorf(lineNo, `%s needs "----" and the expected lines`, rec.Kind)
	}
	p.pos++
	for p.pos < len(p.lines) && p.lines[p.pos] != "" {
		rec.Expected = append(rec.Expected, p.lines[p.pos])
		p.pos++
	}
	return nil
}
