// Package e2e holds the end-to-end tests of planner-tui: they run the
// embedded runbook's commands headless through the real binary against the
// sandbox planner stack (sandbox/up.sh) and assert the effects an operator
// would see: files written, containers stopped and started, the database
// migrated and rolled back, the API answering with the right version.
//
// The tests need the sandbox: $PLANNER_SANDBOX (default
// /var/tmp/planner-sandbox)/planner-tui.env and a stack that answers. Without
// it they skip, except under CI=true, where they fail. With -short (make
// unit) they skip. They run one after the
// other (one stack) and reset the sandbox where they need its initial state.
// The binary is $PLANNER_TUI_BIN, else one built by TestMain.
package e2e
