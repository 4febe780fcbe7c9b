// Package report renders a run for people: the Markdown report of
// `planner-tui report` (for the change ticket), and the pieces the CLI's
// JSON and the screen's summary share (the deployment record, the checklist
// summary, the one-column status marks). It reads a runbook and a run and
// writes to the io.Writer it is given; every string that came from a
// command or an operator goes through the mask function the caller passes.
package report
