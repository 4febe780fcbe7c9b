// Package ops holds what touches the world, in sub-packages: the command
// runner, Docker, PostgreSQL, the host, HTTP checks, backups, env files,
// secret masking, the audit log and the operator lock. This package itself
// holds Target: where the planner stack is and how to reach it, derived from
// the runbook's variables.
//
// Nothing under ops imports ui.
package ops
