// Package notify sends webhook notifications of a run: run started,
// deployment started, destructive command confirmed, command failed,
// approval requested/granted, health gate failed, rollback started, run
// finished.
//
// Events are derived from audit records as the session appends them
// (Emitter is the session's Options.OnAudit), so every notification has
// its audit line. Sending never holds up a step: the emitter only writes
// one file per event and hook into a queue in the state dir (atomically:
// temp file, fsync, rename), and a Deliverer posts them, in order per
// hook, with retries and exponential backoff; an event still undelivered
// after the last retry is dropped with a `notify.dropped` audit record.
//
// Who delivers: the TUI runs a Deliverer goroutine for its lifetime; a
// headless command starts a detached deliverer process (this binary
// re-executed with EnvDeliver set, in its own session, like the step
// supervisor) after each event it queues, and every start that opens a
// run starts one when the queue is not empty. One deliverer at a time
// per state dir (a flock on notify/deliver.lock); one that finds it held
// exits, and the holder looks at the queue again before it goes.
//
// URL and secret come from the environment only (the runbook names the
// variables), and every string of a payload goes through the session's
// masker and the hooks' own URL and secret values. Bodies are signed:
// X-Planner-Signature: sha256=<hex HMAC-SHA256 of the body>.
package notify
