// Package session is one operator's handle on a runbook and its current run:
// it resolves what a command would do (Plan), enforces the guards (typed
// phrases, y/N, the fresh-backup gate, one command at a time, the operator
// lock), starts commands through the detached runner, and records state and
// audit. The headless CLI and the TUI both drive runs only through it.
package session
