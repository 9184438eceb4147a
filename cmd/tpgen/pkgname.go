package main

import "go/build"

// packageOf returns the package name declared by the Go files already in
// dir (generate.go, source.go), or "" when there are none or they
// disagree. Generated files must join that package even when it differs
// from the directory's name (a directory v2 holding package events), which
// the generator alone cannot know. go/build applies build constraints and
// ignores _test packages, as the go command does.
func packageOf(dir string) string {
	p, err := build.ImportDir(dir, 0)
	if err != nil {
		return ""
	}
	return p.Name
}
