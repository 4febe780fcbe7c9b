package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// docs/cli-json.md is where a script's author learns what run's exit code
// means: every code run (or cancel) gives without the command's own exit
// code has its row, saying that nothing ran, and every outcome run --json
// can print is listed.
func TestRunExitCodesDocumented(t *testing.T) {
	src, err := os.ReadFile("docs/cli-json.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	_, table, ok := strings.Cut(doc, "## Exit codes of `planner-tui run`")
	if !ok {
		t.Fatal("docs/cli-json.md has no section on run's exit codes")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	rows := map[string][]string{} // code -> its rows' cells
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) == 3 {
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			rows[cells[0]] = cells
		}
	}
	tests := []struct {
		code    int
		meaning string // in the row's meaning
		ran     string // the row's "did the command run?" starts with it
	}{
		{exitBadParam, "bad parameter", "no"},
		{exitUnknownID, "unknown id", "no"},
		{exitRefused, "refused", "no"},
		{exitNoExit, "no exit code", "no"},
		{exitInternal, "could not get as far as the command", "no"},
		{0, "ended ok", "yes"},
		{1, "nothing was running", "yes"}, // cancel's 1; run's 1 for a failure at exit 0
		{3, "warning", "yes"},
	}
	for _, tt := range tests {
		row, ok := rows[strconv.Itoa(tt.code)]
		if !ok {
			t.Errorf("exit code %d has no row in the table of docs/cli-json.md", tt.code)
			continue
		}
		if !strings.Contains(row[1], tt.meaning) || !strings.HasPrefix(row[2], tt.ran) {
			t.Errorf("exit code %d: row %q, want its meaning to say %q and %q in the last column", tt.code, row, tt.meaning, tt.ran)
		}
	}
	// run --json's outcome: the statuses a command that ran ends with, and
	// what nothing() gives when nothing ran.
	_, outcome, ok := strings.Cut(doc, "- `outcome`:")
	if !ok {
		t.Fatal("docs/cli-json.md does not describe run --json's outcome")
	}
	outcome, _, _ = strings.Cut(outcome, "\n- ")
	for _, o := range []string{"ok", "warning", "failed", "interrupted", "refused", "unknown_id", "bad_parameter", "error"} {
		if !strings.Contains(outcome, "`"+o+"`") {
			t.Errorf("run --json's outcome %q is not in docs/cli-json.md: %q", o, outcome)
		}
	}
}
