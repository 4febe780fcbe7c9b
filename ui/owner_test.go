package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/session"
)

// An answer reaches the component that asked while it is open, and no
// other; once it is closed the answer is dropped.
func TestOwnedAnswerReachesOnlyItsOwner(t *testing.T) {
	d := newDriver(t, newEngine(t), 100, 30)
	pd := newParamsDialog("Login", []string{"version"}, func(map[string]string) tea.Msg { return nil })
	d.m.setDialog(pd)
	choices := []session.Choice{{Value: "v1.2.3"}}
	tests := []struct {
		name  string
		owner ownerID
		want  int
	}{
		{"another owner's answer", pd.id + 100, 0},
		{"its own answer", pd.id, 1},
	}
	for _, tt := range tests {
		d.send(ownedMsg{owner: tt.owner, msg: paramChoicesMsg{name: "version", choices: choices}})
		if got := len(pd.choices["version"]); got != tt.want {
			t.Fatalf("%s: the dialog has %d choices, want %d", tt.name, got, tt.want)
		}
	}
	d.keys("esc")
	if d.m.dlg != nil {
		t.Fatal("esc did not close the dialog")
	}
	// closed: dropped, nothing else gets it
	d.send(ownedMsg{owner: pd.id, msg: paramChoicesMsg{name: "version"}})
	if d.m.dlg != nil {
		t.Fatal("a late answer opened something")
	}
}

// ownedCmd addresses a batch's every answer to the owner.
func TestOwnedCmdWrapsABatch(t *testing.T) {
	one := func() tea.Msg { return flashMsg{text: "one"} }
	msg := ownedCmd(7, tea.Batch(one, one))()
	b, ok := msg.(tea.BatchMsg)
	if !ok || len(b) != 2 {
		t.Fatalf("got %#v", msg)
	}
	for _, c := range b {
		if om, ok := c().(ownedMsg); !ok || om.owner != 7 || om.msg.(flashMsg).text != "one" {
			t.Fatalf("got %#v", om)
		}
	}
	if ownedCmd(7, nil) != nil || ownedCmd(7, func() tea.Msg { return nil })() != nil {
		t.Fatal("nothing to address should stay nothing")
	}
}
