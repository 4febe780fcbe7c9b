// Package sqllint reviews migration SQL before it runs. The SQL is parsed
// with PostgreSQL's own parser (pganalyze's pg_query_go v6, libpg_query: the
// server's grammar compiled in, so what PostgreSQL accepts parses here and
// what it rejects is an error with its position), never with patterns over
// text. The findings are modelled on Squawk's rules: statements that lose
// data are destructive; statements that take long locks on an existing table
// or break the version still running are warnings.
package sqllint

import (
	"errors"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
)

// Severity says whether a finding loses data.
type Severity string

const (
	// Destructive findings lose data: a table, a column or rows are gone.
	Destructive Severity = "destructive"
	// Warning findings lock an existing table for long or break the running
	// version, but keep the data.
	Warning Severity = "warning"
)

// Rule names, as Squawk spells them where Squawk has the rule.
const (
	RuleDropTable        = "ban-drop-table"
	RuleDropColumn       = "ban-drop-column"
	RuleTruncate         = "ban-truncate"
	RuleDeleteNoWhere    = "delete-without-where"
	RuleUpdateNoWhere    = "update-without-where"
	RuleColumnType       = "changing-column-type"
	RuleAddNotNull       = "adding-not-nullable-field"
	RuleSetNotNull       = "set-not-null"
	RuleVolatileDefault  = "adding-field-with-volatile-default"
	RuleConcurrentIndex  = "require-concurrent-index-creation"
	RuleRenameTable      = "renaming-table"
	RuleRenameColumn     = "renaming-column"
	RuleRequireLockTimer = "require-lock-timeout"
)

// Finding is one problem of one statement.
type Finding struct {
	Line     int      `json:"line"` // 1-based line of the statement's first token
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Action and Object name what happens to what: "drop column",
	// "programs.legacy_code". Together they are the phrase a destructive
	// finding adds to the risk.
	Action  string `json:"action"`
	Object  string `json:"object"`
	Message string `json:"message"`
}

// Phrase is what the finding does, for a confirmation: "drop column
// programs.legacy_code".
func (f Finding) Phrase() string {
	return strings.TrimSpace(f.Action + " " + f.Object)
}

// AnyDestructive reports whether any finding loses data.
func AnyDestructive(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Destructive {
			return true
		}
	}
	return false
}

// Phrases lists the distinct phrases of the destructive findings, in order.
func Phrases(fs []Finding) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Severity != Destructive || seen[f.Phrase()] {
			continue
		}
		seen[f.Phrase()] = true
		out = append(out, f.Phrase())
	}
	return out
}

// ParseError is SQL that PostgreSQL's parser rejects, with the line of the
// position it names.
type ParseError struct {
	Line    int
	Message string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// Lint parses sql and returns its findings in source order. SQL that does not
// parse is a *ParseError (nothing is reported from a file half understood).
func Lint(sql string) ([]Finding, error) {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, parseError(sql, err)
	}
	l := linter{src: sql, created: map[string]bool{}}
	for _, raw := range tree.GetStmts() {
		l.stmt(raw)
	}
	return l.findings, nil
}

func parseError(sql string, err error) error {
	line := 1
	var pe *parser.Error
	if errors.As(err, &pe) && pe.Cursorpos > 0 {
		line = lineAt(sql, pe.Cursorpos-1) // Cursorpos is 1-based
	}
	return &ParseError{Line: line, Message: err.Error()}
}

// linter walks the statements of one file, remembering what it needs across
// them: the tables the file creates (locks on a new table block nobody) and
// whether lock_timeout was set before the first lock on an existing table.
type linter struct {
	src         string
	findings    []Finding
	created     map[string]bool
	lockTimeout bool
	lockWarned  bool
}

func (l *linter) add(line int, rule string, sev Severity, action, object, msg string) {
	l.findings = append(l.findings, Finding{Line: line, Rule: rule, Severity: sev, Action: action, Object: object, Message: msg})
}

// locks notes a statement that takes a strong lock on an existing table: the
// first one without a lock_timeout set before it is a finding.
func (l *linter) locks(line int, table string) {
	if l.created[table] || l.lockTimeout || l.lockWarned {
		return
	}
	l.lockWarned = true
	l.add(line, RuleRequireLockTimer, Warning, "lock", table,
		fmt.Sprintf("%s is locked without a lock_timeout: behind a long query it waits, and every query on %s queues behind it (SET lock_timeout = '2s' first)", table, table))
}

func (l *linter) stmt(raw *pg_query.RawStmt) {
	line := lineAt(l.src, stmtStart(l.src, int(raw.GetStmtLocation())))
	n := raw.GetStmt()
	switch {
	case n.GetVariableSetStmt() != nil:
		if strings.EqualFold(n.GetVariableSetStmt().GetName(), "lock_timeout") {
			l.lockTimeout = true
		}
	case n.GetCreateStmt() != nil:
		l.created[tableName(n.GetCreateStmt().GetRelation())] = true
	case n.GetDropStmt() != nil:
		l.drop(line, n.GetDropStmt())
	case n.GetTruncateStmt() != nil:
		for _, r := range n.GetTruncateStmt().GetRelations() {
			t := tableName(r.GetRangeVar())
			l.add(line, RuleTruncate, Destructive, "truncate", t, fmt.Sprintf("TRUNCATE %s deletes every row", t))
		}
	case n.GetDeleteStmt() != nil:
		d := n.GetDeleteStmt()
		if d.GetWhereClause() == nil {
			t := tableName(d.GetRelation())
			l.add(line, RuleDeleteNoWhere, Destructive, "delete all rows of", t, fmt.Sprintf("DELETE without WHERE deletes every row of %s", t))
		}
	case n.GetUpdateStmt() != nil:
		u := n.GetUpdateStmt()
		if u.GetWhereClause() == nil {
			t := tableName(u.GetRelation())
			l.add(line, RuleUpdateNoWhere, Destructive, "overwrite all rows of", t, fmt.Sprintf("UPDATE without WHERE overwrites every row of %s (and rewrites the table under lock)", t))
		}
	case n.GetAlterTableStmt() != nil:
		l.alterTable(line, n.GetAlterTableStmt())
	case n.GetIndexStmt() != nil:
		ix := n.GetIndexStmt()
		t := tableName(ix.GetRelation())
		if !ix.GetConcurrent() && !l.created[t] {
			l.add(line, RuleConcurrentIndex, Warning, "create index", ix.GetIdxname()+" on "+t,
				fmt.Sprintf("CREATE INDEX without CONCURRENTLY blocks writes to %s until the index is built", t))
			l.locks(line, t)
		}
	case n.GetRenameStmt() != nil:
		l.rename(line, n.GetRenameStmt())
	}
}

func (l *linter) drop(line int, d *pg_query.DropStmt) {
	switch d.GetRemoveType() {
	case pg_query.ObjectType_OBJECT_TABLE:
		for _, o := range d.GetObjects() {
			t := qualified(o)
			l.add(line, RuleDropTable, Destructive, "drop table", t, fmt.Sprintf("DROP TABLE %s deletes the table and all its rows", t))
			if !l.created[t] {
				l.locks(line, t)
			}
		}
	}
}

func (l *linter) alterTable(line int, a *pg_query.AlterTableStmt) {
	if a.GetObjtype() != pg_query.ObjectType_OBJECT_TABLE {
		return
	}
	t := tableName(a.GetRelation())
	isNew := l.created[t]
	for _, c := range a.GetCmds() {
		cmd := c.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		col := t + "." + cmd.GetName()
		switch cmd.GetSubtype() {
		case pg_query.AlterTableType_AT_DropColumn:
			l.add(line, RuleDropColumn, Destructive, "drop column", col,
				fmt.Sprintf("DROP COLUMN %s deletes the column and its data; the running version still reads it", col))
		case pg_query.AlterTableType_AT_AlterColumnType:
			if !isNew {
				l.add(line, RuleColumnType, Warning, "change type of", col,
					fmt.Sprintf("changing the type of %s rewrites %s under an ACCESS EXCLUSIVE lock and may break the running version", col, t))
			}
		case pg_query.AlterTableType_AT_SetNotNull:
			if !isNew {
				l.add(line, RuleSetNotNull, Warning, "set not null", col,
					fmt.Sprintf("SET NOT NULL on %s scans %s under an ACCESS EXCLUSIVE lock (add a CHECK (... IS NOT NULL) NOT VALID constraint and validate it instead)", col, t))
			}
		case pg_query.AlterTableType_AT_AddColumn:
			if !isNew {
				l.addColumn(line, t, cmd.GetDef().GetColumnDef())
			}
		}
	}
	if !isNew {
		l.locks(line, t)
	}
}

func (l *linter) addColumn(line int, table string, def *pg_query.ColumnDef) {
	if def == nil {
		return
	}
	col := table + "." + def.GetColname()
	notNull := def.GetIsNotNull()
	var dflt *pg_query.Node
	for _, c := range def.GetConstraints() {
		switch con := c.GetConstraint(); con.GetContype() {
		case pg_query.ConstrType_CONSTR_NOTNULL:
			notNull = true
		case pg_query.ConstrType_CONSTR_DEFAULT:
			dflt = con.GetRawExpr()
		}
	}
	if dflt != nil {
		if fn := volatileCall(dflt); fn != "" {
			l.add(line, RuleVolatileDefault, Warning, "add column", col,
				fmt.Sprintf("adding %s with the volatile default %s() rewrites %s under an ACCESS EXCLUSIVE lock", col, fn, table))
		}
	}
	if notNull && dflt == nil {
		l.add(line, RuleAddNotNull, Warning, "add column", col,
			fmt.Sprintf("adding %s NOT NULL without a default fails on a table that has rows, and the running version does not set it", col))
	}
}

func (l *linter) rename(line int, r *pg_query.RenameStmt) {
	t := tableName(r.GetRelation())
	switch r.GetRenameType() {
	case pg_query.ObjectType_OBJECT_TABLE:
		l.add(line, RuleRenameTable, Warning, "rename table", t,
			fmt.Sprintf("renaming %s to %s breaks the running version, which still uses the old name", t, r.GetNewname()))
	case pg_query.ObjectType_OBJECT_COLUMN:
		col := t + "." + r.GetSubname()
		l.add(line, RuleRenameColumn, Warning, "rename column", col,
			fmt.Sprintf("renaming %s to %s breaks the running version, which still uses the old name", col, r.GetNewname()))
	default:
		return
	}
	if !l.created[t] {
		l.locks(line, t)
	}
}
