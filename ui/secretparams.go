package ui

import (
	"charm.land/bubbles/v2/textinput"

	"planner-tui/ops/envfile"
)

// hideIfSecret makes the field of a secret-named parameter (<token>,
// <password>) echo bullets: the value is not on the screen (nor in a
// screen recording or over a shoulder) while it is typed. The engine masks
// it everywhere after and never stores it.
func hideIfSecret(name string, in *textinput.Model) {
	if envfile.IsSecretKey(name) {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
	}
}
