package ui

import (
	"testing"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// TestDeleteWordForwardNeverPanics: alt+d with one character right of the
// cursor made bubbles v2.2.1's textinput index past its value and crash the
// whole screen. Every text field goes through updateInput.
func TestDeleteWordForwardNeverPanics(t *testing.T) {
	altD := tea.KeyPressMsg{Code: 'd', Mod: tea.ModAlt}
	tests := []struct {
		value string
		pos   int
		echo  textinput.EchoMode
		want  string
	}{
		{"ab", 1, textinput.EchoNormal, "a"},
		{"a", 0, textinput.EchoNormal, ""},
		{"a ", 0, textinput.EchoNormal, " "},
		{"x  ", 1, textinput.EchoNormal, "x"},
		{"one two three", 3, textinput.EchoNormal, "one three"},
		{"one two", 0, textinput.EchoNormal, " two"},
		{"one two", 7, textinput.EchoNormal, "one two"},
		{"", 0, textinput.EchoNormal, ""},
		{"héllo wörld", 2, textinput.EchoNormal, "hé wörld"},
		{"secret value", 3, textinput.EchoPassword, "sec"},
	}
	for _, tt := range tests {
		in := newInput("> ", "")
		in.EchoMode = tt.echo
		in.SetValue(tt.value)
		in.SetCursor(tt.pos)
		in, _ = updateInput(in, altD)
		if got := in.Value(); got != tt.want {
			t.Errorf("alt+d on %q at %d: got %q, want %q", tt.value, tt.pos, got, tt.want)
		}
	}
}

// TestBubblesDeleteWordForwardStillPanics documents why updateInput exists:
// when a bubbles release fixes it, this fails and the workaround can go.
func TestBubblesDeleteWordForwardStillPanics(t *testing.T) {
	in := newInput("> ", "")
	in.SetValue("ab")
	in.SetCursor(1)
	defer func() {
		if recover() == nil {
			t.Fatal("bubbles textinput no longer panics on alt+d: drop the workaround in updateInput")
		}
	}()
	in.Update(tea.KeyPressMsg{Code: 'd', Mod: tea.ModAlt})
}

// Through the screen: alt+d in the new-run dialog's field (esc then d
// typed fast reads the same) deletes the word and the screen goes on.
func TestAltDInADialogFieldDoesNotCrashTheScreen(t *testing.T) {
	d := newDriver(t, newTestEngine(t), 100, 30)
	d.keys("N")
	d.waitText("what is this run for?")
	d.typ("ab")
	d.send(tea.KeyPressMsg{Code: tea.KeyLeft})
	d.send(tea.KeyPressMsg{Code: 'd', Mod: tea.ModAlt})
	dlg, ok := d.m.dlg.(*newRunDialog)
	if !ok {
		t.Fatalf("the dialog closed: %T", d.m.dlg)
	}
	if got := dlg.input.Value(); got != "a" {
		t.Errorf("after alt+d: %q, want %q", got, "a")
	}
	d.waitText("> a")
}
