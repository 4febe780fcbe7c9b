package ui

import (
	"fmt"

	"planner-tui/ops/session"
	"planner-tui/ops/sqllint"
)

// migrationLines show the last check of the migrations a command applies
// (the pending revisions and the lint findings of their SQL) in its
// confirmation, so the operator sees what the phrase is about. Pure
// formatting: the check ran at admission.
func migrationLines(st Styles, m *session.MigrationRisk) []string {
	if m == nil {
		return nil
	}
	if m.Err != "" {
		return []string{st.Warn.Render("Migrations:") + " not checked: " + m.Err}
	}
	cur := m.Current
	if cur == "" {
		cur = "none"
	}
	lines := []string{st.Bold.Render("Pending migrations") + fmt.Sprintf(" (database at %s, checked %s):", cur, m.Checked.Local().Format("15:04:05"))}
	for _, p := range m.Pending {
		lines = append(lines, "  "+p)
	}
	for _, f := range m.Findings {
		label := st.Warn.Render("warning")
		if f.Severity == sqllint.Destructive {
			label = st.Destructive.Render("DESTRUCTIVE")
		}
		lines = append(lines, fmt.Sprintf("  %s %s (SQL line %d): %s", label, f.Rule, f.Line, f.Message))
	}
	return lines
}
