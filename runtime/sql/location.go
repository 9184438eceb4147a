package sql

import (
	"strings"

	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// nodeLocation finds where a parse-tree node starts in the SQL text. Many
// nodes (joins, subselects, locking clauses) carry no location of their
// own, so it falls back to the first located node inside them; -1 when
// nothing inside is located.
func nodeLocation(n proto.Message) int {
	if n == nil {
		return -1
	}
	if node, ok := n.(*pg.Node); ok {
		if node == nil {
			return -1
		}
	}
	return messageLocation(n.ProtoReflect(), 0)
}

// maxLocateDepth bounds the search: locations near the root are the
// useful ones, and deep trees should not make error reporting slow.
const maxLocateDepth = 64

func messageLocation(m protoreflect.Message, depth int) int {
	if !m.IsValid() || depth > maxLocateDepth {
		return -1
	}
	fields := m.Descriptor().Fields()
	if f := fields.ByName("location"); f != nil && f.Kind() == protoreflect.Int32Kind {
		if loc := int(m.Get(f).Int()); loc >= 0 {
			return loc
		}
	}
	// A Node is a oneof over every node type: look at the one that is set
	// instead of probing hundreds of empty fields.
	if oneofs := m.Descriptor().Oneofs(); oneofs.Len() == 1 && fields.Len() > 16 {
		f := m.WhichOneof(oneofs.Get(0))
		if f == nil || f.Kind() != protoreflect.MessageKind {
			return -1
		}
		return messageLocation(m.Get(f).Message(), depth+1)
	}
	best := -1
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		if f.Kind() != protoreflect.MessageKind || !m.Has(f) {
			continue
		}
		var loc int
		if f.IsList() {
			list := m.Get(f).List()
			loc = -1
			for j := 0; j < list.Len() && loc < 0; j++ {
				loc = messageLocation(list.Get(j).Message(), depth+1)
			}
		} else {
			loc = messageLocation(m.Get(f).Message(), depth+1)
		}
		if loc >= 0 && (best < 0 || loc < best) {
			best = loc
		}
	}
	return best
}

// findKeyword returns the byte offset of the first occurrence of keyword
// (matched case-insensitively as a whole word, outside quotes and
// comments) at or after from, or -1. Used to point at keywords such as
// UNION or JOIN whose parse nodes carry no location.
func findKeyword(sql string, from int, keyword string) int {
	if from < 0 {
		from = 0
	}
	for i := from; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(sql[i+1:], c)
			if j < 0 {
				return -1
			}
			i += j + 1
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return -1
			}
			i += j
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return -1
			}
			i += j + 3
		case len(sql)-i >= len(keyword) && strings.EqualFold(sql[i:i+len(keyword)], keyword) &&
			(i == 0 || !isWordByte(sql[i-1])) && (i+len(keyword) == len(sql) || !isWordByte(sql[i+len(keyword)])):
			return i
		}
	}
	return -1
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}
