package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

type paramsSubmitted struct{ vals map[string]string }

// A secret-named parameter is typed with hidden echo; the value submitted
// is the one typed. An ordinary parameter shows as typed.
func TestSecretParamTypedHidden(t *testing.T) {
	d := newParamsDialog("Login", []string{"version", "token"}, func(v map[string]string) tea.Msg { return paramsSubmitted{v} })
	c := &Context{styles: NewStyles(true, true), width: 100, height: 30}
	d.bind(c)
	typ := func(s string) {
		for _, r := range s {
			d.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	typ("v1.2.3")
	d.Update(keyMsg("tab"))
	typ("hunter22-bearer-token")
	view := d.View()
	if strings.Contains(view, "hunter22") || !strings.Contains(view, "•••") {
		t.Errorf("the token shows while typed:\n%s", view)
	}
	if !strings.Contains(view, "v1.2.3") {
		t.Errorf("an ordinary parameter is hidden:\n%s", view)
	}
	d.Update(keyMsg("enter"))
	if len(c.pending) != 1 {
		t.Fatalf("enter emitted %v", c.pending)
	}
	if got := c.pending[0].(paramsSubmitted).vals; got["token"] != "hunter22-bearer-token" || got["version"] != "v1.2.3" {
		t.Errorf("submitted %q", got)
	}
}
