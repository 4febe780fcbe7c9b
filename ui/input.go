package ui

import (
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// updateInput is textinput's Update for every text field of the screen.
// bubbles v2.2.1 (the newest the proxy serves) panics in deleteWordForward
// when one character is right of the cursor (alt+d, or esc then d typed
// fast, which the terminal reports as alt+d): the key is handled here
// instead, with the same meaning.
func updateInput(in textinput.Model, msg tea.Msg) (textinput.Model, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok && in.Focused() && key.Matches(km, in.KeyMap.DeleteWordForward) {
		deleteWordForward(&in)
		return in, nil
	}
	return in.Update(msg)
}

// deleteWordForward deletes from the cursor to the end of the next word
// (spaces first, then the word). A masked field loses everything after the
// cursor, as bubbles does, so as not to reveal where its words break.
func deleteWordForward(in *textinput.Model) {
	v := []rune(in.Value())
	pos := in.Position()
	if pos >= len(v) {
		return
	}
	end := len(v)
	if in.EchoMode == textinput.EchoNormal {
		end = pos
		for end < len(v) && unicode.IsSpace(v[end]) {
			end++
		}
		for end < len(v) && !unicode.IsSpace(v[end]) {
			end++
		}
	}
	in.SetValue(string(v[:pos]) + string(v[end:]))
	in.SetCursor(pos)
}
