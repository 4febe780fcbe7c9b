package main

import (
	"os"

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
		Short: "Webhook notifications: deliver the queued events now",
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
			dir := o.stateDir
			if dir == "" {
				var err error
				if dir, err = checklist.DefaultStateDir(); err != nil {
					return &exitError{code: exitInternal, err: err}
				}
			}
			if err := notify.Deliver(cmd.Context(), dir, os.Getenv); err != nil {
				return &exitError{code: exitInternal, err: err}
			}
			return nil
		},
	}
	cmd.AddCommand(deliver)
	return cmd
}
