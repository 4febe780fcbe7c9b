package docs

import (
	"os"
	"strings"
	"testing"

	"planner-tui/checklist"
)

// The original runbook as the user wrote it; the parser's tests keep the copy.
const originalPath = "../checklist/testdata/original-runbook.md"

func parseFile(t *testing.T, path string, src []byte) *checklist.Runbook {
	t.Helper()
	rb, problems, err := checklist.Parse(path, src)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	for _, p := range problems {
		if p.Severity == checklist.Error {
			t.Errorf("%s:%d: %s", p.Path, p.Line, p.Message)
		}
	}
	return rb
}

func scriptLines(rb *checklist.Runbook) map[string]bool {
	lines := map[string]bool{}
	for _, c := range rb.Commands() {
		for _, l := range strings.Split(c.Script, "\n") {
			lines[strings.TrimSpace(l)] = true
		}
	}
	return lines
}

// Every shell line of the user's runbook is in the embedded runbook as it
// was, or quoted as an "Original" in docs/runbook-adaptations.md.
func TestEveryOriginalCommandLineIsKeptOrListed(t *testing.T) {
	src, err := os.ReadFile(originalPath)
	if err != nil {
		t.Fatal(err)
	}
	adaptations, err := os.ReadFile("runbook-adaptations.md")
	if err != nil {
		t.Fatal(err)
	}
	original := parseFile(t, originalPath, src)
	embedded := scriptLines(parseFile(t, RunbookPath, Runbook))

	checked := 0
	for _, c := range original.Commands() {
		for _, line := range strings.Split(c.Script, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			checked++
			if embedded[line] {
				continue
			}
			if !strings.Contains(string(adaptations), "Original: `"+line+"`") {
				t.Errorf("original line %q (%s) is neither in docs/runbook.md nor listed in docs/runbook-adaptations.md", line, c.ID)
			}
		}
	}
	if checked < 60 {
		t.Fatalf("only %d command lines found in the original runbook: the parser lost some", checked)
	}
}

// Every section, step heading and checklist item of the original is reachable
// in the embedded runbook.
func TestEverySectionStepAndCheckIsKept(t *testing.T) {
	src, err := os.ReadFile(originalPath)
	if err != nil {
		t.Fatal(err)
	}
	original := parseFile(t, originalPath, src)
	embedded := parseFile(t, RunbookPath, Runbook)

	steps := map[string]bool{}
	checks := map[string]bool{}
	for _, s := range embedded.Sections {
		for _, st := range s.Steps {
			steps[s.Title+" / "+st.Title] = true
			for _, c := range st.Checks {
				checks[c.Text] = true
			}
		}
	}
	for _, s := range original.Sections {
		if embedded.SectionByTitle(s.Title) == nil {
			t.Errorf("section %q is missing", s.Title)
		}
		for _, st := range s.Steps {
			if !steps[s.Title+" / "+st.Title] {
				t.Errorf("step %q of %q is missing", st.Title, s.Title)
			}
			for _, c := range st.Checks {
				if !checks[c.Text] {
					t.Errorf("check %q of %q is missing", c.Text, st.Title)
				}
			}
		}
	}
}

// Every item of the checklist summary that names a procedure links to one
// that exists, so enter on it opens something.
func TestSummaryItemsLinkToProcedures(t *testing.T) {
	rb := parseFile(t, RunbookPath, Runbook)
	summary := rb.SectionByTitle(rb.Meta["summary"])
	if summary == nil {
		t.Fatalf("summary section %q not found", rb.Meta["summary"])
	}
	linked := 0
	for _, st := range summary.Steps {
		for _, c := range st.Checks {
			if c.Link == "" {
				continue
			}
			linked++
			if sec, step := rb.Anchor(c.Link); sec == nil && step == nil {
				t.Errorf("%q links to %s, which is not in the runbook", c.Text, c.Link)
			}
		}
	}
	if linked < 15 {
		t.Errorf("only %d summary items link to a procedure", linked)
	}
}

// No summary item of the embedded runbook ticks itself: with every command
// it derives from ok, an item that stands for manual work ("Login
// functionality working": log in, create a program) stays short of ✓
// until a person ticks that work.
func TestSummaryItemsNeedThePersonsChecks(t *testing.T) {
	rb := parseFile(t, RunbookPath, Runbook)
	summary := rb.SectionByTitle(rb.Meta["summary"])
	r := &checklist.Run{Commands: map[string]*checklist.CommandRun{}, Checks: map[string]*checklist.CheckState{}}
	for _, c := range rb.Commands() {
		r.Commands[c.ID] = &checklist.CommandRun{Status: checklist.OK}
	}
	for _, text := range []string{"Login functionality working", "Core features operational"} {
		var item *checklist.Check
		for _, st := range summary.Steps {
			for _, c := range st.Checks {
				if c.Text == text {
					item = c
				}
			}
		}
		if item == nil {
			t.Fatalf("no summary item %q", text)
		}
		r.Checks = map[string]*checklist.CheckState{}
		_, checks := rb.ItemScope(item)
		if len(checks) == 0 {
			t.Errorf("%q derives from commands only: it would tick itself", text)
			continue
		}
		if got := checklist.SummaryItem(rb, item, r); got.Status == checklist.ItemDone {
			t.Errorf("%q is done with its %d manual checks unticked", text, len(checks))
		}
		for _, c := range checks {
			r.Checks[c.ID] = &checklist.CheckState{Done: true, By: "alice"}
		}
		if got := checklist.SummaryItem(rb, item, r); got.Status != checklist.ItemDone {
			t.Errorf("%q with every command ok and every check ticked: %s (%s)", text, got.Status, got.Why)
		}
	}
}

// "Verify test results" of the embedded runbook stands for the eight
// manual checks of "Before Every Deployment": it is done when a person has
// ticked all eight, not at seven, and a tick on the item itself stands for
// none of them.
func TestVerifyTestResultsNeedsItsEightChecks(t *testing.T) {
	rb := parseFile(t, RunbookPath, Runbook)
	summary := rb.SectionByTitle(rb.Meta["summary"])
	var item *checklist.Check
	for _, st := range summary.Steps {
		for _, c := range st.Checks {
			if c.Text == "Verify test results" {
				item = c
			}
		}
	}
	if item == nil {
		t.Fatal(`no summary item "Verify test results"`)
	}
	groups, checks := rb.ItemScope(item)
	if len(groups) != 0 || len(checks) != 8 {
		t.Fatalf("Verify test results derives from %d commands and %d checks, want 0 and the 8 checks of Before Every Deployment", len(groups), len(checks))
	}
	r := &checklist.Run{Commands: map[string]*checklist.CommandRun{}, Checks: map[string]*checklist.CheckState{
		item.ID: {Done: true, By: "alice"},
	}}
	if got := checklist.SummaryItem(rb, item, r); got.Status != checklist.ItemPending || got.Done != 0 {
		t.Errorf("with only the item itself ticked: %s %d/%d, want pending 0/8", got.Status, got.Done, got.Total)
	}
	for i, c := range checks {
		r.Checks[c.ID] = &checklist.CheckState{Done: true, By: "alice"}
		got := checklist.SummaryItem(rb, item, r)
		if done := i == len(checks)-1; (got.Status == checklist.ItemDone) != done || got.Done != i+1 || got.Total != 8 {
			t.Errorf("%d of 8 checks ticked: %s %d/%d (%s)", i+1, got.Status, got.Done, got.Total, got.Why)
		}
	}
}
