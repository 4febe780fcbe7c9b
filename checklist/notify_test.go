package checklist

import (
	"fmt"
	"strings"
	"testing"
)

// The front matter's notify hooks: names of variables only, known formats
// and events; every mistake is an error at its line.
func TestNotifyFrontMatter(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		hooks  int
		events []string
		errs   []string // "line: text"
	}{
		{name: "a slack hook", yaml: "notify:\n  - url-env: HOOK_URL\n    secret-env: HOOK_SECRET\n    format: slack\n    events: [run.started, command.failed]\n",
			hooks: 1, events: []string{"run.started", "command.failed"}},
		{name: "generic by default, all events", yaml: "notify:\n  - url-env: HOOK_URL\n", hooks: 1},
		{name: "a URL in the runbook", yaml: "notify:\n  - url: https://hooks.example/T0/B0/x\n", errs: []string{"3: url must not be in the runbook"}},
		{name: "a secret in the runbook", yaml: "notify:\n  - url-env: HOOK_URL\n    secret: hunter2\n", errs: []string{"4: secret must not be in the runbook"}},
		{name: "an unknown event", yaml: "notify:\n  - url-env: HOOK_URL\n    events: [run.start]\n", errs: []string{`4: unknown event "run.start"`}},
		{name: "an unknown format", yaml: "notify:\n  - url-env: HOOK_URL\n    format: teams\n", errs: []string{`4: format "teams"`}},
		{name: "a lower-case variable", yaml: "notify:\n  - url-env: hook_url\n", errs: []string{"3: url-env must name an environment variable"}},
		{name: "no url-env", yaml: "notify:\n  - format: slack\n", errs: []string{"3: a hook needs url-env"}},
		{name: "not a list", yaml: "notify: HOOK_URL\n", errs: []string{"2: want a list of hooks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "---\n" + tt.yaml + "---\n# T\n\n## S\n\n```bash\n# Hello\necho hi\n```\n"
			rb, probs, err := Parse("nb.md", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range probs {
				got = append(got, fmt.Sprintf("%d: %s", p.Line, strings.TrimPrefix(p.Message, "front matter: notify: ")))
			}
			for _, w := range tt.errs {
				if !strings.Contains(strings.Join(got, "\n"), w) {
					t.Errorf("problems %q lack %q", got, w)
				}
			}
			if len(tt.errs) == 0 && len(got) > 0 {
				t.Errorf("problems: %q", got)
			}
			if len(rb.Notify) != tt.hooks {
				t.Fatalf("%d hooks, want %d: %+v", len(rb.Notify), tt.hooks, rb.Notify)
			}
			if tt.hooks > 0 && strings.Join(rb.Notify[0].Events, ",") != strings.Join(tt.events, ",") {
				t.Errorf("events %q, want %q", rb.Notify[0].Events, tt.events)
			}
		})
	}
}
