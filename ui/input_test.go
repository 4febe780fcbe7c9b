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
