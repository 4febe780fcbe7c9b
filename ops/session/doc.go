// Package session is one operator's handle on a runbook and its current run:
// it resolves what a command would do (Plan), enforces the guards (typed
// phrases, y/N, the fresh-backup gate, one command at a time, the operator
// lock), starts commands through the detached runner, and records state and
// audit. The headless CLI and the TUI both drive runs only through it.
//
// Session is a facade over small parts (see its doc): planning, admission,
// recording, secrets and parameter choices. What the screen reads is an
// immutable Snapshot, read without a lock or I/O.
package session
