package runtime

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// String renders the result as Format does.
func (r *Result) String() string {
	var b strings.Builder
	_ = r.Format(&b) // strings.Builder never fails
	return b.String()
}

// Format writes the result as an aligned text table, like psql:
//
//	 region    | n
//	-----------+---
//	 eu-west-1 | 2
//	 us-east-1 | 1
//	(2 rows)
//
// Headers are centred, numbers aligned right and everything else left;
// NULL prints as NULL, timestamps in ISO 8601, decimals with their scale.
// Widths are display widths (a CJK character takes two columns); control
// characters print escaped (\n, \x01), and a name or text holding "|" (or
// starting with a double quote) prints in double quotes, so no cell reads
// as two.
func (r *Result) Format(w io.Writer) error {
	ncols := 0
	if r.Schema != nil {
		ncols = r.Schema.NumFields()
	}
	cells := make([][]string, 0, r.NumRows())
	widths := make([]int, ncols)
	right := make([]bool, ncols)
	for c := 0; c < ncols; c++ {
		f := r.Schema.Field(c)
		widths[c] = displayWidth(headerText(f.Name))
		right[c] = rightAligned(f.Type)
	}
	for _, rec := range r.Records {
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]string, ncols)
			for c := range row {
				if c < int(rec.NumCols()) {
					row[c] = textValue(rec.Column(c), i)
				}
				widths[c] = max(widths[c], displayWidth(row[c]))
			}
			cells = append(cells, row)
		}
	}
	bw := bufio.NewWriter(w)
	if ncols > 0 {
		header := make([]string, ncols)
		rule := make([]string, ncols)
		for c := range header {
			name := headerText(r.Schema.Field(c).Name)
			pad := widths[c] - displayWidth(name)
			header[c] = strings.Repeat(" ", pad/2) + name + strings.Repeat(" ", pad-pad/2)
			rule[c] = strings.Repeat("-", widths[c])
		}
		writeLine(bw, header, " | ")
		writeLine(bw, rule, "-+-")
		for _, row := range cells {
			for c, v := range row {
				pad := strings.Repeat(" ", widths[c]-displayWidth(v))
				if right[c] {
					row[c] = pad + v
				} else {
					row[c] = v + pad
				}
			}
			writeLine(bw, row, " | ")
		}
	}
	if n := len(cells); n == 1 {
		bw.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(bw, "(%d rows)\n", n)
	}
	return bw.Flush()
}

// headerText is a column name as the table shows it: escaped and quoted
// as text cells are, so that no name looks like two columns.
func headerText(name string) string { return escapeText(name) }

// writeLine writes one table line without trailing blanks, as psql does
// for the last column.
func writeLine(w *bufio.Writer, cells []string, sep string) {
	edge := sep[:1]
	w.WriteString(strings.TrimRight(edge+strings.Join(cells, sep)+edge, " "))
	w.WriteByte('\n')
}
