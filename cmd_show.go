package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/envfile"
	"planner-tui/ops/session"
)

func newShowCmd(o *options) *cobra.Command {
	var (
		asJSON bool
		params []string
	)
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a command, step or section: its script, risk, confirmation and status",
		Long: `show prints what planner-tui knows about one command, step or section. ID is a
full id from 'planner-tui list' or any unique part of it that starts after a "/"
(for example "backup-database" or "step-1-create-backup").

With --param NAME=VALUE (repeatable) it also shows the command as it would
run with those values (and those given earlier in this run): filled, secrets
masked, with the risk, phrase and what it destroys judged on it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.readOnly(cmd, func(s *session.Session) error {
				rb, run, w := s.Runbook(), s.Run(), cmd.OutOrStdout()
				pv, err := parseParams(params)
				if err != nil {
					return err
				}
				if c, err := rb.Command(args[0]); err == nil {
					var plan *session.Plan
					if len(pv) > 0 {
						if err := session.CheckParams(c, pv); err != nil {
							return &exitError{code: exitBadParam, err: err}
						}
						if plan, err = s.Plan(c.ID, pv); err != nil {
							return &exitError{code: exitBadParam, err: err}
						}
					}
					if asJSON {
						if plan != nil {
							return writeJSON(w, planJSON(plan))
						}
						return writeJSON(w, commandJSON(c, &run, s.Mask))
					}
					printCommand(w, c, &run, s.Mask)
					if plan != nil {
						fmt.Fprintln(w)
						printPlan(w, plan)
					}
					return nil
				}
				if len(pv) > 0 {
					return &exitError{code: exitBadParam, err: fmt.Errorf("--param: %s is not a command", args[0])}
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
				_, err = rb.Command(args[0])
				return &exitError{code: exitUnknownID, err: fmt.Errorf("%w (nor a step or section)", err)}
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringArrayVar(&params, "param", nil, "show the command filled with NAME=VALUE (repeatable)")
	return cmd
}

// parseParams reads --param NAME=VALUE flags ("<name>=value" works too).
// A value is never empty: an empty one is an error, not "ask later".
func parseParams(params []string) (map[string]string, error) {
	pv := map[string]string{}
	for _, kv := range params {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.Trim(k, "<>")
		switch {
		case !ok || k == "":
			return nil, &exitError{code: exitBadParam, err: fmt.Errorf("--param %q: want NAME=VALUE", kv)}
		case v == "":
			return nil, &exitError{code: exitBadParam, err: fmt.Errorf("--param %s: empty value (give the value, or leave the --param out to be told what is missing)", k)}
		}
		pv[k] = v
	}
	return pv, nil
}

// printPlan shows what will run: the filled command (secrets masked), its
// risk and, when it needs one, the phrase and what it destroys; values taken
// from earlier in the run are named with where they came from.
func printPlan(w io.Writer, p *session.Plan) {
	fmt.Fprintf(w, "will run: %s  [%s]\n", p.Command.Title, p.Command.ID)
	fmt.Fprintln(w, indent(p.Display, "  $ "))
	fmt.Fprintf(w, "  risk:    %s", p.Risk)
	if p.Reason != "" {
		fmt.Fprintf(w, " (%s)", p.Reason)
	}
	fmt.Fprintln(w)
	if p.Gate != "" {
		fmt.Fprintf(w, "  gate:    %s\n", p.Gate)
	}
	if p.NeedsPhrase() {
		fmt.Fprintf(w, "  destroys: %s\n  confirm: type %q (--confirm)\n", p.Destroys, p.Confirm)
	}
	if p.Approvals > 0 {
		fmt.Fprintf(w, "  approval: needs %d from another engineer (planner-tui approve ID) before it runs\n", p.Approvals)
	}
	if len(p.Missing) > 0 {
		fmt.Fprintf(w, "  missing: %s (give them with --param NAME=VALUE)\n", strings.Join(p.Missing, ", "))
	}
	for _, name := range sortedKeys(p.Reused) {
		fmt.Fprintf(w, "  reused:  <%s>=%s from %s\n", name, shownParam(name, p.Params[name]), p.Reused[name])
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// shownParam is a parameter value as the screen shows it: *** for
// secret-named ones (<token>).
func shownParam(name, v string) string {
	if envfile.IsSecretKey(name) {
		return "***"
	}
	return v
}

// jsonPlan is `show ID --param ... --json`: the command as it would run.
type jsonPlan struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Script   string            `json:"script"`
	Risk     checklist.Risk    `json:"risk"`
	Reason   string            `json:"reason,omitempty"`
	Confirm  string            `json:"confirm"`
	Destroys string            `json:"destroys,omitempty"`
	Gate     string            `json:"gate,omitempty"`
	Params   map[string]string `json:"params,omitempty"`
	Missing  []string          `json:"missing,omitempty"`
	Reused   map[string]string `json:"reused,omitempty"`
	Blocked  string            `json:"blocked,omitempty"`
	// Approvals is how many approvals of other engineers it needs.
	Approvals int `json:"approvals,omitempty"`
}

func planJSON(p *session.Plan) jsonPlan {
	params := map[string]string{}
	for k, v := range p.Params {
		params[k] = shownParam(k, v)
	}
	return jsonPlan{ID: p.Command.ID, Title: p.Command.Title, Script: p.Display, Risk: p.Risk, Reason: p.Reason,
		Confirm: p.Confirm, Destroys: p.Destroys, Gate: p.Gate, Params: params, Missing: p.Missing, Reused: p.Reused, Blocked: p.Blocked,
		Approvals: p.Approvals}
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
