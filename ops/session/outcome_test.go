package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/checklist"
	"planner-tui/ops/runner"
)

// openOutcome opens a session on testdata/outcome.md, with a stand-in
// `planner-tui` first on the commands' PATH whose op exits 3 like a real
// op that found something to look at.
func openOutcome(t *testing.T) (*Session, *fixture) {
	t.Helper()
	f := newFixture(t)
	rb, err := filepath.Abs(filepath.Join("..", "..", "testdata", "outcome.md"))
	if err != nil {
		t.Fatal(err)
	}
	f.runbook = rb
	bin := filepath.Join(t.TempDir(), "planner-tui")
	script := "#!/bin/sh\necho \"  MISSING  REDIS_PASSWORD\"\nexit 3\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PLANNER_TUI_BIN", bin)
	return f.open(t), f
}

// A command's status comes from its exit code, its fence's rules and its
// output, on real jobs: exit 0 alone is not proof that a check passed.
func TestOutcomeOfRealJobs(t *testing.T) {
	s, f := openOutcome(t)
	tests := []struct {
		id         string
		exit       int
		status     checklist.Status
		detailHas  string // "" means no detail
		detailLack string
	}{
		{"checks/health/swallowed-health-check", 0, checklist.Failed, `output matched fail-if "failed!$": Health check failed!`, ""},
		{"checks/health/passing-health-check", 0, checklist.OK, "", ""},
		{"checks/health/failing-exit-and-failure-text", 7, checklist.Failed, `matched fail-if`, ""},
		// without a rule the old behaviour stays: exit 0 is ok (lint warns)
		{"checks/unfenced/swallowed-without-fail-if", 0, checklist.OK, "", ""},
		{"checks/unfenced/exit-3-from-something-else", 3, checklist.Failed, "", ""},
		{"checks/unfenced/an-op-that-needs-a-look", 3, checklist.Warning, "exit 3: planner-tui op says something needs a look", ""},
		{"checks/grep/look-for-errors", 0, checklist.Warning, "exit 0 is in warn-exit", ""},
		{"checks/grep/look-for-errors-in-a-clean-log", 1, checklist.OK, "exit 1 is in ok-exit", ""},
		{"checks/grep/grep-that-breaks", 2, checklist.Failed, "", ""},
		{"checks/warnings/warning-text-on-exit-0", 0, checklist.Warning, `output matched warn-if "(?i)^warning": WARNING: disk 91%`, ""},
		{"checks/warnings/warning-text-on-a-failing-exit", 1, checklist.Failed, "", ""},
		{"checks/warnings/secret-in-the-warning-line", 0, checklist.Warning, "warning: SECRET_KEY=", secretValue},
		{"checks/op-says-ok/op-whose-3-is-declared-ok", 3, checklist.OK, "exit 3 is in ok-exit", ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			cr, _ := run(t, s, tt.id, nil, "")
			if cr.Status != tt.status || cr.ExitCode != tt.exit {
				t.Fatalf("status %s exit %d (detail %q), want %s exit %d", cr.Status, cr.ExitCode, cr.Detail, tt.status, tt.exit)
			}
			if tt.detailHas == "" && cr.Detail != "" || !strings.Contains(cr.Detail, tt.detailHas) {
				t.Errorf("detail %q, want it to contain %q", cr.Detail, tt.detailHas)
			}
			if tt.detailLack != "" && strings.Contains(cr.Detail, tt.detailLack) {
				t.Errorf("detail %q shows %q", cr.Detail, tt.detailLack)
			}
			// what is saved and audited says the same
			saved := s.Run().Commands[tt.id]
			if saved.Status != tt.status || saved.Detail != cr.Detail {
				t.Errorf("saved %s %q, want %s %q", saved.Status, saved.Detail, tt.status, cr.Detail)
			}
			var outcome, message string
			for _, r := range auditEvents(t, f.state) {
				if r.Event == "run.end" && r.CommandID == tt.id {
					outcome, message = r.Outcome, r.Message
				}
			}
			if outcome != string(tt.status) {
				t.Errorf("audit run.end outcome %q, want %q", outcome, tt.status)
			}
			// the audit log says why, not only what: a warning, or a
			// failure on a fail-if match with exit 0
			if !strings.Contains(message, cr.Detail) {
				t.Errorf("audit run.end message %q lacks the reason %q", message, cr.Detail)
			}
			if tt.detailLack != "" && strings.Contains(message, tt.detailLack) {
				t.Errorf("audit run.end message %q shows %q", message, tt.detailLack)
			}
		})
	}
}

// An alternative that ended with a warning ran: the other one of its group
// is blocked as after an ok.
func TestWarningAlternativeBlocksTheOther(t *testing.T) {
	s, _ := openOutcome(t)
	if cr, _ := run(t, s, "checks/compare-env/compare-env-with-the-op", nil, ""); cr.Status != checklist.Warning {
		t.Fatalf("op: %s", cr.Status)
	}
	p := plan(t, s, "checks/compare-env/or-compare-env-with-diff", nil)
	if !strings.Contains(p.Blocked, "already ran in this run") {
		t.Errorf("the other alternative is not blocked: %q", p.Blocked)
	}
}

// fail-if and warn-if read the log line by line: a match after a line far
// longer than the read buffer is still found, and the quoted line is cut.
func TestScanOutputLongLines(t *testing.T) {
	log := filepath.Join(t.TempDir(), "output.log")
	long := strings.Repeat("x", 3*maxScanLine)
	body := long + "\nWARNING " + strings.Repeat("w", 500) + "\nall fine\nHealth check failed!\n"
	if err := os.WriteFile(log, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	rb, _, err := checklist.Parse("o.md", []byte("## S\n\n```bash {fail-if=\"failed!$\" warn-if=\"^WARNING\"}\necho\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := rb.Commands()[0].Outcome
	failLine, warnLine, longLine, err := scanOutput(log, o)
	if err != nil || failLine != "Health check failed!" || !strings.HasPrefix(warnLine, "WARNING ww") || !longLine {
		t.Fatalf("fail %q warn %.20q long line %v err %v", failLine, warnLine, longLine, err)
	}
	if _, _, _, err := scanOutput(filepath.Join(t.TempDir(), "none.log"), o); err == nil {
		t.Error("a missing log is not an error")
	}
}

// Only a person ticks a manual check, and a summary item that stands for
// a procedure is not ticked at all: its ✓ comes from the procedure.
func TestTickOnDerivedSummaryItemRefused(t *testing.T) {
	s, _ := openOutcome(t)
	tests := []struct {
		id      string
		refused bool
	}{
		{"summary/after/health-checks-passing", true},
		{"summary/after/pre-flight-checks-done", true},
		{"summary/after/team-notified", false},
		{"preflight/tests-green", false},
	}
	for _, tt := range tests {
		err := s.SetCheck(tt.id, true)
		if (err != nil) != tt.refused {
			t.Errorf("SetCheck(%s): %v, refused want %v", tt.id, err, tt.refused)
		}
		if st := s.Run().Checks[tt.id]; (st != nil && st.Done) == tt.refused {
			t.Errorf("%s ticked: %+v", tt.id, st)
		}
	}
	// unticking stays possible (a tick an older version stored)
	if err := s.SetCheck("summary/after/health-checks-passing", false); err != nil {
		t.Errorf("untick: %v", err)
	}
}

// partialRunbook has fail-if commands whose output the log cannot hold
// whole: past the output cap, and in a line longer than what is scanned.
const partialRunbook = "---\ntitle: Partial\nvars:\n  PLANNER_DIR: \".\"\n---\n\n# Partial\n\n## Out\n\n### Loud\n\n" +
	"```bash {fail-if=\"failed!$\"}\n# Fail past the cap\nfor i in $(seq 1 400); do echo \"line $i\"; done; echo 'Health check failed!'\n```\n\n" +
	"```bash {fail-if=\"failed!$\"}\n# Quiet and fine\necho fine\n```\n\n" +
	"```bash {fail-if=\"failed!$\"}\n# Fail at the end of a long line\nhead -c 70000 /dev/zero | tr '\\0' x; echo ' failed!'\n```\n\n" +
	"```bash\n# Loud without rules\nfor i in $(seq 1 400); do echo \"line $i\"; done\n```\n"

// fail-if checked on a log that lacks part of the output gives no ✓: the
// best outcome is a warning that says the output was not fully checked.
func TestIncompleteLogIsNotOK(t *testing.T) {
	f := newFixture(t)
	f.runbook = filepath.Join(t.TempDir(), "partial.md")
	if err := os.WriteFile(f.runbook, []byte(partialRunbook), 0o600); err != nil {
		t.Fatal(err)
	}
	s := f.open(t)
	tests := []struct {
		id        string
		cap       string
		status    checklist.Status
		detailHas string
	}{
		{"out/loud/fail-past-the-cap", "1K", checklist.Warning, "output not fully checked: "},
		{"out/loud/quiet-and-fine", "1K", checklist.OK, ""},
		{"out/loud/fail-at-the-end-of-a-long-line", "", checklist.Warning, "output not fully checked: a line longer than 64 KiB"},
		// no rule reads the output: the cap changes nothing
		{"out/loud/loud-without-rules", "1K", checklist.OK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Setenv("PLANNER_TUI_OUTPUT_CAP", tt.cap)
			cr, _ := run(t, s, tt.id, nil, "")
			if cr.Status != tt.status || !strings.Contains(cr.Detail, tt.detailHas) || tt.detailHas == "" && cr.Detail != "" {
				t.Fatalf("status %s detail %q, want %s with %q", cr.Status, cr.Detail, tt.status, tt.detailHas)
			}
			if tt.status == checklist.Warning {
				var msg string
				for _, r := range auditEvents(t, f.state) {
					if r.Event == "run.end" && r.CommandID == tt.id {
						msg = r.Message
					}
				}
				if !strings.Contains(msg, "output not fully checked") {
					t.Errorf("run.end says %q, want why it is a warning", msg)
				}
			}
		})
	}
	if cr := s.Run().Commands["out/loud/fail-past-the-cap"]; !strings.Contains(cr.Detail, "past the output cap") {
		t.Errorf("detail %q does not say the cap dropped output", cr.Detail)
	}
}

// A log the disk could not hold whole (LogError) cannot vouch for a
// fail-if either, and a fail-if match in what was logged still fails.
func TestJudgeWithLogError(t *testing.T) {
	s, _ := openOutcome(t)
	log := filepath.Join(t.TempDir(), "output.log")
	if err := os.WriteFile(log, []byte("all good so far\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const id = "checks/health/passing-health-check"
	cr := &checklist.CommandRun{Log: log}
	s.rec.judge(id, cr, runner.Result{ExitCode: 0, LogError: "write output.log: no space left on device"}, nil)
	if cr.Status != checklist.Warning || !strings.Contains(cr.Detail, "output not fully checked: the log is incomplete (write output.log: no space left on device)") {
		t.Errorf("status %s detail %q, want a warning naming the log error", cr.Status, cr.Detail)
	}
	if err := os.WriteFile(log, []byte("Health check failed!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.rec.judge(id, cr, runner.Result{ExitCode: 0, LogError: "disk full"}, nil)
	if cr.Status != checklist.Failed {
		t.Errorf("a fail-if match in an incomplete log: %s %q", cr.Status, cr.Detail)
	}
}
