package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

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
