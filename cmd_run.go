package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// Exit codes of `planner-tui run` besides the command's own.
const (
	exitRefused = 2 // a guard refused: nothing ran
)

func newRunCmd(o *options) *cobra.Command {
	var (
		confirm string
		yes     bool
		params  []string
		choose  string
	)
	cmd := &cobra.Command{
		Use:   "run ID",
		Short: "Run one command headless, streaming its output; exits with its exit code",
		Long: `run runs one command of the runbook in the current run, streaming its output
(secrets masked) to stdout, and exits with the command's exit code.

Guards: a destructive command runs only with --confirm and its exact phrase
(shown by 'planner-tui show ID'); a change command asks y/N on a terminal and
needs --yes without one. A refusal exits 2 and runs nothing. Parameters
(<placeholder> words) are given with --param NAME=VALUE; an unknown name or
an empty value is refused. A value given earlier in the run is reused, but
not for a command that needs a phrase: give it again with --param. The
filled command, its risk and phrase are printed on stderr before it runs
(risk is judged on the filled command: <action>=down is down). For a command with
alternatives ("Or ..."), --choose ID runs the chosen one.

The command runs in a detached supervisor: if this process dies the command
still finishes and its result is recorded for the next start. Ctrl+C cancels
it (SIGTERM to its process group, SIGKILL after a grace period).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pv, err := parseParams(params)
			if err != nil {
				return err
			}
			return runHeadless(cmd.Context(), o, args[0], choose, pv, confirm, yes)
		},
	}
	f := cmd.Flags()
	f.StringVar(&confirm, "confirm", "", "the exact confirmation phrase of a destructive command")
	f.BoolVar(&yes, "yes", false, "confirm a change command without asking")
	f.StringArrayVar(&params, "param", nil, "a parameter value, NAME=VALUE (repeatable)")
	f.StringVar(&choose, "choose", "", "for a command with alternatives: the id of the one to run")
	return cmd
}

func runHeadless(ctx context.Context, o *options, id, choose string, params map[string]string, confirm string, yes bool) error {
	s, err := o.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()

	rb := s.Runbook()
	c, err := rb.Command(id)
	if err != nil {
		return &exitError{code: exitRefused, err: err}
	}
	if choose != "" {
		alt, err := rb.Command(choose)
		if err != nil {
			return &exitError{code: exitRefused, err: fmt.Errorf("--choose: %w", err)}
		}
		ok := false
		for _, a := range rb.Alternatives(c.ID) {
			ok = ok || a.ID == alt.ID
		}
		if !ok {
			return &exitError{code: exitRefused, err: fmt.Errorf("--choose %s: not an alternative of %s", alt.ID, c.ID)}
		}
		c = alt
	}
	if err := session.CheckParams(c, params); err != nil {
		return &exitError{code: exitRefused, err: err}
	}
	plan, err := s.Plan(c.ID, params)
	if err != nil {
		return &exitError{code: exitRefused, err: err}
	}
	printPlan(os.Stderr, plan) // what runs, filled, before it runs
	confirmation := ""
	switch {
	case plan.NeedsPhrase():
		confirmation = confirm
		if plan.Gate != "" {
			fmt.Fprintln(os.Stderr, "planner-tui:", plan.Gate)
		}
	case plan.Risk == checklist.Change:
		if yes {
			confirmation = "yes"
		} else if term.IsTerminal(os.Stdin.Fd()) {
			if askYesNo(fmt.Sprintf("Run %q (%s)?\n%s\n(y/N) ", c.Title, plan.Risk, indent(plan.Display, "  "))) {
				confirmation = "yes"
			}
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	exec, err := s.Start(ctx, plan, confirmation, os.Stdout)
	var refused *session.RefusedError
	if errors.As(err, &refused) {
		if len(plan.Missing) > 0 {
			// Start refused (and audited) it; say how to give them.
			return &exitError{code: exitRefused, err: fmt.Errorf("%w (give them with --param NAME=VALUE)", refused)}
		}
		return &exitError{code: exitRefused, err: refused}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "▶ %s  [%s, %s]\n", c.Title, c.ID, plan.Risk)
	if w := s.EnvWarning(); w != "" {
		fmt.Fprintln(os.Stderr, "planner-tui: WARNING:", w)
	}
	if err := s.AuditErr(); err != nil {
		// Not a reason to stop an operator mid-incident (a full disk is
		// one), but never silent.
		fmt.Fprintln(os.Stderr, "planner-tui: WARNING: the audit log could not be written:", err)
	}
	go func() {
		if _, ok := <-sigs; ok {
			fmt.Fprintln(os.Stderr, "\nplanner-tui: cancelling (SIGTERM to the command, SIGKILL after the grace period)")
			_ = exec.Cancel()
		}
	}()
	res, err := exec.Wait()
	if err != nil {
		fmt.Fprintln(os.Stderr, "planner-tui:", err)
	}
	fmt.Fprintf(os.Stderr, "■ %s: %s (exit %d, %s)  log: %s\n", c.ID, res.Status, res.ExitCode, res.Ended.Sub(res.Started).Round(1e6), res.Log)
	if res.Detail != "" {
		fmt.Fprintf(os.Stderr, "  %s: %s\n", res.Status, res.Detail)
	}
	switch res.Status {
	case checklist.OK:
		return nil
	case checklist.Warning:
		// ran, something needs a look: the `planner-tui op` convention
		return &exitError{code: checklist.ExitWarning}
	}
	code := res.ExitCode
	if code <= 0 {
		code = 1
	}
	return &exitError{code: code}
}

func askYesNo(prompt string) bool {
	fmt.Fprint(os.Stderr, prompt)
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}
