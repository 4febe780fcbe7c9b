package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outcomeStack is a planner dir for testdata/outcome.md: a .env with the
// variables op env-check requires, and an example with one more, so that
// a real `planner-tui op env-check` step ends with 3 (a warning).
func outcomeStack(t *testing.T) (args func(...string) []string, planner string) {
	t.Helper()
	rb, err := filepath.Abs(filepath.Join("testdata", "outcome.md"))
	if err != nil {
		t.Fatal(err)
	}
	planner, state := t.TempDir(), t.TempDir()
	env := "SECRET_KEY=" + secretText + "\nPOSTGRES_PASSWORD=pg-Pw-77aa\nREDIS_PASSWORD=rd-Pw-88bb\n"
	writeFile(t, filepath.Join(planner, ".env"), env)
	writeFile(t, filepath.Join(planner, ".env.production.example"), env+"FEATURE_FLAG=on\n")
	return func(a ...string) []string {
		return append([]string{"--runbook", rb, "--dir", planner, "--state-dir", state}, a...)
	}, planner
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run's exit code and the JSON of list, status and report say warning for
// a command that ran but needs a look, and failed for a check that
// printed its failure and exited 0.
func TestOutcomeInCLI(t *testing.T) {
	args, _ := outcomeStack(t)
	runs := []struct {
		id     string
		code   int // of `planner-tui run`
		status string
		exit   int // the command's own
		detail string
	}{
		{"checks/unfenced/an-op-that-needs-a-look", 3, "warning", 3, "exit 3: planner-tui op says something needs a look"},
		{"checks/grep/look-for-errors", 3, "warning", 0, "exit 0 is in warn-exit"},
		{"checks/health/swallowed-health-check", 1, "failed", 0, `output matched fail-if "failed!$": Health check failed!`},
		{"checks/grep/look-for-errors-in-a-clean-log", 0, "ok", 1, "exit 1 is in ok-exit"},
	}
	for _, tt := range runs {
		r := cli(t, args("run", tt.id)...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.status+": "+tt.detail) {
			t.Errorf("run %s: exit %d, want %d; stderr:\n%s", tt.id, r.code, tt.code, r.stderr)
		}
	}
	if r := cli(t, args("run", "checks/unfenced/an-op-that-needs-a-look")...); !strings.Contains(r.stdout, "NEW in the example, not in .env: FEATURE_FLAG") {
		t.Errorf("op env-check output: %s", r.stdout)
	}

	var rb jsonRunbook
	jsonOf(t, &rb, args("list", "--json")...)
	var status struct {
		Sections []struct {
			Counts map[string]int `json:"counts"`
		} `json:"sections"`
		Summary []summaryGroupJSON `json:"summary"`
	}
	jsonOf(t, &status, args("status", "--json")...)
	var rep reportJSON
	jsonOf(t, &rep, args("report", "--json")...)
	for _, tt := range runs {
		var lc *jsonCommand
		for _, sec := range rb.Sections {
			for _, st := range sec.Steps {
				for i := range st.Commands {
					if st.Commands[i].ID == tt.id {
						lc = &st.Commands[i]
					}
				}
			}
		}
		if lc == nil || lc.Status != tt.status || lc.ExitCode == nil || *lc.ExitCode != tt.exit || !strings.Contains(lc.Detail, tt.detail) {
			t.Errorf("list --json %s: %+v", tt.id, lc)
		}
		var rc *reportCommand
		for i := range rep.Commands {
			if rep.Commands[i].ID == tt.id {
				rc = &rep.Commands[i]
			}
		}
		if rc == nil || rc.Status != tt.status || rc.ExitCode == nil || *rc.ExitCode != tt.exit || !strings.Contains(rc.Detail, tt.detail) {
			t.Errorf("report --json %s: %+v", tt.id, rc)
		}
	}
	// the rules show with the command
	want := map[string]string{
		"checks/grep/look-for-errors":               "ok-exit=1 warn-exit=0",
		"checks/unfenced/an-op-that-needs-a-look":   "warn-exit=3 (planner-tui op)",
		"checks/health/swallowed-health-check":      `fail-if="failed!$"`,
		"checks/unfenced/swallowed-without-fail-if": "",
	}
	for _, sec := range rb.Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				if w, ok := want[c.ID]; ok && c.Outcome != w {
					t.Errorf("list --json %s: outcome %q, want %q", c.ID, c.Outcome, w)
				}
			}
		}
	}
	if r := cli(t, args("show", "checks/grep/look-for-errors")...); !strings.Contains(r.stdout, "outcome: ok-exit=1 warn-exit=0") {
		t.Errorf("show:\n%s", r.stdout)
	}

	counts := map[string]int{}
	for _, sec := range status.Sections {
		for k, n := range sec.Counts {
			counts[k] += n
		}
	}
	if counts["warning"] != 2 || counts["failed"] != 1 || counts["ok"] != 1 {
		t.Errorf("status --json counts %v", counts)
	}
	items := map[string]string{}
	for _, g := range append(status.Summary, rep.Summary...) {
		for _, it := range g.Items {
			if prev, ok := items[it.Text]; ok && prev != it.Status {
				t.Errorf("status and report disagree on %q: %s vs %s", it.Text, prev, it.Status)
			}
			items[it.Text] = it.Status
		}
	}
	want = map[string]string{"Health checks passing": "failed", "No errors in logs": "warning", "Pre-flight checks done": "pending", "Team notified": "pending"}
	for text, st := range want {
		if items[text] != st {
			t.Errorf("summary item %q: %q, want %q (all: %v)", text, items[text], st, items)
		}
	}

	// The text forms: ⚠ for the warning, never ✓.
	report := cli(t, args("report")...).stdout
	for _, w := range []string{"- ⚠ **Look for errors** — warning, exit 0 (exit 0 is in warn-exit)", "[⚠] No errors in logs", "[✗] Health checks passing"} {
		if !strings.Contains(report, w) {
			t.Errorf("report lacks %q:\n%s", w, report)
		}
	}
	if strings.Contains(report, "✓ **Look for errors**") || strings.Contains(report, secretText) {
		t.Errorf("report shows ✓ for a warning or a secret:\n%s", report)
	}
	if st := cli(t, args("status")...).stdout; !strings.Contains(st, "1 ok, 2 warning, 1 failed") || !strings.Contains(st, "[⚠] No errors in logs — needs a look: Look for errors") {
		t.Errorf("status:\n%s", st)
	}
}

// The planner-tui op exit codes: 0 ok, 1 failed, 3 ran but needs a look.
func TestOpExitCodes(t *testing.T) {
	required := "SECRET_KEY=a-Secret-1234\nPOSTGRES_PASSWORD=pg-Pw-77aa\nREDIS_PASSWORD=rd-Pw-88bb\n"
	logs := t.TempDir()
	writeFile(t, filepath.Join(logs, "clean.log"), "INFO started\nINFO served\n")
	writeFile(t, filepath.Join(logs, "errors.log"), "INFO started\nERROR boom\n")
	writeFile(t, filepath.Join(logs, "warnings.log"), "WARNING slow\n")
	tests := []struct {
		name         string
		env, example string // "" writes no file
		op           []string
		code         int
		out          string
	}{
		{"env same as the example", required, required, []string{"env-check"}, 0, "same variables as"},
		{"env lacks a variable of the example", required, required + "FEATURE_FLAG=on\n", []string{"env-check"}, 3, "NEW in the example, not in .env: FEATURE_FLAG"},
		{"env has one the example lacks", required + "OLD=1\n", required, []string{"env-check"}, 3, "only in .env: OLD"},
		{"env empty where the example has a value", required + "FEATURE_FLAG=\n", required + "FEATURE_FLAG=on\n", []string{"env-check"}, 3, "EMPTY in .env, set in the example: FEATURE_FLAG"},
		{"no example to compare with", required, "", []string{"env-check"}, 3, "cannot compare"},
		{"a required variable missing", "SECRET_KEY=a-Secret-1234\n", "SECRET_KEY=\n", []string{"env-check"}, 1, "MISSING  POSTGRES_PASSWORD"},
		{"logs without errors", required, required, []string{"logs-scan", "--file", filepath.Join(logs, "clean.log")}, 0, "0 errors"},
		{"logs with warnings only", required, required, []string{"logs-scan", "--file", filepath.Join(logs, "warnings.log")}, 0, "0 errors, 1 warnings"},
		{"logs with errors", required, required, []string{"logs-scan", "--file", filepath.Join(logs, "errors.log")}, 3, "1 errors"},
		{"logs that cannot be read", required, required, []string{"logs-scan", "--file", filepath.Join(logs, "none.log")}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			planner := t.TempDir()
			writeFile(t, filepath.Join(planner, ".env"), tt.env)
			if tt.example != "" {
				writeFile(t, filepath.Join(planner, ".env.production.example"), tt.example)
			}
			r := cli(t, append([]string{"--dir", planner, "--state-dir", t.TempDir(), "op"}, tt.op...)...)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.out) {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "a-Secret-1234") {
				t.Errorf("a secret in clear:\n%s", r.stdout)
			}
		})
	}
}
