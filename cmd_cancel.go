package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/ops/session"
)

func newCancelCmd(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "cancel [ID]",
		Short: "Stop a command left running (by a planner-tui that died, or another run)",
		Long: `cancel stops the command of the current run that is still running, or the
one named ID: SIGTERM to its process group through its supervisor, SIGKILL
after the grace period. It waits for the end and records it (state and audit
log), as if cancelled where it was started.

Like any write to the run it needs the operator lock. A live planner-tui
that holds it (a TUI, or a 'run' following its command) is named, and cancel
refuses (exit 66): stop the command there (Ctrl+C, or c in the TUI).

Exit codes: 0 cancelled and recorded; 1 nothing was running; 65 no such
command; 66 refused (the lock is held); 70 planner-tui could not get that far.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return &exitError{code: exitBadParam, err: fmt.Errorf("cancel takes at most one command id, got %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			s, err := o.open(cmd.Context(), false)
			if err != nil {
				return &exitError{code: exitInternal, err: err}
			}
			defer s.Close()
			if id != "" {
				if _, err := s.Runbook().Command(id); err != nil {
					return &exitError{code: exitUnknownID, err: err}
				}
			}
			cr, err := s.CancelRunning(cmd.Context(), id)
			var refused *session.RefusedError
			switch {
			case errors.As(err, &refused):
				return &exitError{code: exitRefused, err: fmt.Errorf("refused to cancel: %s", refused.Reason)}
			case errors.Is(err, session.ErrNothingRunning):
				return &exitError{code: 1, err: err}
			case err != nil:
				return err
			}
			msg := strings.TrimSpace(fmt.Sprintf("%s (exit %d) %s", cr.Status, cr.ExitCode, cr.Error))
			fmt.Fprintf(cmd.OutOrStdout(), "cancelled: %s\nlog: %s\n", msg, cr.Log)
			return nil
		},
	}
}
