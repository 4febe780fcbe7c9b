package session

import (
	"strings"
	"testing"

	"planner-tui/checklist"
)

// The confirmation guards, on plans alone: what a phrase, a y/N and the
// other guards refuse, and that the phrase the operator was shown counts
// even when the fresh plan no longer asks for one.
func TestRefusal(t *testing.T) {
	destructive := &Plan{Risk: checklist.Destructive, Confirm: "wipe prod", Destroys: "the data"}
	change := &Plan{Risk: checklist.Change}
	safe := &Plan{Risk: checklist.Safe}
	tests := []struct {
		name         string
		p            *Plan
		shown, typed string
		want         string // "" = admitted; else a part of the reason
	}{
		{"phrase typed", destructive, "wipe prod", "wipe prod", ""},
		{"phrase missing", destructive, "wipe prod", "", `type "wipe prod" to confirm (it destroys the data)`},
		{"phrase wrong", destructive, "wipe prod", "wipe", `"wipe" does not match "wipe prod"`},
		{"shown phrase, fresh plan needs none", safe, "wipe prod", "yes", `does not match "wipe prod"`},
		{"change confirmed", change, "", "yes", ""},
		{"change not confirmed", change, "", "", "not confirmed"},
		{"safe", safe, "", "", ""},
		{"missing parameter", &Plan{Risk: checklist.Safe, Missing: []string{"commit"}}, "", "", "missing parameters: commit"},
		{"blocked", &Plan{Risk: checklist.Safe, Blocked: "x is running"}, "", "", "x is running"},
		{"reused value for a phrase", &Plan{Risk: checklist.Destructive, Confirm: "p", Params: map[string]string{"rev": "base"}, Reused: map[string]string{"rev": "a/b"}}, "p", "p", "would reuse <rev>=base (from a/b)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refusal(tt.p, tt.shown, tt.typed, tt.typed)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("refusal = %q, want %q", got, tt.want)
			}
		})
	}
}
