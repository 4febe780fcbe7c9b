package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// op sql-lint prints FILE:LINE: rule: message and tells destructive (1),
// warnings only (3) and clean (0) apart by its exit code.
func TestOpSQLLint(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		code   int
		stdout []string // lines, FILE replaced by the file's path
		stderr string
	}{
		{"clean", "SET lock_timeout = '2s';\nALTER TABLE programs ADD COLUMN note text;\n", 0, nil, ""},
		{"destructive", "SET lock_timeout = '2s';\n\nALTER TABLE programs DROP COLUMN legacy_code;\n", 1,
			[]string{"FILE:3: ban-drop-column: DROP COLUMN programs.legacy_code deletes the column and its data; the running version still reads it"},
			"destructive: drop column programs.legacy_code"},
		{"warnings only", "CREATE INDEX ix ON programs (status);\n", 3,
			[]string{
				"FILE:1: require-concurrent-index-creation: CREATE INDEX without CONCURRENTLY blocks writes to programs until the index is built",
				"FILE:1: require-lock-timeout: programs is locked without a lock_timeout: behind a long query it waits, and every query on programs queues behind it (SET lock_timeout = '2s' first)",
			}, ""},
		{"does not parse", "SELECT 1;\nALTER TABLE programs DRP COLUMN x;\n", 1, nil, "FILE:2: parse error: syntax error at or near \"DRP\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "m.sql")
			if err := os.WriteFile(f, []byte(tt.sql), 0o600); err != nil {
				t.Fatal(err)
			}
			r := cli(t, "op", "sql-lint", f)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			want := ""
			for _, l := range tt.stdout {
				want += strings.ReplaceAll(l, "FILE", f) + "\n"
			}
			if r.stdout != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
			}
			if s := strings.ReplaceAll(tt.stderr, "FILE", f); !strings.Contains(r.stderr, s) {
				t.Errorf("stderr %q does not say %q", r.stderr, s)
			}
		})
	}
}

func TestOpSQLLintJSONFromStdin(t *testing.T) {
	c := command(t, "op", "sql-lint", "--json", "-")
	c.Stdin = strings.NewReader("SET lock_timeout = '2s';\nDROP TABLE legacy;\n")
	out, err := c.Output()
	if code := c.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit %d (%v), want 1", code, err)
	}
	var fs []struct {
		Line     int    `json:"line"`
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Action   string `json:"action"`
		Object   string `json:"object"`
	}
	if err := json.Unmarshal(out, &fs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(fs) != 1 || fs[0].Line != 2 || fs[0].Rule != "ban-drop-table" || fs[0].Severity != "destructive" || fs[0].Object != "legacy" {
		t.Errorf("findings %+v, want one ban-drop-table of legacy on line 2", fs)
	}
}
