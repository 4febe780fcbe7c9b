package checklist

import (
	"strings"
	"testing"
)

// A step that assigns a front matter variable is warned about at the line
// of the assignment; inline and local assignments are not.
func TestLintShadow(t *testing.T) {
	src := "---\nvars:\n  TOOL: ls\n  DB_NAME: planner\n---\n# T\n## S\n### A\n```sh\necho start\nTOOL=rm\n```\n### B\n```sh\nDB_NAME=other psql -c 'SELECT 1'\nf() { local TOOL=x; echo $TOOL; }\nexport DB_NAME\n```\n### C\n```sh\nexport DB_NAME=x\nread -r TOOL\n```\n"
	var got []string
	for _, p := range Lint("r.md", []byte(src)) {
		if strings.Contains(p.Message, "front matter defines") {
			got = append(got, p.String())
		}
	}
	want := []string{
		"r.md:11: warning: command \"echo start\" assigns $TOOL, which the front matter defines (TOOL: ls)",
		"r.md:21: warning: command \"export DB_NAME=x\" assigns $DB_NAME",
		"r.md:22: warning: command \"export DB_NAME=x\" assigns $TOOL",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d warnings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("got  %s\nwant %s...", got[i], want[i])
		}
	}
}
