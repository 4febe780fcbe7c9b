package checklist

import (
	"strings"
	"testing"
	"time"
)

// The approvals policy comes from the front matter and the fence; bad
// values are errors naming the line.
func TestApprovalsPolicy(t *testing.T) {
	body := "# T\n\n## S\n\n### Step\n\n```bash {approvals=%s}\n# Wipe\nrm -rf /tmp/x/y\n```\n\n```bash\n# Look\nls /tmp\n```\n"
	tests := []struct {
		name        string
		front, attr string
		destructive int // ApprovalsFor the wipe (destructive)
		safe        int // ApprovalsFor the look (safe)
		expires     time.Duration
		err         string // a problem's message holds it, with its line
		errLine     int
	}{
		{name: "none", attr: "0", expires: DefaultApprovalExpiry},
		{name: "front matter count", front: "approvals: 1\n", attr: "0", destructive: 1, expires: DefaultApprovalExpiry},
		{name: "front matter mapping", front: "approvals: {destructive: 2, expires: 90s}\n", attr: "0", destructive: 2, expires: 90 * time.Second},
		{name: "attribute raises", front: "approvals: 1\n", attr: "2", destructive: 2, expires: DefaultApprovalExpiry},
		{name: "bad count", front: "approvals: {destructive: many}\n", attr: "0", err: "approvals: destructive: want a number", errLine: 2},
		{name: "bad expiry", front: "approvals:\n  expires: soon\n", attr: "0", err: "expires: want a positive duration", errLine: 3},
		{name: "unknown key", front: "approvals: {reviewers: 2}\n", attr: "0", err: `unknown key "reviewers"`, errLine: 2},
		{name: "bad attribute", attr: "x", err: `approvals="x"`, errLine: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(body, "%s", tt.attr, 1)
			if tt.front != "" {
				src = "---\n" + tt.front + "---\n" + src
			}
			rb, probs, err := Parse("rb.md", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if tt.err != "" {
				for _, p := range probs {
					if p.Severity == Error && strings.Contains(p.Message, tt.err) {
						if p.Line != tt.errLine {
							t.Errorf("problem on line %d, want %d: %s", p.Line, tt.errLine, p.Message)
						}
						return
					}
				}
				t.Fatalf("no error holding %q in %+v", tt.err, probs)
			}
			for _, p := range probs {
				if p.Severity == Error {
					t.Fatalf("unexpected error: %+v", p)
				}
			}
			sec := rb.Sections[0]
			var wipe, look *Command
			for _, st := range sec.Steps {
				for _, c := range st.Commands {
					switch c.Title {
					case "Wipe":
						wipe = c
					case "Look":
						look = c
					}
				}
			}
			if got := rb.ApprovalsFor(wipe, Destructive); got != tt.destructive {
				t.Errorf("wipe needs %d approvals, want %d", got, tt.destructive)
			}
			if got := rb.ApprovalsFor(look, Safe); got != tt.safe {
				t.Errorf("look needs %d approvals, want %d", got, tt.safe)
			}
			if got := rb.Approvals.Expiry(); got != tt.expires {
				t.Errorf("expiry %v, want %v", got, tt.expires)
			}
		})
	}
}

func TestSetApproval(t *testing.T) {
	tests := []struct {
		key, val string
		want     ApprovalPolicy
		err      string
	}{
		{"destructive", "1", ApprovalPolicy{Destructive: 1}, ""},
		{"expires", "2s", ApprovalPolicy{Expires: 2 * time.Second}, ""},
		{"expires", "-1s", ApprovalPolicy{}, "positive duration"},
		{"destructive", "9", ApprovalPolicy{}, "from 0 to 5"},
		{"who", "bob", ApprovalPolicy{}, "unknown setting"},
	}
	for _, tt := range tests {
		var p ApprovalPolicy
		err := p.SetApproval(tt.key, tt.val)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s=%s: %v", tt.key, tt.val, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s=%s: error %v, want %q", tt.key, tt.val, err, tt.err)
		case err == nil && p != tt.want:
			t.Errorf("%s=%s: %+v, want %+v", tt.key, tt.val, p, tt.want)
		}
	}
}
