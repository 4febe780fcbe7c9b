package checklist

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// NotifyHook is one webhook of the front matter's `notify` list. The URL
// and the signing secret are named by environment variables, never given:
// a runbook is shared and committed, a webhook URL is a credential.
type NotifyHook struct {
	URLEnv    string   // the variable holding the URL
	SecretEnv string   // the variable holding the HMAC secret; "" for none
	Format    string   // "slack" or "generic"
	Events    []string // NotifyEvents names; empty for all
	Line      int      // the file line of the entry
}

// NotifyEvents are the events a hook can ask for (ops/notify derives them
// from the audit records). approval.* are named now for the approvals
// still to come.
var NotifyEvents = []string{
	"run.started", "deployment.started", "destructive.confirmed", "command.failed",
	"approval.requested", "approval.granted", "gate.failed", "rollback.started", "run.finished",
}

// NotifyFormats are the payload shapes.
var NotifyFormats = []string{"slack", "generic"}

// parseNotify reads `notify: [{url-env: X, secret-env: Y, format: slack,
// events: [...]}]`. An entry with an error is left out (and reported).
func parseNotify(v *yaml.Node, at func(*yaml.Node) int) ([]NotifyHook, []Problem) {
	var hooks []NotifyHook
	var probs []Problem
	bad := func(n *yaml.Node, format string, a ...any) {
		probs = append(probs, Problem{Line: at(n), Severity: Error, Message: "front matter: notify: " + fmt.Sprintf(format, a...)})
	}
	if v.Kind != yaml.SequenceNode {
		bad(v, "want a list of hooks ({url-env: NAME, secret-env: NAME, format: slack|generic, events: [...]})")
		return nil, probs
	}
	for _, e := range v.Content {
		if e.Kind != yaml.MappingNode {
			bad(e, "each hook is a mapping (url-env, secret-env, format, events)")
			continue
		}
		h := NotifyHook{Format: "generic", Line: at(e)}
		ok := true
		for j := 0; j+1 < len(e.Content); j += 2 {
			k, val := e.Content[j], e.Content[j+1]
			switch k.Value {
			case "url-env", "secret-env":
				if val.Kind != yaml.ScalarNode || !varName.MatchString(val.Value) {
					bad(val, "%s must name an environment variable (UPPER_CASE)", k.Value)
					ok = false
					continue
				}
				if k.Value == "url-env" {
					h.URLEnv = val.Value
				} else {
					h.SecretEnv = val.Value
				}
			case "url", "secret":
				bad(k, "%s must not be in the runbook: give %s-env, the name of an environment variable that holds it", k.Value, k.Value)
				ok = false
			case "format":
				if !slices.Contains(NotifyFormats, val.Value) {
					bad(val, "format %q: want one of %s", val.Value, strings.Join(NotifyFormats, ", "))
					ok = false
				}
				h.Format = val.Value
			case "events":
				if val.Kind != yaml.SequenceNode {
					bad(val, "events must be a list of %s", strings.Join(NotifyEvents, ", "))
					ok = false
					continue
				}
				for _, ev := range val.Content {
					if !slices.Contains(NotifyEvents, ev.Value) {
						bad(ev, "unknown event %q (known: %s)", ev.Value, strings.Join(NotifyEvents, ", "))
						ok = false
						continue
					}
					h.Events = append(h.Events, ev.Value)
				}
			default:
				bad(k, "unknown key %q (known: url-env, secret-env, format, events)", k.Value)
				ok = false
			}
		}
		if h.URLEnv == "" && ok {
			bad(e, "a hook needs url-env, the environment variable that holds its URL")
			ok = false
		}
		if ok {
			hooks = append(hooks, h)
		}
	}
	return hooks, probs
}
