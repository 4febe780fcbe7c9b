package ui

// StatusMsg replaces the text of the status bar (the stack and database
// status that a background watcher reports). Send it with Program.Send.
type StatusMsg struct{ Line string }

// statusBar renders the reserved status line.
func (c *Context) statusBar(line string, w int) string {
	if line == "" {
		line = "status: –"
	}
	return fit(c.styles.Faint.Render(line), w)
}
