// Package templates holds the files `tpgen init` writes: a starter spec, a
// starter source.go and the go:generate line. They are the user's files from
// then on: tpgen never rewrites them.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"go/token"
	"strings"
	"text/template"
)

//go:embed files/*.tmpl
var files embed.FS

// SchemaURL is where editors fetch the spec's JSON Schema from (the same
// document `tpgen schema` prints).
const SchemaURL = "https://raw.githubusercontent.com/tpgen/tpgen/main/spec/schema.json"

// Params fill the templates.
type Params struct {
	// Package is the Go package name of the new directory.
	Package string
	// Table is the table name in the spec (and in SQL).
	Table string
}

// File is one rendered starter file.
type File struct {
	// Name is the file's base name: events.tpgen.yaml, source.go, generate.go.
	Name string
	// Content is the file's text, gofmt'd for Go files.
	Content []byte
}

// starters maps each template to the file it becomes, in the order Render
// returns them: the spec first, since it is what the user edits first.
func starters(table string) []struct{ tmpl, out string } {
	return []struct{ tmpl, out string }{
		{"spec.tpgen.yaml.tmpl", table + ".tpgen.yaml"},
		{"source.go.tmpl", "source.go"},
		{"generate.go.tmpl", "generate.go"},
	}
}

// Render returns the starter files for p, in a stable order: the spec,
// source.go, generate.go. Go files are gofmt'd.
func Render(p Params) ([]File, error) {
	if !token.IsIdentifier(p.Package) || token.IsKeyword(p.Package) {
		return nil, fmt.Errorf("templates: %q is not a valid Go package name", p.Package)
	}
	if p.Table == "" {
		return nil, fmt.Errorf("templates: empty table name")
	}
	var out []File
	for _, s := range starters(p.Table) {
		content, err := execute(s.tmpl, p)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(s.out, ".go") {
			if content, err = format.Source(content); err != nil {
				return nil, fmt.Errorf("template %s: %w", s.tmpl, err)
			}
		}
		out = append(out, File{Name: s.out, Content: content})
	}
	return out, nil
}

// execute renders one template as written, without formatting.
func execute(name string, p Params) ([]byte, error) {
	t, err := template.New(name).ParseFS(files, "files/"+name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	data := struct {
		Params
		SchemaURL string
	}{p, SchemaURL}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
