package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// The picker of a rollback parameter opens with the recorded value chosen
// and keeps what the operator typed.
func TestParamsDialogChoosesRecorded(t *testing.T) {
	submit := func(map[string]string) tea.Msg { return nil }
	rec := []session.Choice{{Value: "7c41e0b2d9a4", Label: "add status (recorded before this deploy)", Recorded: true}, {Value: "c9e8f1a2b3d4", Label: "head"}}
	tests := []struct {
		name     string
		choices  []session.Choice
		typed    string
		want     string
		wantCsel int
	}{
		{"recorded value chosen", rec, "", "7c41e0b2d9a4", 0},
		{"typed value kept", rec, "abc", "abc", -1},
		{"no record: nothing chosen", rec[1:], "", "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newParamsDialog("Downgrade", []string{"revision-id"}, submit)
			d.inputs[0].SetValue(tt.typed)
			d.Update(paramChoicesMsg{name: "revision-id", choices: tt.choices})
			if got := d.inputs[0].Value(); got != tt.want || d.csel != tt.wantCsel {
				t.Errorf("field %q, selection %d; want %q, %d", got, d.csel, tt.want, tt.wantCsel)
			}
		})
	}
}

// The header says what the run deployed, and that it rolled back, first.
func TestHeaderSaysRolledBack(t *testing.T) {
	at := time.Date(2026, 12, 2, 6, 12, 0, 0, time.Local)
	run := checklist.Run{ID: "r1", Operator: "alice@prod", Deployment: &checklist.DeploymentRecord{
		From: &checklist.StackState{AppVersion: "1.2.2"}, To: &checklist.StackState{AppVersion: "1.2.3"},
		RolledBack: &checklist.Rollback{At: at, State: &checklist.StackState{AppVersion: "1.2.2"}}}}
	c := &Context{styles: NewStyles(true, true), width: 80, height: 24, rb: &checklist.Runbook{Title: "Deploy"}, run: run}
	h := ansiStripStr(c.header(120, ""))
	if !strings.Contains(h, "deployed 1.2.2 → 1.2.3, rolled back to 1.2.2 at 06:12") {
		t.Errorf("header %q does not say the run rolled back", h)
	}
	c.run.Deployment = nil
	if h := ansiStripStr(c.header(120, "")); strings.Contains(h, "deployed") {
		t.Errorf("header %q speaks of a deployment the run has not done", h)
	}
}

// The timeline page tells every attempt, the failed one too, the phrase
// typed and the deployment, newest at the bottom, wrapped not cut.
func TestTimelinePage(t *testing.T) {
	rb, _, err := checklist.Parse("t.md", []byte("# T\n\n## Standard Deployment Procedure\n\n### Step 6\n\n```bash\n# Stop current containers\ndocker-compose down\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	id := rb.Commands()[0].ID
	t0 := time.Date(2026, 12, 2, 6, 0, 0, 0, time.Local)
	run := checklist.Run{ID: "r1", Commands: map[string]*checklist.CommandRun{}}
	for n, st := range []checklist.Status{checklist.Failed, checklist.OK} {
		cr := checklist.CommandRun{Status: st, JobID: fmt.Sprint("j", n), Attempt: n + 1, Started: t0.Add(time.Duration(n) * time.Minute), Ended: t0.Add(time.Duration(n)*time.Minute + 2*time.Second), Confirmed: "planner"}
		run.KeepAttempt(id, cr)
		run.Commands[id] = &cr
	}
	run.Deployment = &checklist.DeploymentRecord{From: &checklist.StackState{At: t0.Add(-time.Minute), AppVersion: "1.2.2"}}
	c := &Context{styles: NewStyles(true, true), width: 60, height: 24, rb: rb, run: run, now: t0.Add(time.Hour)}
	p := newTimeline(c)
	p.SetSize(60, 20)
	v := ansiStripStr(p.View())
	for _, want := range []string{"deploying from 1.2.2", "attempt 1: failed", "attempt 2: ok", `confirmed with "planner"`, "outage since"} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Errorf("timeline lacks %q:\n%s", want, v)
		}
	}
	if strings.Index(v, "attempt 1") > strings.Index(v, "attempt 2") {
		t.Errorf("attempts out of order:\n%s", v)
	}
}
