package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"planner-tui/checklist"
)

func TestMarkdownReflowsSoftBreaks(t *testing.T) {
	st := NewStyles(true, true)
	cases := []struct {
		name string
		md   string
		w    int
		want []string
	}{
		{"paragraph soft breaks become spaces", "Stop the app\nbefore the\nmigration runs.", 40,
			[]string{"Stop the app before the migration runs."}},
		{"wrapped evenly at the width", "one two\nthree four\nfive six seven", 14,
			[]string{"one two three", "four five six", "seven"}},
		{"blank line starts a paragraph", "first\npart\n\nsecond\npart", 40,
			[]string{"first part", "", "second part"}},
		{"list items stay items, their continuations join", "- alpha\n  beta\n- gamma", 40,
			[]string{"• alpha beta", "• gamma"}},
		{"hard break kept", "line one  \nline two", 40,
			[]string{"line one", "line two"}},
		{"fences stay line for line", "Run:\n```\na\nb\n```\nafter\nthis", 40,
			[]string{"Run:", "  a", "  b", "after this"}},
		{"code spans kept", "use `docker compose\nps` now", 40,
			[]string{"use docker compose ps now"}},
		{"heading is its own block", "# Title\ntext\nmore", 40,
			[]string{"Title", "text more"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range st.renderMarkdown(tc.md, tc.w) {
				got = append(got, strings.TrimRight(ansi.Strip(l), " "))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestEarlierCommandShowsItsLogTail(t *testing.T) {
	e := newEngine(t)
	first := newDriver(t, e, 100, 30)
	openCmd(first, e, "deploy/step-1-hello/count-lines")
	first.keys("enter")
	first.waitText("✓ Count lines: ok (exit 0)")
	// a new screen (as after a restart of planner-tui): no buffer of its own
	second := newDriver(t, e, 100, 30)
	openCmd(second, e, "deploy/step-1-hello/count-lines")
	v := second.waitText("│20000")
	if !strings.Contains(v, "200 lines · the end of an earlier run") {
		t.Fatalf("not said to be the tail of an earlier run:\n%s", v)
	}
	if lines, first := second.m.proc.log.buf.Lines(0, 1000); len(lines) != 200 || first != 0 || lines[0] != "19801" {
		t.Fatalf("shown %d lines from %q, want the last 200 from 19801", len(lines), lines[0])
	}
	if lines, err := tailOf(e.Run().Commands["deploy/step-1-hello/count-lines"].Log, 200); err != nil || len(lines) != 200 || string(lines[0]) != "19801" {
		t.Fatalf("tailOf: %d lines, first %q, %v", len(lines), lines[0], err)
	}
}

func TestSkipAndNewRun(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, idHello)
	d.keys("x")
	d.waitText("↷ skipped Say hello (recorded)")
	if st := e.Run().Commands[idHello]; st == nil || st.Status != checklist.Skipped {
		t.Fatalf("engine state %+v", st)
	}
	old := e.Run().ID
	d.keys("esc", "N")
	d.waitText("Start a new run")
	d.typ("incident 42")
	d.keys("enter")
	d.waitText("started: incident 42")
	if run := e.Run(); run.ID == old || run.Title != "incident 42" || len(run.Commands) != 0 {
		t.Fatalf("new run %q %q %v (old %s)", run.ID, run.Title, run.Commands, old)
	}
	d.waitText("Pre-Deployment 0/2")
}
