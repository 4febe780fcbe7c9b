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

// splitAlt undoes the terminal's guess that esc and a key typed fast after
// it are one alt+key: the screen binds no alt key, so alt+q is esc then q
// (close the dialog, then quit; not a stray key). While a text field is
// being typed in, its own alt keys (alt+b, alt+f, alt+d, alt+backspace, …)
// keep their meaning there.
func splitAlt(msg tea.KeyPressMsg, editing bool) []tea.KeyPressMsg {
	if msg.Mod&tea.ModAlt == 0 {
		return []tea.KeyPressMsg{msg}
	}
	if editing {
		km := textinput.DefaultKeyMap()
		if key.Matches(msg, km.WordForward, km.WordBackward, km.DeleteWordBackward, km.DeleteWordForward) {
			return []tea.KeyPressMsg{msg}
		}
	}
	plain := msg
	plain.Mod &^= tea.ModAlt
	if plain.Text == "" && plain.Code >= 0x20 && plain.Code < 0x7f {
		plain.Text = string(plain.Code)
	}
	return []tea.KeyPressMsg{{Code: tea.KeyEscape}, plain}
}
