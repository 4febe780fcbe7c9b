package notify

import (
	"fmt"
	"slices"
	"strings"

	"planner-tui/checklist"
)

// Environment variables of the hook configured outside the runbook.
const (
	EnvURL    = "PLANNER_NOTIFY_URL"
	EnvSecret = "PLANNER_NOTIFY_SECRET"
	EnvFormat = "PLANNER_NOTIFY_FORMAT" // slack or generic (default)
	EnvEvents = "PLANNER_NOTIFY_EVENTS" // comma-separated; empty for all
)

// Hook is where events go: the names of the variables holding its URL and
// secret (never the values), its payload shape and the events it wants.
type Hook struct {
	Name      string   `json:"name"` // "runbook-1", "runbook-2", ... or "env"
	URLEnv    string   `json:"url_env"`
	SecretEnv string   `json:"secret_env,omitempty"`
	Format    string   `json:"format"`
	Events    []string `json:"events,omitempty"`
}

// Wants says whether the hook asked for an event.
func (h Hook) Wants(event string) bool { return len(h.Events) == 0 || slices.Contains(h.Events, event) }

// Hooks are the runbook's front matter hooks and the environment's
// (PLANNER_NOTIFY_URL...). A hook whose URL variable is unset or empty is
// left out: the runbook may name hooks this host does not use.
func Hooks(rb *checklist.Runbook, getenv func(string) string) ([]Hook, error) {
	var out []Hook
	if rb != nil {
		for i, h := range rb.Notify {
			if getenv(h.URLEnv) == "" {
				continue
			}
			out = append(out, Hook{Name: fmt.Sprintf("runbook-%d", i+1), URLEnv: h.URLEnv, SecretEnv: h.SecretEnv, Format: h.Format, Events: h.Events})
		}
	}
	if getenv(EnvURL) == "" {
		return out, nil
	}
	h := Hook{Name: "env", URLEnv: EnvURL, SecretEnv: EnvSecret, Format: getenv(EnvFormat)}
	if h.Format == "" {
		h.Format = "generic"
	}
	if !slices.Contains(checklist.NotifyFormats, h.Format) {
		return out, fmt.Errorf("%s=%q: want one of %s", EnvFormat, h.Format, strings.Join(checklist.NotifyFormats, ", "))
	}
	for _, ev := range strings.Split(getenv(EnvEvents), ",") {
		if ev = strings.TrimSpace(ev); ev == "" {
			continue
		}
		if !slices.Contains(checklist.NotifyEvents, ev) {
			return out, fmt.Errorf("%s: unknown event %q (known: %s)", EnvEvents, ev, strings.Join(checklist.NotifyEvents, ", "))
		}
		h.Events = append(h.Events, ev)
	}
	return append(out, h), nil
}
