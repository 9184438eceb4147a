package generator

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Diff compares files with what dir holds and returns a unified diff of
// the changes WriteFiles would make (a missing file diffs against
// /dev/null), and whether there are any. It is what `tpgen generate
// --check` prints when generated code is stale.
func Diff(dir string, files []File) (string, bool) {
	var b strings.Builder
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		oldName := path
		old, err := os.ReadFile(path)
		if err != nil {
			oldName, old = "/dev/null", nil
		}
		if string(old) == string(f.Content) {
			continue
		}
		b.WriteString(unifiedDiff(oldName, path, string(old), string(f.Content)))
	}
	return b.String(), b.Len() > 0
}

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// unifiedDiff renders the line diff of a and b in unified format.
func unifiedDiff(nameA, nameB, a, b string) string {
	la, lb := splitLines(a), splitLines(b)
	ops := diffLines(la, lb)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	// Group the edit script into hunks with context.
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-diffContext, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*diffContext {
				end = min(end+diffContext, len(ops))
				break
			}
			end = run
		}
		hunk := ops[start:end]
		aStart, bStart := hunk[0].a, hunk[0].b
		aLen, bLen := 0, 0
		for _, o := range hunk {
			if o.kind != '+' {
				aLen++
			}
			if o.kind != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, o := range hunk {
			out.WriteByte(o.kind)
			out.WriteString(o.text)
			out.WriteByte('\n')
		}
		i = end
	}
	return out.String()
}

// hunkRange formats a hunk's line range; start is 0-based.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// edit is one line of an edit script: ' ' kept, '-' removed, '+' added;
// a and b are the line's positions in the old and new text.
type edit struct {
	kind byte
	text string
	a, b int
}

// diffLines returns an edit script turning a into b, from the longest
// common subsequence. Generated files are a few hundred lines, so the
// quadratic table is small; common prefix and suffix are trimmed first.
func diffLines(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
	lcs := make([][]int, len(ma)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(mb)+1)
	}
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []edit
	for i := 0; i < pre; i++ {
		ops = append(ops, edit{' ', a[i], i, i})
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
			ops = append(ops, edit{' ', ma[i], pre + i, pre + j})
			i++
			j++
		case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, edit{'-', ma[i], pre + i, pre + j})
			i++
		default:
			ops = append(ops, edit{'+', mb[j], pre + i, pre + j})
			j++
		}
	}
	for k := 0; k < suf; k++ {
		ops = append(ops, edit{' ', a[len(a)-suf+k], len(a) - suf + k, len(b) - suf + k})
	}
	return ops
}
