package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/term"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/sql"
	"github.com/tpgen/tpgen/runtime/sqldriver"
)

const (
	prompt     = "tpgen=> "
	contPrompt = "tpgen-> "
	shellHelp  = `Type SQL statements ending in ; (they may span lines), or:
  \d          list tables
  \d NAME     describe a table
  \timing     toggle printing how long each statement took
  \?          this help
  \q          quit (so do Ctrl-D and Ctrl-C at the prompt)
`
)

// lineReader is where the shell reads lines: a terminal with line
// editing and history, or plain lines from a pipe or file.
type lineReader interface {
	ReadLine() (string, error)
	SetPrompt(p string)
}

// plainLines reads lines without prompts, for stdin that is not a
// terminal (scripts, pipes).
type plainLines struct{ sc *bufio.Scanner }

func newPlainLines(r io.Reader) *plainLines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	return &plainLines{sc: sc}
}

func (p *plainLines) ReadLine() (string, error) {
	if p.sc.Scan() {
		return p.sc.Text(), nil
	}
	if err := p.sc.Err(); err != nil {
		return "", err
	}
	return "", io.EOF
}

func (p *plainLines) SetPrompt(string) {}

// terminalLines reads from a terminal in raw mode with x/term's line
// editor (arrows, history, Ctrl-A/E/K/U/W, ...). While a statement runs
// the terminal is back in its normal mode, so Ctrl-C interrupts it.
type terminalLines struct {
	fd    int
	state *term.State
	t     *term.Terminal
}

func newTerminalLines(fd int, rw io.ReadWriter) (*terminalLines, error) {
	state, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	return &terminalLines{fd: fd, state: state, t: term.NewTerminal(rw, prompt)}, nil
}

func (l *terminalLines) ReadLine() (string, error) {
	if _, err := term.MakeRaw(l.fd); err != nil {
		return "", err
	}
	line, err := l.t.ReadLine()
	_ = term.Restore(l.fd, l.state) // cooked while the statement runs
	return line, err
}

func (l *terminalLines) SetPrompt(p string) { l.t.SetPrompt(p) }

func (l *terminalLines) Close() { _ = term.Restore(l.fd, l.state) }

// runShellOnStdio runs the shell on the process's terminal when stdin
// and stdout are one, and on plain lines otherwise.
func runShellOnStdio(ctx context.Context, s *runtime.Session) error {
	in, out := int(os.Stdin.Fd()), int(os.Stdout.Fd())
	if term.IsTerminal(in) && term.IsTerminal(out) {
		tl, err := newTerminalLines(in, struct {
			io.Reader
			io.Writer
		}{os.Stdin, os.Stdout})
		if err == nil {
			defer tl.Close()
			fmt.Fprintf(os.Stdout, "tpgen shell over the events table. Type \\? for help.\n")
			return (&shell{s: s, out: os.Stdout, interrupt: true}).run(ctx, tl)
		}
	}
	return (&shell{s: s, out: os.Stdout}).run(ctx, newPlainLines(os.Stdin))
}

// shell reads statements and meta-commands and prints results as psql
// does.
type shell struct {
	s         *runtime.Session
	out       io.Writer
	timing    bool
	interrupt bool // Ctrl-C cancels the running statement
}

// run reads until \q or the end of input. Errors in statements are
// printed and reading goes on; only a failure to read or write stops it.
func (sh *shell) run(ctx context.Context, lines lineReader) error {
	var buf strings.Builder
	for {
		if buf.Len() == 0 {
			lines.SetPrompt(prompt)
		} else {
			lines.SetPrompt(contPrompt)
		}
		line, err := lines.ReadLine()
		if errors.Is(err, io.EOF) {
			if rest := strings.TrimSpace(buf.String()); rest != "" {
				sh.exec(ctx, rest) // a last statement without ;, as psql -f runs it
			}
			return nil
		}
		if err != nil {
			return err
		}
		if buf.Len() == 0 && strings.HasPrefix(strings.TrimSpace(line), `\`) {
			if quit := sh.meta(strings.TrimSpace(line)); quit {
				return nil
			}
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		stmts, rest := splitStatements(buf.String())
		for _, st := range stmts {
			sh.exec(ctx, st)
		}
		buf.Reset()
		switch rest = strings.TrimSpace(rest); {
		case strings.HasPrefix(rest, `\`): // SELECT 1; \timing
			if sh.meta(rest) {
				return nil
			}
		case rest != "":
			buf.WriteString(rest)
			buf.WriteByte('\n')
		}
	}
}

// meta runs a backslash command and reports whether it was \q.
func (sh *shell) meta(line string) (quit bool) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case `\q`:
		return true
	case `\timing`:
		switch strings.ToLower(arg) {
		case "on":
			sh.timing = true
		case "off":
			sh.timing = false
		default:
			sh.timing = !sh.timing
		}
		if sh.timing {
			fmt.Fprintln(sh.out, "Timing is on.")
		} else {
			fmt.Fprintln(sh.out, "Timing is off.")
		}
	case `\d`:
		if arg == "" {
			sh.listTables()
		} else {
			sh.describe(arg)
		}
	case `\?`, `\h`, `\help`:
		fmt.Fprint(sh.out, shellHelp)
	default:
		fmt.Fprintf(sh.out, "invalid command %s\nTry \\? for help.\n", cmd)
	}
	return false
}

func (sh *shell) listTables() {
	var rows [][]string
	for _, name := range sh.s.Tables() {
		schema, ok := sh.s.TableSchema(name)
		if ok {
			rows = append(rows, []string{name, "table", fmt.Sprint(schema.NumFields())})
		}
	}
	fmt.Fprintln(sh.out, "List of tables")
	sh.print(textResult([]string{"Name", "Type", "Columns"}, rows))
}

func (sh *shell) describe(name string) {
	schema, ok := sh.s.TableSchema(name)
	if !ok {
		fmt.Fprintf(sh.out, "Did not find any table named %q.\n", name)
		return
	}
	var rows [][]string
	for _, f := range schema.Fields() {
		null := "not null"
		if f.Nullable {
			null = ""
		}
		typ := strings.ToLower(sqldriver.DatabaseTypeName(f.Type))
		if d, ok := f.Type.(*arrow.Decimal128Type); ok {
			typ = fmt.Sprintf("%s(%d,%d)", typ, d.Precision, d.Scale)
		}
		rows = append(rows, []string{f.Name, typ, null})
	}
	fmt.Fprintf(sh.out, "Table %q\n", name)
	sh.print(textResult([]string{"Column", "Type", "Nullable"}, rows))
}

func (sh *shell) print(res *runtime.Result) {
	defer res.Release()
	if err := res.Format(sh.out); err != nil {
		fmt.Fprintf(sh.out, "ERROR:  %v\n", err)
	}
	fmt.Fprintln(sh.out)
}

// exec runs one statement and prints its result or its error.
func (sh *shell) exec(ctx context.Context, stmt string) {
	if sh.interrupt {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	start := time.Now()
	res, err := sh.s.Query(ctx, stmt)
	elapsed := time.Since(start)
	if err != nil {
		sh.printError(err)
	} else {
		sh.print(res)
	}
	if sh.timing {
		fmt.Fprintf(sh.out, "Time: %.3f ms\n", float64(elapsed.Microseconds())/1000)
	}
}

// printError prints err as psql does, with the statement's line and a
// caret under the column for errors located in the text.
func (sh *shell) printError(err error) {
	var se *sql.Error
	if !errors.As(err, &se) {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(sh.out, "ERROR:  canceling statement due to user request")
			return
		}
		fmt.Fprintf(sh.out, "ERROR:  %v\n", err)
		return
	}
	fmt.Fprintf(sh.out, "ERROR:  %s\n", se.Msg)
	lines := strings.Split(se.SQL, "\n")
	if se.Line >= 1 && se.Line <= len(lines) {
		prefix := fmt.Sprintf("LINE %d: ", se.Line)
		text := lines[se.Line-1]
		fmt.Fprintf(sh.out, "%s%s\n", prefix, text)
		pad := len(prefix) + len([]rune(text)[:min(se.Col-1, len([]rune(text)))])
		fmt.Fprintf(sh.out, "%s^\n", strings.Repeat(" ", pad))
	}
}

// textResult builds a result of text columns for the meta-commands, so
// they print as query results do.
func textResult(names []string, rows [][]string) *runtime.Result {
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range rows {
		for i, v := range r {
			b.Field(i).(*array.StringBuilder).Append(v)
		}
	}
	return &runtime.Result{Schema: schema, Records: []arrow.RecordBatch{b.NewRecordBatch()}}
}

// splitStatements cuts text after every top-level semicolon (outside
// quotes and comments) and returns the complete statements, trimmed and
// without their semicolons, and the incomplete rest.
func splitStatements(text string) (stmts []string, rest string) {
	start := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\'' || c == '"':
			for i++; i < len(text); i++ {
				if text[i] == c {
					if i+1 < len(text) && text[i+1] == c {
						i++ // doubled quote
						continue
					}
					break
				}
			}
		case c == '-' && i+1 < len(text) && text[i+1] == '-':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				return stmts, text[start:]
			}
			i += end + 3
		case c == ';':
			if st := strings.TrimSpace(text[start:i]); st != "" {
				stmts = append(stmts, st)
			}
			start = i + 1
		}
	}
	return stmts, text[start:]
}
