package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/notify"
)

// emitter makes the notification emitter of a writable session: events go
// to the state dir's queue, then to a detached deliverer, or to the TUI's
// deliverer goroutine (deliverInProcess).
func (o *options) emitter() *notify.Emitter {
	em := &notify.Emitter{Getenv: os.Getenv}
	if o.deliverInProcess {
		kick := o.kick
		em.After = func(string) {
			select {
			case kick <- struct{}{}:
			default: // a wake-up is pending already
			}
		}
	} else {
		em.After = func(dir string) { notify.Spawn(dir) } // a failure leaves the event queued for the next start
	}
	o.notify = em
	return em
}

func newNotifyCmd(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "Webhook notifications: the queue of events, and delivering it now",
		Long: `Events of a run (run started, deployment started, destructive command
confirmed, command failed, health gate failed, rollback started, run finished)
are queued in the state dir and posted to the webhooks of the runbook's front
matter ("notify:") or of PLANNER_NOTIFY_URL, by a deliverer in the TUI or a
detached one started by headless commands (docs/user-guide.md).`,
	}
	deliver := &cobra.Command{
		Use:   "deliver",
		Short: "Post the queued events now, retrying with backoff until each is delivered or dropped",
		Long: `deliver posts the state dir's queued events in order, retrying a hook that
fails with exponential backoff (PLANNER_NOTIFY_BACKOFF, PLANNER_NOTIFY_RETRIES,
PLANNER_NOTIFY_TIMEOUT), and returns when the queue is empty. An event still
undelivered after the last attempt is dropped with a notify.dropped audit
record. When another deliverer holds the queue it returns at once: that one
delivers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := o.stateDirOrDefault()
			if err != nil {
				return &exitError{code: exitInternal, err: err}
			}
			if err := notify.Deliver(cmd.Context(), dir, os.Getenv); err != nil {
				return &exitError{code: exitInternal, err: err}
			}
			return nil
		},
	}
	var asJSON bool
	queued := &cobra.Command{
		Use:   "queue",
		Short: "List the events waiting for delivery: event, hook, attempts, the next attempt, the last error",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := o.stateDirOrDefault()
			if err != nil {
				return &exitError{code: exitInternal, err: err}
			}
			items, err := notify.Queued(dir)
			if err != nil {
				return &exitError{code: exitInternal, err: err}
			}
			if asJSON {
				if items == nil {
					items = []notify.Item{}
				}
				for i := range items {
					items[i].Body = "" // the payload is the receiver's; the queue file keeps it
				}
				return writeJSON(cmd.OutOrStdout(), items)
			}
			w := cmd.OutOrStdout()
			if len(items) == 0 {
				fmt.Fprintln(w, "no events waiting")
				return nil
			}
			for _, it := range items {
				line := fmt.Sprintf("%s  %-22s  hook %s (%s)  queued %s", it.EventID, it.Event, it.Hook.Name, it.Hook.URLEnv, it.Queued.Local().Format("15:04:05"))
				if it.Attempts > 0 {
					line += fmt.Sprintf("  %d attempt(s), next at %s: %s", it.Attempts, it.NextAt.Local().Format("15:04:05"), it.LastError)
				}
				fmt.Fprintln(w, line)
			}
			return nil
		},
	}
	queued.Flags().BoolVar(&asJSON, "json", false, "print the queue as a JSON array (without the payloads)")
	cmd.AddCommand(deliver, queued)
	return cmd
}

// stateDirOrDefault is --state-dir, else the default state dir, made
// absolute: commands print it for another engineer to paste.
func (o *options) stateDirOrDefault() (string, error) {
	dir := o.stateDir
	if dir == "" {
		var err error
		if dir, err = checklist.DefaultStateDir(); err != nil {
			return "", err
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir, nil
}
