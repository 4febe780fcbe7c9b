package ui

import (
	"charm.land/bubbles/v2/key"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"planner-tui/ops/session"
)

// dialog is a modal over the screen: a Component whose Update returns nil
// when it closes, and whose ShortHelp is the bottom line while it is open.
// The root binds it to the context when it opens it (dlgBase).
type dialog interface {
	Component
	bind(c *Context)
}

func dialogWidth(c *Context) int { return max(40, min(c.width-4, 76)) }

// dialogTextWidth is the room for a line inside a dialog's box.
func dialogTextWidth(c *Context) int { return dialogWidth(c) - 4 }

func dialogBox(c *Context, title string, lines []string) string {
	w := dialogWidth(c)
	var out []string
	for _, l := range lines {
		if ansiWidth(l) > w-4 {
			out = append(out, wrapText(l, w-4)...)
		} else {
			out = append(out, l)
		}
	}
	for i := range out {
		out[i] = " " + out[i]
	}
	out = append([]string{""}, out...)
	out = append(out, "")
	out = elideMiddle(out, c.height-4)
	return c.styles.box(title, out, w, min(len(out)+2, c.height-2), true)
}

// elideMiddle keeps a dialog within n rows: when it is taller, rows are left
// out from its middle (a long command), never from its end, where the
// question and the input are.
func elideMiddle(rows []string, n int) []string {
	if len(rows) <= n || n < 5 {
		return rows
	}
	head := n / 3
	tail := n - head - 1
	out := append([]string{}, rows[:head]...)
	out = append(out, fmt.Sprintf("  … %d rows not shown: enlarge the window to see them", len(rows)-head-tail))
	return append(out, rows[len(rows)-tail:]...)
}

func newInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.SetWidth(50)
	in.Focus()
	return in
}

// confirmDialog asks a yes/no question that defaults to No: only "y" says
// yes; enter, n and esc say no; other keys do nothing.
type confirmDialog struct {
	dlgBase
	title string
	lines []string
	// live, when set, gives the lines at each View instead (a clock that
	// goes on while the dialog waits).
	live  func() []string
	onYes tea.Msg
	onNo  tea.Msg // may be nil
	// prompt and keys replace "Proceed? (y/N)" and "y: yes · enter/n/esc:
	// no" when set.
	prompt, keys string
}

func (d *confirmDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	switch km.String() {
	case "y", "Y":
		c.emit(d.onYes)
		return nil, nil
	case "n", "N", "enter", "esc", "q":
		if d.onNo != nil {
			c.emit(d.onNo)
		}
		return nil, nil
	}
	return d, nil
}

func (d *confirmDialog) View() string {
	c := d.c
	lines := append([]string{}, d.lines...)
	if d.live != nil {
		lines = d.live()
	}
	prompt, keys := "Proceed? (y/N)", "y: yes · enter/n/esc: no"
	if d.prompt != "" {
		prompt, keys = d.prompt, d.keys
	}
	lines = append(lines, "", c.styles.Bold.Render(prompt)+c.styles.Faint.Render("  "+keys))
	return dialogBox(c, d.title, lines)
}

func (d *confirmDialog) ShortHelp() []key.Binding {
	if d.keys != "" {
		return hints(d.keys)
	}
	return hints("y yes · enter/n/esc no")
}

func (d *confirmDialog) FullHelp() [][]key.Binding { return fullHelp(d) }

// phraseDialog guards a destructive (or gated) command: it runs only after
// the exact phrase is typed and enter pressed.
type phraseDialog struct {
	dlgBase
	plan  *session.Plan
	input textinput.Model
	wrong string
	run   func(phrase string) tea.Msg
}

func newPhraseDialog(p *session.Plan, run func(string) tea.Msg) *phraseDialog {
	return &phraseDialog{plan: p, input: newInput("> ", "type the phrase"), run: run}
}

func (d *phraseDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc":
			c.emit(flashMsg{text: "cancelled: nothing ran"})
			return nil, nil
		case "enter":
			typed := d.input.Value()
			if typed != d.plan.Confirm {
				d.wrong = "That is not the phrase: nothing ran. Type it exactly, or esc to cancel."
				d.input.Reset()
				// Through the same admission as a headless run, which
				// refuses a phrase that does not match what was shown
				// and audits the refusal (wrongphrase.go).
				return d, auditWrongPhrase(c.ctx, c.eng, d.plan, typed)
			}
			c.emit(d.run(typed))
			return nil, nil
		}
	}
	var cmd tea.Cmd
	d.input, cmd = updateInput(d.input, msg)
	return d, cmd
}

func (d *phraseDialog) View() string {
	c := d.c
	st := c.styles
	p := d.plan
	lines := []string{
		st.RiskLabel(p.Risk) + "  " + st.Bold.Render(p.Command.Title),
		"",
	}
	lines = append(lines, c.commandBlock(p.Display, dialogTextWidth(c))...)
	lines = append(lines, "")
	if p.Destroys != "" {
		lines = append(lines, st.Destructive.Render("Destroys:")+" "+p.Destroys)
	}
	if p.Gate != "" {
		lines = append(lines, st.Warn.Render("Gate:")+" "+p.Gate)
	}
	lines = append(lines, migrationLines(st, p.Migration)...)
	lines = append(lines, "")
	lines = append(lines, phraseLines(p.Confirm, dialogTextWidth(c), st.Bold.Render)...)
	lines = append(lines, d.input.View())
	if d.wrong != "" {
		lines = append(lines, st.Error.Render(d.wrong))
	}
	return dialogBox(c, "Confirm destructive command", lines)
}

// phraseLines asks for the phrase in one sentence when it fits, else with
// the phrase on lines of its own, whole: never cut with "…" and never split
// at a "-" or a space, which would read as two phrases. Only a phrase wider
// than the box is broken, at the width.
func phraseLines(phrase string, w int, bold func(...string) string) []string {
	if s := "To run it, type " + phrase + " and press enter."; ansiWidth(s) <= w {
		return []string{"To run it, type " + bold(phrase) + " and press enter."}
	}
	out := []string{"To run it, type this phrase and press enter:"}
	for rest := phrase; rest != ""; {
		part := ansi.Cut(rest, 0, w-2)
		if part == "" {
			part = string([]rune(rest)[:1]) // a wide rune at the edge
		}
		rest = rest[len(part):]
		out = append(out, "  "+bold(part))
	}
	return out
}

func (d *phraseDialog) ShortHelp() []key.Binding {
	return hints("type the phrase, enter runs · esc cancels")
}

func (d *phraseDialog) FullHelp() [][]key.Binding { return fullHelp(d) }

// pickItem is one choice of a picker.
type pickItem struct {
	label  string
	detail string
	hay    string // more text the filter looks at (a command's script)
	title  string // the item's own name, if any: an exact match ranks first
	// command, when set, is shown whole under the list while the item
	// is selected (the row's detail is only its first line)
	command string
	pick    tea.Msg
}

// pickerDialog lists choices, optionally filtered by typing.
type pickerDialog struct {
	dlgBase
	title  string
	intro  string
	items  []pickItem
	shown  []int
	sel    int
	filter *textinput.Model
}

func newPicker(title, intro string, items []pickItem, filter bool) *pickerDialog {
	d := &pickerDialog{title: title, intro: intro, items: items}
	if filter {
		in := newInput("filter: ", "type to filter")
		d.filter = &in
	}
	d.apply()
	return d
}

func (d *pickerDialog) apply() {
	d.shown = d.shown[:0]
	q := ""
	if d.filter != nil {
		q = strings.ToLower(strings.TrimSpace(d.filter.Value()))
	}
	// an item named exactly as typed comes first, then titles that contain
	// the query as typed, then any item that has all its words somewhere
	// (detail, script)
	var exact, rest []int
	for i, it := range d.items {
		label := strings.ToLower(ansiStripStr(it.label))
		switch {
		case q != "" && strings.EqualFold(strings.TrimSpace(it.title), q):
			exact = append(exact, i)
		case q == "" || strings.Contains(label, q):
			d.shown = append(d.shown, i)
		case matchWords(label+" "+strings.ToLower(it.detail+" "+it.hay), q):
			rest = append(rest, i)
		}
	}
	d.shown = append(append(exact, d.shown...), rest...)
	d.sel = max(0, min(d.sel, len(d.shown)-1))
}

// columnWidth is the width of a picker's first column: its widest entry
// among all rows (not only the ones shown), at most limit, so the rows do
// not reflow as the cursor or the filter moves.
func columnWidth(cells []string, limit int) int {
	w := 0
	for _, s := range cells {
		w = max(w, ansiWidth(s))
	}
	return min(w, limit)
}

// pickRow is one row of a picker: the first column padded (or cut) to lw,
// the detail after it, the whole exactly w cells whether selected or not.
func pickRow(st Styles, first, detail string, lw, w int, sel bool) string {
	s := fit(first, lw)
	if detail != "" {
		s += st.Faint.Render("  " + detail)
	}
	if sel {
		return st.Selected.Render(fit("▌"+ansiStripStr(s), w))
	}
	return fit(" "+s, w)
}

func matchWords(hay, q string) bool {
	for _, w := range strings.Fields(q) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func (d *pickerDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc":
			return nil, nil
		case "up", "ctrl+p":
			d.sel = max(0, d.sel-1)
			return d, nil
		case "down", "ctrl+n":
			d.sel = min(len(d.shown)-1, d.sel+1)
			return d, nil
		case "enter":
			if len(d.shown) == 0 {
				return d, nil
			}
			c.emit(d.items[d.shown[d.sel]].pick)
			return nil, nil
		}
		if d.filter == nil {
			switch km.String() {
			case "k":
				d.sel = max(0, d.sel-1)
			case "j":
				d.sel = min(len(d.shown)-1, d.sel+1)
			}
			return d, nil
		}
	}
	if d.filter == nil {
		return d, nil
	}
	var cmd tea.Cmd
	*d.filter, cmd = updateInput(*d.filter, msg)
	d.apply()
	return d, cmd
}

func (d *pickerDialog) View() string {
	c := d.c
	st := c.styles
	var lines []string
	if d.intro != "" {
		lines = append(lines, d.intro, "")
	}
	if d.filter != nil {
		lines = append(lines, d.filter.View(), "")
	}
	room := max(3, c.height-10-len(lines))
	start := max(0, d.sel-room+1)
	w := dialogWidth(c) - 6
	labels := make([]string, len(d.items))
	for i, it := range d.items {
		labels[i] = it.label
	}
	lw := columnWidth(labels, w/2)
	for k := start; k < len(d.shown) && k < start+room; k++ {
		it := d.items[d.shown[k]]
		lines = append(lines, pickRow(st, it.label, it.detail, lw, w, k == d.sel))
	}
	if len(d.shown) == 0 {
		lines = append(lines, st.Faint.Render("nothing matches"))
	} else if cmd := d.items[d.shown[d.sel]].command; cmd != "" {
		// as tall as the tallest command: the box keeps its size as
		// the cursor moves
		most := 0
		for _, it := range d.items {
			if it.command != "" {
				most = max(most, len(c.commandBlock(it.command, dialogTextWidth(c))))
			}
		}
		block := c.commandBlock(cmd, dialogTextWidth(c))
		lines = append(lines, "")
		lines = append(lines, block...)
		lines = append(lines, make([]string, most-len(block))...)
	}
	return dialogBox(c, d.title, lines)
}

func (d *pickerDialog) ShortHelp() []key.Binding {
	if d.filter != nil {
		return hints("type to filter · ↑/↓ choose · enter open · esc close")
	}
	return hints("↑/↓ choose · enter pick · esc close")
}

func (d *pickerDialog) FullHelp() [][]key.Binding { return fullHelp(d) }

// paramChoicesMsg carries the values a placeholder can take.
type paramChoicesMsg struct {
	name    string
	choices []session.Choice
	err     error
}

// paramsDialog asks for the placeholders a command still needs, offering
// listed values (git tags, alembic revisions, backups) to pick from.
type paramsDialog struct {
	dlgBase
	cmdTitle string
	display  string // the command as planned so far: <name> where unfilled
	names    []string
	inputs   []textinput.Model
	choices  map[string][]session.Choice
	errs     map[string]error
	focus    int
	csel     int // selected choice of the focused field, -1 none
	msg      string
	submit   func(values map[string]string) tea.Msg
	// from names the command a pre-filled value came from: a value
	// reused for a destructive command is shown and confirmed with enter.
	from map[string]string
}

// prefill puts a value from earlier in the run into a field, saying where
// it came from.
func (d *paramsDialog) prefill(name, value, from string) {
	for i, n := range d.names {
		if n == name {
			d.inputs[i].SetValue(value)
			d.inputs[i].CursorEnd()
			if d.from == nil {
				d.from = map[string]string{}
			}
			d.from[name] = from
		}
	}
}

// filled is the command with the values typed so far in place of their
// placeholders (a secret field's value stays hidden: *** ).
func (d *paramsDialog) filled() string {
	out := d.display
	for i, n := range d.names {
		v := strings.TrimSpace(d.inputs[i].Value())
		if v == "" {
			continue
		}
		if d.inputs[i].EchoMode != textinput.EchoNormal {
			v = "***"
		}
		out = strings.ReplaceAll(out, "<"+n+">", v)
	}
	return out
}

func newParamsDialog(title string, names []string, submit func(map[string]string) tea.Msg) *paramsDialog {
	d := &paramsDialog{cmdTitle: title, names: names, choices: map[string][]session.Choice{}, errs: map[string]error{}, csel: -1, submit: submit}
	for i, n := range names {
		in := newInput(fmt.Sprintf("%-20s ", "<"+n+">"), "value")
		hideIfSecret(n, &in)
		if i > 0 {
			in.Blur()
		}
		d.inputs = append(d.inputs, in)
	}
	return d
}

func (d *paramsDialog) move(to int) tea.Cmd {
	d.inputs[d.focus].Blur()
	d.focus = (to + len(d.inputs)) % len(d.inputs)
	d.csel = -1
	return d.inputs[d.focus].Focus()
}

func (d *paramsDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	switch msg := msg.(type) {
	case paramChoicesMsg:
		d.choices[msg.name] = msg.choices
		d.chooseRecorded(msg.name) // record.go
		if msg.err != nil {
			d.errs[msg.name] = msg.err
		}
		return d, nil
	case tea.KeyPressMsg:
		name := d.names[d.focus]
		ch := d.choices[name]
		switch msg.String() {
		case "esc":
			c.emit(flashMsg{text: "cancelled: nothing ran"})
			return nil, nil
		case "tab":
			return d, d.move(d.focus + 1)
		case "shift+tab":
			return d, d.move(d.focus - 1)
		case "down":
			if len(ch) > 0 {
				d.csel = min(len(ch)-1, d.csel+1)
				d.inputs[d.focus].SetValue(ch[d.csel].Value)
				d.inputs[d.focus].CursorEnd()
			}
			return d, nil
		case "up":
			if len(ch) > 0 && d.csel > 0 {
				d.csel--
				d.inputs[d.focus].SetValue(ch[d.csel].Value)
				d.inputs[d.focus].CursorEnd()
			}
			return d, nil
		case "enter":
			vals := map[string]string{}
			for i, n := range d.names {
				v := strings.TrimSpace(d.inputs[i].Value())
				if v == "" {
					d.msg = "<" + n + "> is empty"
					return d, d.move(i)
				}
				vals[n] = v
			}
			c.emit(d.submit(vals))
			return nil, nil
		}
	}
	var cmd tea.Cmd
	d.inputs[d.focus], cmd = updateInput(d.inputs[d.focus], msg)
	return d, cmd
}

func (d *paramsDialog) View() string {
	c := d.c
	st := c.styles
	lines := []string{st.Bold.Render(d.cmdTitle) + " needs:", ""}
	if d.display != "" {
		lines = append(lines, c.commandBlock(d.filled(), dialogTextWidth(c))...)
		for _, n := range d.names {
			if strings.Contains(d.filled(), "<"+n+">") {
				lines = append(lines, st.Warn.Render("  <"+n+"> unfilled: type it below"))
			}
		}
		lines = append(lines, "")
	}
	for _, in := range d.inputs {
		lines = append(lines, in.View())
	}
	for _, n := range d.names {
		if from, ok := d.from[n]; ok {
			lines = append(lines, st.Warn.Render("<"+n+"> is the value given to "+from+": enter uses it again for this command"))
		}
	}
	name := d.names[d.focus]
	lines = append(lines, "")
	switch ch, ok := d.choices[name]; {
	case !ok:
		lines = append(lines, st.Faint.Render("looking for values of <"+name+">…"))
	case d.errs[name] != nil && len(ch) == 0:
		lines = append(lines, st.Faint.Render("no list for <"+name+">: "+d.errs[name].Error()))
	case len(ch) == 0:
		lines = append(lines, st.Faint.Render("no listed values for <"+name+">: type one"))
	default:
		lines = append(lines, st.Faint.Render("↑/↓ pick a value:"))
		room := max(3, min(8, c.height-14-len(d.names)))
		start := max(0, d.csel-room+1)
		values := make([]string, len(ch))
		for i := range ch {
			values[i] = ch[i].Value
		}
		w := dialogWidth(c) - 6
		vw := columnWidth(values, w/2)
		for i := start; i < len(ch) && i < start+room; i++ {
			label := ""
			if ch[i].Label != ch[i].Value {
				label = ch[i].Label
			}
			lines = append(lines, pickRow(st, ch[i].Value, label, vw, w, i == d.csel))
		}
	}
	if d.msg != "" {
		lines = append(lines, st.Error.Render(d.msg))
	}
	return dialogBox(c, "Parameters", lines)
}

func (d *paramsDialog) ShortHelp() []key.Binding {
	return hints("type or ↑/↓ pick · tab next field · enter continue · esc cancel")
}

func (d *paramsDialog) FullHelp() [][]key.Binding { return fullHelp(d) }

// noteDialog adds a note to a step.
type noteDialog struct {
	dlgBase
	stepID, title string
	input         textinput.Model
}

func (d *noteDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc":
			return nil, nil
		case "enter":
			t := strings.TrimSpace(d.input.Value())
			if t == "" {
				return nil, nil
			}
			c.emit(noteMsg{stepID: d.stepID, text: t})
			return nil, nil
		}
	}
	var cmd tea.Cmd
	d.input, cmd = updateInput(d.input, msg)
	return d, cmd
}

func (d *noteDialog) View() string {
	c := d.c
	return dialogBox(c, "Note on "+d.title, []string{d.input.View()})
}

func (d *noteDialog) ShortHelp() []key.Binding { return hints("enter saves · esc cancels") }

func (d *noteDialog) FullHelp() [][]key.Binding { return fullHelp(d) }

// newRunDialog asks for the title of a new run.
type newRunDialog struct {
	dlgBase
	input textinput.Model
}

func (d *newRunDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc":
			c.emit(flashMsg{text: "no new run: the current one goes on"})
			return nil, nil
		case "enter":
			c.emit(newRunMsg{title: strings.TrimSpace(d.input.Value())})
			return nil, nil
		}
	}
	var cmd tea.Cmd
	d.input, cmd = updateInput(d.input, msg)
	return d, cmd
}

func (d *newRunDialog) View() string {
	c := d.c
	return dialogBox(c, "Start a new run", []string{
		"The current run (" + c.run.ID + ") is kept as it is; the new one starts empty.",
		"",
		d.input.View(),
	})
}

func (d *newRunDialog) ShortHelp() []key.Binding { return hints("enter starts the run · esc cancels") }

func (d *newRunDialog) FullHelp() [][]key.Binding { return fullHelp(d) }
