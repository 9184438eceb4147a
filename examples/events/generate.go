// Package events is tpgen's headline example: the events table of the
// design document (key-partitioned by region, ordered by ts, with exact
// region and inexact ts filter pushdown), served by Synth, a source that
// synthesises events deterministically. Everything but source.go is
// generated from events.tpgen.yaml.
package events

//go:generate go run github.com/tpgen/tpgen/cmd/tpgen generate events.tpgen.yaml
