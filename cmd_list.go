package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/ops/report"
	"planner-tui/ops/session"

	"planner-tui/checklist"
)

// The JSON shapes of `list --json` and `show --json` (documented in
// docs/cli-json.md). Field names are part of the interface.
type jsonRunbook struct {
	Title    string            `json:"title"`
	Path     string            `json:"path"`
	Run      string            `json:"run,omitempty"`
	Vars     map[string]string `json:"vars"`
	Sections []jsonSection     `json:"sections"`
}

type jsonSection struct {
	ID    string     `json:"id"`
	Title string     `json:"title"`
	Line  int        `json:"line"`
	Steps []jsonStep `json:"steps"`
}

type jsonStep struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Group    string        `json:"group,omitempty"`
	Line     int           `json:"line"`
	Links    []string      `json:"links,omitempty"`
	Checks   []jsonCheck   `json:"checks"`
	Commands []jsonCommand `json:"commands"`
}

type jsonCheck struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Line int    `json:"line"`
	Link string `json:"link,omitempty"`
	Done bool   `json:"done"`
}

type jsonCommand struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Script      string   `json:"script"`
	Line        int      `json:"line"`
	Risk        string   `json:"risk"`
	Reason      string   `json:"reason,omitempty"`
	Confirm     string   `json:"confirm"` // always present: "" when no phrase is needed
	Destroys    string   `json:"destroys,omitempty"`
	Params      []string `json:"params,omitempty"`
	Sets        []string `json:"sets,omitempty"`
	Uses        []string `json:"uses,omitempty"`
	AltOf       string   `json:"alt_of,omitempty"`
	Interactive bool     `json:"interactive,omitempty"`
	Timeout     string   `json:"timeout,omitempty"`
	Status      string   `json:"status"`
	ExitCode    *int     `json:"exit_code,omitempty"`
	Outcome     string   `json:"outcome,omitempty"` // the rules besides "exit 0 is ok": fail-if, warn-if, ok-exit, warn-exit
	Detail      string   `json:"detail,omitempty"`  // why the status is what it is when the exit code alone does not say
	Log         string   `json:"log,omitempty"`
}

func commandJSON(c *checklist.Command, run *checklist.Run, mask func(string) string) jsonCommand {
	j := jsonCommand{
		ID: c.ID, Title: c.Title, Script: mask(c.Script), Line: c.Line, Risk: c.Risk.String(),
		Reason: c.Reason, Confirm: c.Confirm, Destroys: c.Destroys, Params: c.Params,
		Sets: c.Sets, Uses: c.Uses, AltOf: c.AltOf, Interactive: c.Interactive,
		Status: string(checklist.Pending), Outcome: c.Outcome.String(),
	}
	if c.Timeout > 0 {
		j.Timeout = c.Timeout.String()
	}
	if cr := run.Commands[c.ID]; cr != nil {
		j.Status = string(cr.Status)
		if ended(cr.Status) {
			code := cr.ExitCode
			j.ExitCode = &code
		}
		j.Detail = mask(cr.Detail)
		j.Log = cr.Log
	}
	return j
}

func runbookJSON(rb *checklist.Runbook, run *checklist.Run, vars map[string]string, mask func(string) string) jsonRunbook {
	out := jsonRunbook{Title: rb.Title, Path: rb.Path, Run: run.ID, Vars: map[string]string{}, Sections: []jsonSection{}}
	for k, v := range vars {
		out.Vars[k] = mask(v)
	}
	for _, sec := range rb.Sections {
		js := jsonSection{ID: sec.ID, Title: sec.Title, Line: sec.Line, Steps: []jsonStep{}}
		for _, st := range sec.Steps {
			jst := jsonStep{ID: st.ID, Title: st.Title, Group: st.Group, Line: st.Line, Links: st.Links, Checks: []jsonCheck{}, Commands: []jsonCommand{}}
			for _, ck := range st.Checks {
				done := ck.Done
				if cs := run.Checks[ck.ID]; cs != nil {
					done = cs.Done
				}
				jst.Checks = append(jst.Checks, jsonCheck{ID: ck.ID, Text: ck.Text, Line: ck.Line, Link: ck.Link, Done: done})
			}
			for _, c := range st.Commands {
				jst.Commands = append(jst.Commands, commandJSON(c, run, mask))
			}
			js.Steps = append(js.Steps, jst)
		}
		out.Sections = append(out.Sections, js)
	}
	return out
}

func newListCmd(o *options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the runbook's sections, steps, checks and commands with their status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.readOnly(cmd, func(s *session.Session) error {
				run := s.Run()
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), runbookJSON(s.Runbook(), &run, s.Vars(), s.Mask))
				}
				printList(cmd.OutOrStdout(), s.Runbook(), &run)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (schema in docs/cli-json.md)")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ended: the command ran to its end, so its exit code means something.
func ended(s checklist.Status) bool { return report.Ended(s) }

// statusMark is the one-column status of a command in text output: ✓ only
// for ok; a warning is ⚠.
func statusMark(cr *checklist.CommandRun) string { return report.StatusMark(cr) }

func printList(w io.Writer, rb *checklist.Runbook, run *checklist.Run) {
	fmt.Fprintf(w, "%s  (%s)\n", rb.Title, rb.Path)
	if run.ID != "" {
		fmt.Fprintf(w, "run %s\n", run.ID)
	}
	for _, sec := range rb.Sections {
		fmt.Fprintf(w, "\n## %s  [%s]\n", sec.Title, sec.ID)
		for _, st := range sec.Steps {
			title := st.Title
			if st.Group != "" {
				title = st.Group + " / " + title
			}
			fmt.Fprintf(w, "  ### %s  [%s]\n", title, st.ID)
			for _, ck := range st.Checks {
				mark := " "
				if cs := run.Checks[ck.ID]; (cs != nil && cs.Done) || (cs == nil && ck.Done) {
					mark = "x"
				}
				link := ""
				if ck.Link != "" {
					link = "  → " + ck.Link
				}
				fmt.Fprintf(w, "    [%s] %s%s\n", mark, ck.Text, link)
			}
			for _, c := range st.Commands {
				alt := ""
				if c.AltOf != "" {
					alt = "  (alternative)"
				}
				fmt.Fprintf(w, "    %s %-11s %s%s\n        %s\n", statusMark(run.Commands[c.ID]), c.Risk, c.Title, alt, c.ID)
			}
		}
	}
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
