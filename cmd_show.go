package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/ops/session"

	"planner-tui/checklist"
)

func newShowCmd(o *options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a command, step or section: its script, risk, confirmation and status",
		Long: `show prints what planner-tui knows about one command, step or section. ID is a
full id from 'planner-tui list' or any unique part of it that starts after a "/"
(for example "backup-database" or "step-1-create-backup").`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.readOnly(cmd, func(s *session.Session) error {
				rb, run, w := s.Runbook(), s.Run(), cmd.OutOrStdout()
				if c, err := rb.Command(args[0]); err == nil {
					if asJSON {
						return writeJSON(w, commandJSON(c, &run, s.Mask))
					}
					printCommand(w, c, &run, s.Mask)
					return nil
				}
				if st, err := rb.Step(args[0]); err == nil {
					if asJSON {
						full := runbookJSON(rb, &run, nil, s.Mask)
						for _, sec := range full.Sections {
							for _, js := range sec.Steps {
								if js.ID == st.ID {
									return writeJSON(w, js)
								}
							}
						}
					}
					printStep(w, st, &run, s.Mask)
					return nil
				}
				if sec, _ := rb.Anchor(args[0]); sec != nil {
					if asJSON {
						for _, js := range runbookJSON(rb, &run, nil, s.Mask).Sections {
							if js.ID == sec.ID {
								return writeJSON(w, js)
							}
						}
					}
					fmt.Fprintf(w, "## %s  [%s]  %s:%d\n", sec.Title, sec.ID, rb.Path, sec.Line)
					if sec.Intro != "" {
						fmt.Fprintln(w, indent(sec.Intro, "  "))
					}
					for _, st := range sec.Steps {
						fmt.Fprintln(w)
						printStep(w, st, &run, s.Mask)
					}
					return nil
				}
				_, err := rb.Command(args[0])
				return fmt.Errorf("%w (nor a step or section)", err)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printStep(w io.Writer, st *checklist.Step, run *checklist.Run, mask func(string) string) {
	title := st.Title
	if st.Group != "" {
		title = st.Group + " / " + title
	}
	fmt.Fprintf(w, "### %s  [%s]\n", title, st.ID)
	if b := strings.TrimSpace(st.Body); b != "" {
		fmt.Fprintln(w, indent(b, "  "))
	}
	for _, ck := range st.Checks {
		mark := " "
		if cs := run.Checks[ck.ID]; cs != nil && cs.Done {
			mark = "x"
		}
		fmt.Fprintf(w, "  [%s] %s\n", mark, ck.Text)
	}
	for _, c := range st.Commands {
		fmt.Fprintln(w)
		printCommand(w, c, run, mask)
	}
}

func printCommand(w io.Writer, c *checklist.Command, run *checklist.Run, mask func(string) string) {
	fmt.Fprintf(w, "%s  [%s]\n", c.Title, c.ID)
	fmt.Fprintf(w, "  risk:    %s", c.Risk)
	if c.Reason != "" {
		fmt.Fprintf(w, " (%s)", c.Reason)
	}
	fmt.Fprintln(w)
	if c.Risk == checklist.Destructive {
		fmt.Fprintf(w, "  destroys: %s\n  confirm: type %q\n", c.Destroys, c.Confirm)
	}
	if c.AltOf != "" {
		fmt.Fprintf(w, "  alternative to: %s\n", c.AltOf)
	}
	if len(c.Params) > 0 {
		fmt.Fprintf(w, "  params:  %s\n", strings.Join(c.Params, ", "))
	}
	if o := c.Outcome.String(); o != "" {
		fmt.Fprintf(w, "  outcome: %s\n", o)
	}
	status := string(checklist.Pending)
	if cr := run.Commands[c.ID]; cr != nil {
		status = string(cr.Status)
		if ended(cr.Status) {
			status += fmt.Sprintf(" (exit %d)", cr.ExitCode)
		}
		if cr.Detail != "" {
			status += ": " + mask(cr.Detail)
		}
		if cr.Log != "" {
			status += "  log: " + cr.Log
		}
	}
	fmt.Fprintf(w, "  status:  %s\n", status)
	fmt.Fprintln(w, indent(mask(c.Script), "    "))
}
