package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// auditPath is the audit log: --log, else the state dir's.
func (o *options) auditPath(file string) (string, error) {
	if file != "" {
		return file, nil
	}
	dir, err := o.stateDirOrDefault()
	if err != nil {
		return "", err
	}
	return (&checklist.Store{Dir: dir}).AuditPath(), nil
}

func newAuditCmd(o *options) *cobra.Command {
	var (
		asJSON bool
		file   string
	)
	path := func() (string, error) {
		p, err := o.auditPath(file)
		if err != nil {
			return "", &exitError{code: exitInternal, err: err}
		}
		return p, nil
	}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Print the audit log (every run, confirmation, refusal and result); verify its hash chain",
		Long: `audit prints the state dir's audit log, one record a line for people (time,
user@host, event, run, command, outcome with exit code and duration, the phrase
typed, the message), or with --json as one JSON array of the records, each with
its line number (docs/cli-json.md).

  planner-tui audit verify        check the hash chain; exit 1 naming the first broken line
  planner-tui audit tail -n 20 -f the last records, then follow new ones`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := path()
			if err != nil {
				return err
			}
			lines, err := audit.ReadLines(p)
			if errors.Is(err, fs.ErrNotExist) {
				err, lines = nil, []audit.Line{}
			}
			if err != nil {
				return &exitError{code: exitInternal, err: err}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), lines)
			}
			for _, l := range lines {
				fmt.Fprintln(cmd.OutOrStdout(), audit.Format(l.Record, nil))
			}
			return nil
		},
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "JSON: an array (audit), JSON lines (tail), an object (verify)")
	cmd.PersistentFlags().StringVar(&file, "log", "", "the audit log to read (default: the state dir's audit.jsonl)")

	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit log's hash chain; exit 1 naming the first broken line",
		Long: `verify checks that every line of the audit log is a record whose "prev" is
the SHA-256 of the line before it: a line changed, removed or inserted breaks
the chain there (a change to the very last line cannot be seen by the chain
alone). It prints the number of records and exits 0 when the chain holds; it
names the first broken line and exits 1 when it does not; 70 when the log
cannot be read. A fragment of a write cut short by a crash, which the next
record chains over, is not a break: the chain holds, the record written
there is lost, and verify names the line and exits 3 (warning).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := path()
			if err != nil {
				return err
			}
			rep, err := audit.Check(p)
			if asJSON {
				if jerr := writeJSON(cmd.OutOrStdout(), rep); jerr != nil {
					return jerr
				}
			}
			switch {
			case err != nil:
				return &exitError{code: exitInternal, err: err}
			case !rep.OK:
				return &exitError{code: 1, err: fmt.Errorf("audit log %s: line %d: %s", rep.Path, rep.Bad, rep.Why)}
			}
			if !asJSON {
				fmt.Fprintf(cmd.OutOrStdout(), "audit log %s: %d lines, the hash chain holds\n", rep.Path, rep.Lines)
			}
			if len(rep.Torn) > 0 {
				return &exitError{code: 3, err: fmt.Errorf("warning: audit log %s: %s %s: a write cut short by a crash (the record written there is lost; the chain goes on over it)", rep.Path, linesWord(len(rep.Torn)), joinInts(rep.Torn))}
			}
			return nil
		},
	}
	var (
		n      int
		follow bool
	)
	tail := &cobra.Command{
		Use:   "tail",
		Short: "The last records of the audit log (-f: then follow new ones)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := path()
			if err != nil {
				return err
			}
			err = audit.Tail(cmd.Context(), p, cmd.OutOrStdout(), audit.TailOptions{N: n, Follow: follow, JSON: asJSON})
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return nil // no record yet
			case err != nil:
				return &exitError{code: exitInternal, err: err}
			}
			return nil
		},
	}
	tail.Flags().IntVarP(&n, "lines", "n", 20, "how many of the last records (0: all)")
	tail.Flags().BoolVarP(&follow, "follow", "f", false, "then print records as they are appended, until interrupted")
	cmd.AddCommand(verify, tail)
	return cmd
}

// linesWord is "line" or "lines".
func linesWord(n int) string {
	if n == 1 {
		return "line"
	}
	return "lines"
}

// joinInts is "4, 9".
func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}
