package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The hidden `man DIR` writes a page for the root and for each visible
// command, generated from the same text as --help.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if r := inProcess(t, "", "man", dir); r.code != 0 {
		t.Fatalf("man: exit %d: %s", r.code, r.stderr)
	}
	for page, want := range map[string]string{
		"planner-tui.1":        `.TH "PLANNER-TUI" "1"`,
		"planner-tui-doctor.1": "backup dir",
		"planner-tui-run.1":    "--confirm",
	} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v; want it to hold %q", page, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "planner-tui-man.1")); err == nil {
		t.Error("the hidden man command has a page")
	}
}
