// Package tuitest drives the real planner-tui binary in a real terminal:
// tmux on a private socket runs it at 120×40 (internal/tmuxtest), the tests
// type keys with `tmux send-keys` and read the screen with `tmux
// capture-pane -p`, polling for what a user would see. The runbook (testdata/runbook.md) runs only
// harmless commands: they touch a temp directory ($SCRATCH) and a stand-in
// docker-compose on PATH that records its arguments, so a test can tell
// whether a confirmed command really ran. The key budgets (keys_test.go)
// are the exception: they deploy and roll back the sandbox stack through
// the embedded runbook, so `make test` runs them alone, after e2e.
//
// The binary is $PLANNER_TUI_BIN when set (make test sets it), otherwise
// TestMain builds one. Without tmux the tests skip, except under CI=true
// where a missing tmux is a failure; with -short they skip.
package tuitest
