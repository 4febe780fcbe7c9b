// Package checklist is the runbook model: a Markdown runbook parsed into
// sections, steps, manual checks and runnable commands; the risk of each
// command; and the state of a run (what ran, when, with what result).
//
// It does no I/O beyond reading a runbook and reading or writing run state,
// and it never imports the ui or ops packages.
package checklist
