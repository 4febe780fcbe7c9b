package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// riskStack is a stack on testdata/risk.md: commands whose risk depends on
// their parameters.
func riskStack(t *testing.T) *stack {
	t.Helper()
	s := newStack(t)
	rb, err := filepath.Abs(filepath.Join("testdata", "risk.md"))
	if err != nil {
		t.Fatal(err)
	}
	s.runbook = rb
	return s
}

// run and show judge the command that will run, print it filled before it
// runs, and ask for the phrase of what it is, not of its template.
func TestRunJudgesTheFilledCommand(t *testing.T) {
	s := riskStack(t)
	scratch := filepath.Join(s.marks, "x")
	if err := os.Mkdir(scratch, 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
		stdout string // "" = the command did not run
	}{
		{"compose <action>=down with --yes", []string{"run", "act-on-the-stack", "--param", "action=down", "--yes"}, exitRefused,
			[]string{"$ docker-compose down", "risk:    destructive", `confirm: type "testproj"`, `type "testproj" to confirm`}, ""},
		{"compose <action>=down with the project", []string{"run", "act-on-the-stack", "--param", "action=down", "--confirm", "testproj"}, 0,
			[]string{"$ docker-compose down"}, "fake compose down"},
		{"compose <action>=ps", []string{"run", "act-on-the-stack", "--param", "action=ps"}, 0,
			[]string{"$ docker-compose ps", "risk:    safe"}, "fake compose ps"},
		{"<tool>=rm -rf with --yes", []string{"run", "use-a-tool-on-the-scratch-dir", "--param", "tool=rm", "--yes"}, exitRefused,
			[]string{`$ rm -rf "$MARK_DIR/x"`, `confirm: type "` + scratch + `"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, s.args(tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
				}
			}
			if (tt.stdout == "") != (!strings.Contains(r.stdout, "fake compose")) || !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
		})
	}
	if _, err := os.Stat(scratch); err != nil {
		t.Errorf("rm -rf through <tool> ran without its phrase: %v", err)
	}

	r := cli(t, s.args("show", "act-on-the-stack", "--param", "action=down")...)
	for _, want := range []string{"$ docker-compose down", "risk:    destructive", `confirm: type "testproj"`, "compose project testproj"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("show --param action=down: exit %d, does not say %q:\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}
	var p jsonPlan
	jsonOf(t, &p, s.args("show", "--json", "act-on-the-stack", "--param", "action=ps")...)
	if p.Risk.String() != "safe" || p.Confirm != "" || p.Script != "docker-compose() { echo \"fake compose $*\"; }\ndocker-compose ps" {
		t.Errorf("show --json --param action=ps: %+v", p)
	}
}

// Parameters are never guessed: unknown names and empty values are errors,
// and a value from another command is given again for a command that needs
// a phrase.
func TestRunParamsAreNeverGuessed(t *testing.T) {
	s := riskStack(t)
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"run", "reset-to-a-commit", "--param", "comit=abc123", "--confirm", "testproj"}, "parameter <comit>: unknown parameter: its parameters are <commit>"},
		{[]string{"run", "reset-to-a-commit", "--param", "commit=", "--confirm", "testproj"}, "--param commit: empty value"},
		{[]string{"show", "reset-to-a-commit", "--param", "version=1"}, "its parameters are <commit>"},
	}
	for _, tt := range tests {
		r := cli(t, s.args(tt.args...)...)
		if r.code != exitBadParam || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, r.code, r.stderr, exitBadParam, tt.stderr)
		}
	}
	if r := cli(t, s.args("run", "show-a-commit", "--param", "commit=abc123")...); r.code != 0 || !strings.Contains(r.stdout, "commit abc123") {
		t.Fatalf("show a commit: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	r := cli(t, s.args("run", "reset-to-a-commit", "--confirm", "testproj")...)
	if r.code != exitRefused || strings.Contains(r.stdout, "fake git") ||
		!strings.Contains(r.stderr, "reused:  <commit>=abc123 from filled/commit/show-a-commit") || !strings.Contains(r.stderr, "--param commit=abc123") {
		t.Errorf("reset with a reused commit: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli(t, s.args("run", "reset-to-a-commit", "--param", "commit=abc123", "--confirm", "testproj")...)
	if r.code != 0 || !strings.Contains(r.stdout, "fake git reset --hard abc123") {
		t.Errorf("reset with the commit given again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
