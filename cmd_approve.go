package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/ops/session"
)

// exitAwaitingApproval is `run`'s exit code for a command that waits for
// another engineer's approval (sysexits' EX_TEMPFAIL: try again later). A
// request was made; nothing ran.
const exitAwaitingApproval = 75

// newDecideCmd is `approve ID` (approve true) or `reject ID`: another
// engineer's decision on an operator's request. It needs only the
// operator's state dir (--state-dir, as the request's message prints it),
// never the runbook, and writes nothing but its decision file.
func newDecideCmd(o *options, approve bool) *cobra.Command {
	var (
		note   string
		asJSON bool
	)
	verb, word := "approve", "approved"
	short := "Approve another engineer's request to run a command (planner-tui approve ID)"
	if !approve {
		verb, word = "reject", "rejected"
		short = "Reject another engineer's request to run a command, with a note saying why"
	}
	cmd := &cobra.Command{
		Use:   verb + " [ID]",
		Short: short,
		Long: `The runbook can require that another engineer approves a command (approvals:
in its front matter, approvals=N on a fence). The operator's planner-tui then
refuses it with "awaiting approval ID" and names the command to type:

  planner-tui ` + verb + ` ID --state-dir DIR

It shows the request (the filled command, its risk, what it destroys, who
asked and their note) and records the decision. The approver must be another
Unix user than the operator: a self-approval is refused (so is root acting for
the operator through sudo). A request expires (15 minutes unless the runbook
says otherwise) and is bound to the exact filled command in that run. After an
approval the operator still types the confirmation phrase.

Without ID it lists the requests that wait for a decision in the state dir.

Exit codes: 0 recorded; 65 no such request; 66 refused (self-approval,
expired, decided already); 70 the state dir or the request cannot be read.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return &exitError{code: exitBadParam, err: fmt.Errorf("%s takes one request id, got %d arguments", verb, len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := o.stateDirOrDefault()
			if err != nil {
				return &exitError{code: exitInternal, err: err}
			}
			w := cmd.OutOrStdout()
			if len(args) == 0 {
				return listPending(w, dir, asJSON)
			}
			st, err := session.LoadApproval(dir, args[0])
			if err != nil {
				if errors.Is(err, session.ErrNoApproval) {
					return &exitError{code: exitUnknownID, err: err}
				}
				return &exitError{code: exitInternal, err: err}
			}
			if !asJSON {
				printApproval(w, st)
			}
			st2, err := session.Decide(dir, args[0], approve, note, version)
			if st2 != nil {
				st = st2
			}
			var refused *session.ApprovalRefusedError
			if asJSON {
				if werr := writeJSON(w, st); werr != nil {
					return werr
				}
			}
			switch {
			case errors.As(err, &refused):
				return &exitError{code: exitRefused, err: err}
			case err != nil:
				return &exitError{code: exitInternal, err: err}
			}
			if !asJSON {
				fmt.Fprintf(w, "%s: %s %s. The operator's planner-tui sees it within a second (a headless run at its next try)", st.ID, word, "by you")
				if approve {
					fmt.Fprintf(w, "; they still type the confirmation phrase")
				}
				fmt.Fprintln(w, ".")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note for the operator (why), kept in the audit log")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the request and its state as JSON")
	return cmd
}

// printApproval shows a request as an approver needs to judge it. What the
// request says is shown with control characters replaced: a note (or a
// command) must not move the cursor or rewrite the lines above it on the
// approver's terminal.
func printApproval(w io.Writer, st *session.ApprovalStatus) {
	c := *st
	for _, f := range []*string{&c.RunTitle, &c.CommandTitle, &c.CommandID, &c.Risk, &c.Destroys, &c.Note, &c.Command, &c.Operator.User, &c.Operator.Host, &c.Operator.SudoUser} {
		*f = printable(*f)
	}
	for i := range c.Decisions {
		c.Decisions[i].Note = printable(c.Decisions[i].Note)
	}
	st = &c
	fmt.Fprintf(w, "approval request %s  (%s)\n", st.ID, st.State)
	fmt.Fprintf(w, "  run:       %s  %s\n", st.RunID, st.RunTitle)
	fmt.Fprintf(w, "  command:   %s  [%s]\n", st.CommandTitle, st.CommandID)
	fmt.Fprintf(w, "  risk:      %s\n", st.Risk)
	if st.Destroys != "" {
		fmt.Fprintf(w, "  destroys:  %s\n", st.Destroys)
	}
	fmt.Fprintf(w, "  operator:  %s (uid %d)\n", st.Operator, st.Operator.UID)
	if st.Note != "" {
		fmt.Fprintf(w, "  note:      %s\n", st.Note)
	}
	fmt.Fprintf(w, "  asked:     %s, expires %s\n", st.Created.Local().Format("15:04:05"), st.Expires.Local().Format("15:04:05"))
	fmt.Fprintln(w, "  it runs exactly:")
	for _, l := range strings.Split(st.Command, "\n") {
		fmt.Fprintln(w, "    "+l)
	}
	for _, d := range st.Decisions {
		word := "approved"
		if !d.Approve {
			word = "rejected"
		}
		fmt.Fprintf(w, "  %s by %s at %s", word, d.Approver, d.At.Local().Format("15:04:05"))
		if d.Note != "" {
			fmt.Fprintf(w, ": %s", d.Note)
		}
		fmt.Fprintln(w)
	}
}

// printable replaces control characters but newline and tab with "?".
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || (r >= 0x20 && r != 0x7f && (r < 0x80 || r > 0x9f)) {
			return r
		}
		return '?'
	}, s)
}

// listPending lists the requests waiting for a decision in dir.
func listPending(w io.Writer, dir string, asJSON bool) error {
	pending, err := session.PendingApprovals(dir)
	if err != nil {
		return &exitError{code: exitInternal, err: err}
	}
	if asJSON {
		if pending == nil {
			pending = []*session.ApprovalStatus{}
		}
		return writeJSON(w, pending)
	}
	if len(pending) == 0 {
		fmt.Fprintf(w, "no request waits for a decision in %s\n", dir)
		return nil
	}
	for _, st := range pending {
		fmt.Fprintf(w, "%s  %s  %s  asked by %s, expires %s\n", st.ID, printable(st.Risk), printable(st.CommandTitle),
			printable(st.Operator.String()), st.Expires.Local().Format("15:04:05"))
	}
	return nil
}
