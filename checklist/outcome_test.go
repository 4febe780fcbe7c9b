package checklist

import (
	"slices"
	"testing"
)

// Bad outcome attributes are errors at the fence line, naming the value.
func TestOutcomeAttrErrors(t *testing.T) {
	tests := []struct {
		name, fence string
		want        []string
	}{
		{"bad regexp", `{fail-if="(unclosed"}`, []string{`o.md:5: fail-if="(unclosed" is not a valid regular expression (Go RE2): error parsing regexp: missing closing ): ` + "`(unclosed`"}},
		{"empty warn-if", `{warn-if=""}`, []string{`o.md:5: warn-if= must not be empty`}},
		{"perl lookahead", `{warn-if="a(?=b)"}`, []string{`o.md:5: warn-if="a(?=b)" is not a valid regular expression (Go RE2): error parsing regexp: invalid or unsupported Perl syntax: ` + "`(?=`"}},
		{"word in exit list", `{ok-exit="1,two"}`, []string{`o.md:5: ok-exit="1,two": want exit codes 0-255 separated by commas (like 1,2), got "two"`}},
		{"exit code out of range", `{warn-exit=256}`, []string{`o.md:5: warn-exit="256": want exit codes 0-255 separated by commas (like 1,2), got "256"`}},
		{"empty exit list item", `{ok-exit="1,"}`, []string{`o.md:5: ok-exit="1,": want exit codes 0-255 separated by commas (like 1,2), got ""`}},
		{"code in both sets", `{ok-exit=1 warn-exit="1,2"}`, []string{`o.md:5: exit code 1 is in both ok-exit and warn-exit`}},
		{"fine", `{fail-if="failed!$" warn-if="(?i)warning" ok-exit=1 warn-exit="0,2"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "## S\n\n### T\n\n```bash " + tt.fence + "\necho hi\n```\n"
			if got := problemStrings(Lint("o.md", []byte(src))); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// The attributes land parsed on every command of the block; `planner-tui
// op` as the last statement gets warn-exit=3 unless the fence says otherwise.
func TestOutcomeParsed(t *testing.T) {
	tests := []struct {
		name, fence, script string
		failIf, warnIf      string
		okExit, warnExit    []int
		implicit            bool
	}{
		{"none", "", "echo hi", "", "", nil, nil, false},
		{"all four", `{fail-if="failed!" warn-if="(?i)warn" ok-exit="1, 2" warn-exit=0}`, "grep x y", "failed!", "(?i)warn", []int{1, 2}, []int{0}, false},
		{"op convention", "", "planner-tui op env-check", "", "", nil, []int{3}, true},
		{"op after other statements", "", "X=1\nplanner-tui op logs-scan app --since 10m", "", "", nil, []int{3}, true},
		{"op by path", "", "/usr/local/bin/planner-tui op db-check", "", "", nil, []int{3}, true},
		{"op not last: its 3 is not the script's", "", "planner-tui op db-check && psql -v ON_ERROR_STOP=1 -f x.sql", "", "", nil, nil, false},
		{"op with warn-exit written", `{warn-exit=4}`, "planner-tui op env-check", "", "", nil, []int{4}, false},
		{"op with 3 in ok-exit", `{ok-exit=3}`, "planner-tui op env-check", "", "", []int{3}, nil, false},
		{"not an op", "", "planner-tui status", "", "", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "## S\n\n### T\n\n```bash " + tt.fence + "\n" + tt.script + "\n```\n"
			rb, probs, err := Parse("o.md", []byte(src))
			if err != nil || len(probs) > 0 {
				t.Fatalf("parse: %v %q", err, problemStrings(probs))
			}
			o := rb.Commands()[0].Outcome
			re := func(x interface{ String() string }, isNil bool) string {
				if isNil {
					return ""
				}
				return x.String()
			}
			if got := re(o.FailIf, o.FailIf == nil); got != tt.failIf {
				t.Errorf("FailIf %q, want %q", got, tt.failIf)
			}
			if got := re(o.WarnIf, o.WarnIf == nil); got != tt.warnIf {
				t.Errorf("WarnIf %q, want %q", got, tt.warnIf)
			}
			if !slices.Equal(o.OKExit, tt.okExit) || !slices.Equal(o.WarnExit, tt.warnExit) || o.Implicit != tt.implicit {
				t.Errorf("OKExit %v WarnExit %v Implicit %v, want %v %v %v", o.OKExit, o.WarnExit, o.Implicit, tt.okExit, tt.warnExit, tt.implicit)
			}
		})
	}
}
