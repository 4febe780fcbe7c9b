package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
// with the hook's secret (absent when the hook has none).
const SignatureHeader = "X-Planner-Signature"

// Sign is the SignatureHeader value of body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify says whether sig is body's signature with secret (constant time):
// what a receiver does.
func Verify(secret, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(Sign(secret, body)))
}

// Body is the event in a hook's shape: "generic" is the Event as JSON;
// "slack" is Slack's incoming-webhook message: text (the summary) plus
// blocks (the summary and up to 10 fields, the output's end as code).
func Body(format string, ev Event) ([]byte, error) {
	switch format {
	case "", "generic":
		return json.Marshal(ev)
	case "slack":
		return json.Marshal(slackMessage(ev))
	}
	return nil, fmt.Errorf("notify: unknown format %q", format)
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type   string      `json:"type"`
	Text   *slackText  `json:"text,omitempty"`
	Fields []slackText `json:"fields,omitempty"`
}

type slackMsg struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

func slackMessage(ev Event) slackMsg {
	icon := map[string]string{
		"command.failed": ":x:", "gate.failed": ":x:", "destructive.confirmed": ":warning:",
		"rollback.started": ":rewind:", "run.finished": ":checkered_flag:",
	}[ev.Event]
	head := strings.TrimSpace(icon + " *" + ev.Event + "*: " + slackEscape(ev.Summary))
	var fields []slackText
	add := func(name, value string) {
		if value != "" && len(fields) < 10 {
			fields = append(fields, slackText{Type: "mrkdwn", Text: "*" + name + "*\n" + slackEscape(value)})
		}
	}
	add("Runbook", ev.Runbook)
	add("Run", ev.RunID)
	add("Command", ev.Title)
	add("By", ev.Actor)
	res := ev.Outcome
	if ev.ExitCode != nil {
		res = strings.TrimSpace(fmt.Sprintf("%s, exit %d", res, *ev.ExitCode))
	}
	add("Outcome", res)
	add("Duration", ev.Duration)
	add("Destroys", ev.Destroys)
	add("Reason", ev.Reason)
	if d := ev.Deployment; d != nil {
		add("Versions", strings.TrimSuffix(d.From+" → "+orDefault(d.To, "?"), " → ?"))
		add("Rolled back to", d.RolledBackTo)
		var win []string
		for _, o := range d.Outages {
			to := "not over"
			if !o.To.IsZero() {
				to = o.To.Format("15:04:05Z")
			}
			win = append(win, fmt.Sprintf("%s – %s (%s)", o.From.Format("15:04:05Z"), to, o.Duration))
		}
		add("Outage", strings.Join(win, "\n"))
	}
	blocks := []slackBlock{{Type: "section", Text: &slackText{Type: "mrkdwn", Text: head}}}
	if len(fields) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Fields: fields})
	}
	if len(ev.Output) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: "```" + strings.ReplaceAll(strings.Join(ev.Output, "\n"), "```", "'''") + "```"}})
	}
	return slackMsg{Text: ev.Event + ": " + ev.Summary, Blocks: blocks}
}

// slackEscape escapes what Slack's mrkdwn reads as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// maskEvent passes every string of ev through mask.
func maskEvent(ev Event, mask func(string) string) Event {
	for _, s := range []*string{&ev.Summary, &ev.Runbook, &ev.RunID, &ev.Step, &ev.Command, &ev.Title, &ev.Script, &ev.Actor, &ev.Host,
		&ev.Outcome, &ev.Duration, &ev.Confirmation, &ev.Destroys, &ev.Reason} {
		*s = mask(*s)
	}
	out := make([]string, len(ev.Output))
	for i, l := range ev.Output {
		out[i] = mask(l)
	}
	if ev.Output != nil {
		ev.Output = out
	}
	if d := ev.Deployment; d != nil {
		c := *d
		c.From, c.To, c.RolledBackTo, c.Statement = mask(c.From), mask(c.To), mask(c.RolledBackTo), mask(c.Statement)
		ev.Deployment = &c
	}
	return ev
}
