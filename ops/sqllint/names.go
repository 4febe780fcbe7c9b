package sqllint

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// tableName is schema.table, or the table alone when no schema is written
// (the migration's search_path decides, as it does for the server).
func tableName(r *pg_query.RangeVar) string {
	if r == nil {
		return "?"
	}
	if r.GetSchemaname() != "" {
		return r.GetSchemaname() + "." + r.GetRelname()
	}
	return r.GetRelname()
}

// qualified joins a dotted name given as a List of String nodes (DROP's
// objects).
func qualified(n *pg_query.Node) string {
	var parts []string
	for _, p := range n.GetList().GetItems() {
		parts = append(parts, p.GetString_().GetSval())
	}
	if len(parts) == 0 {
		return "?"
	}
	return strings.Join(parts, ".")
}

// stableFuncs are functions whose value is the same for every row of one
// statement (immutable or stable): a default of one of them is computed once
// and stored in the catalog, no table rewrite (PostgreSQL 11 and later).
var stableFuncs = map[string]bool{
	"now": true, "transaction_timestamp": true, "statement_timestamp": true,
	"current_date": true, "current_timestamp": true, "localtimestamp": true,
	"lower": true, "upper": true, "coalesce": true, "concat": true,
	"to_timestamp": true, "to_date": true, "make_interval": true, "jsonb_build_object": true,
	"json_build_object": true, "array": true,
}

// volatileCall returns the name of the first function called in the
// expression that is not known to be stable, "" when there is none. Unknown
// functions count as volatile: a false alarm costs a look, a miss a rewrite
// of the table under lock.
func volatileCall(n *pg_query.Node) string {
	found := ""
	walk(n.ProtoReflect(), func(m protoreflect.Message) bool {
		fc, ok := m.Interface().(*pg_query.FuncCall)
		if !ok {
			return true
		}
		name := ""
		if fn := fc.GetFuncname(); len(fn) > 0 {
			name = fn[len(fn)-1].GetString_().GetSval()
		}
		if !stableFuncs[strings.ToLower(name)] {
			found = name
			return false
		}
		return true
	})
	return found
}

// walk visits m and every message below it until visit returns false.
func walk(m protoreflect.Message, visit func(protoreflect.Message) bool) bool {
	if !visit(m) {
		return false
	}
	cont := true
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len() && cont; i++ {
				cont = walk(l.Get(i).Message(), visit)
			}
		case fd.Message() != nil && !fd.IsMap():
			cont = walk(v.Message(), visit)
		}
		return cont
	})
	return cont
}

// stmtStart skips the whitespace and comments the parser counts as part of a
// statement (everything after the previous semicolon), so that the line
// reported is the one the statement's first word is on.
func stmtStart(src string, off int) int {
	for off < len(src) {
		switch {
		case src[off] == ' ' || src[off] == '\t' || src[off] == '\n' || src[off] == '\r' || src[off] == '\f':
			off++
		case strings.HasPrefix(src[off:], "--"):
			nl := strings.IndexByte(src[off:], '\n')
			if nl < 0 {
				return len(src)
			}
			off += nl + 1
		case strings.HasPrefix(src[off:], "/*"):
			end := strings.Index(src[off+2:], "*/")
			if end < 0 {
				return len(src)
			}
			off += 2 + end + 2
		default:
			return off
		}
	}
	return off
}

// lineAt is the 1-based line of byte offset off.
func lineAt(src string, off int) int {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	return strings.Count(src[:off], "\n") + 1
}
