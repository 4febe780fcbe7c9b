package ui

import (
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
			d.Update(nil, paramChoicesMsg{name: "revision-id", choices: tt.choices})
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
