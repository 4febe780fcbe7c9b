package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestStepHit(t *testing.T) {
	hits := []int64{3, 10, 42}
	tests := []struct {
		from int64
		dir  int
		want int
	}{
		{-1, 1, 0}, {3, 1, 1}, {4, 1, 1}, {42, 1, 0}, // wraps around
		{42, -1, 1}, {3, -1, 2}, {100, -1, 2}, {11, -1, 1},
	}
	for _, tt := range tests {
		if got := stepHit(hits, tt.from, tt.dir); got != tt.want {
			t.Errorf("stepHit(%v, %d, %d) = %d, want %d", hits, tt.from, tt.dir, got, tt.want)
		}
	}
	if got := stepHit(nil, 0, 1); got != -1 {
		t.Errorf("stepHit(nil) = %d", got)
	}
}

func TestHitCounterAndLevels(t *testing.T) {
	for _, tt := range []struct {
		l     logLevel
		at, n int
		want  string
	}{
		{levelAll, 2, 7, "3 of 7 errors/warnings"},
		{levelErrors, 0, 2, "1 of 2 errors"},
		{levelProblems, -1, 4, "4 errors/warnings (> next)"},
		{levelErrors, -1, 0, "no errors"},
	} {
		if got := hitCounter(tt.l, tt.at, tt.n); got != tt.want {
			t.Errorf("hitCounter(%v, %d, %d) = %q, want %q", tt.l, tt.at, tt.n, got, tt.want)
		}
	}
	var seen []string
	l := levelAll
	for range 3 {
		l = l.next()
		seen = append(seen, l.String())
	}
	if want := []string{"warnings+errors only", "errors only", "all lines"}; !slices.Equal(seen, want) {
		t.Errorf("f cycles %q, want %q", seen, want)
	}
}

func TestPagerCommand(t *testing.T) {
	for _, tt := range []struct {
		pager string
		want  []string
	}{
		{"", []string{"sh", "-c", `less -R "$1"`, "pager", "/state/a b/output.log"}},
		{"most", []string{"sh", "-c", `most "$1"`, "pager", "/state/a b/output.log"}},
	} {
		if got := pagerCommand(tt.pager, "/state/a b/output.log").Args; !slices.Equal(got, tt.want) {
			t.Errorf("pagerCommand(%q) = %q, want %q", tt.pager, got, tt.want)
		}
	}
}

// The log pane filters error and warning lines (uvicorn.error INFO lines
// are neither), goes from one to the next with a counter, says "more lines
// below" (not "new") on a finished log, and shows the full log's path whole.
func TestLogPaneErrorTools(t *testing.T) {
	m := newModel(newTestEngine(t), Options{NoColor: true})
	m.Update(resize(120, 40))
	l := newLogPane(m.c)
	l.path = "/var/lib/planner-tui/state/runs/run-20261202-103000/jobs/job-0001-deploy-step-1/output.log"
	l.SetSize(70, 12)
	buf := NewLogBuffer(1000)
	for i := 1; i <= 60; i++ {
		switch i {
		case 5:
			fmt.Fprintln(buf, "2026-12-02 10:00:00,000 INFO [uvicorn.error] Started server process")
		case 10, 40:
			fmt.Fprintf(buf, "ERROR: boom %d\n", i)
		case 20:
			fmt.Fprintln(buf, "WARNING: slow")
		default:
			fmt.Fprintf(buf, "line %d\n", i)
		}
	}
	buf.Close()
	l.SetBuffer(buf, "")
	press := func(k string) string {
		t.Helper()
		l.Update(keyMsg(k))
		return ansi.Strip(l.View())
	}
	v := press(">")
	if !strings.Contains(v, "1 of 3 errors/warnings") || !strings.Contains(v, "ERROR: boom 10") {
		t.Fatalf("> did not go to the first error:\n%s", v)
	}
	press(">")
	if v = press(">"); !strings.Contains(v, "3 of 3") || !strings.Contains(v, "ERROR: boom 40") {
		t.Fatalf("the third > :\n%s", v)
	}
	if v = press("<"); !strings.Contains(v, "2 of 3") {
		t.Fatalf("< :\n%s", v)
	}
	// a finished log scrolled back: nothing below is new
	if strings.Contains(v, "new lines") || !strings.Contains(v, "more lines below") {
		t.Fatalf("a finished log says new lines:\n%s", v)
	}
	v = press("f")
	for _, want := range []string{"10 ERROR: boom 10", "20 WARNING: slow", "40 ERROR: boom 40", "warnings+errors only"} {
		if !strings.Contains(v, want) {
			t.Errorf("f (warnings+errors) lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "uvicorn.error") || strings.Contains(v, "line 7") {
		t.Errorf("f shows a line that is neither an error nor a warning:\n%s", v)
	}
	v = press("f")
	if strings.Contains(v, "WARNING: slow") || !strings.Contains(v, "errors only") {
		t.Errorf("f (errors only):\n%s", v)
	}
	v = press("f")
	if !strings.Contains(v, "line 60") {
		t.Errorf("the third f shows every line again:\n%s", v)
	}
	flat := strings.Join(strings.Fields(v), "")
	if !strings.Contains(flat, strings.ReplaceAll("fulllog:"+l.path, " ", "")) || strings.Contains(v, "…") {
		t.Errorf("the full log path is not shown whole:\n%s", v)
	}
	if _, cmd := l.Update(keyMsg("y")); cmd == nil {
		t.Error("y copies nothing")
	}
}

// Filtered, a streaming log keeps the window where the operator scrolled
// it and adds the new error lines; search turns the filter off.
func TestLogPaneFilterWhileStreaming(t *testing.T) {
	m := newModel(newTestEngine(t), Options{NoColor: true})
	l := newLogPane(m.c)
	l.SetSize(60, 6) // 5 rows
	buf := NewLogBuffer(1000)
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(buf, "ERROR e%d\nok\n", i)
	}
	l.SetBuffer(buf, "")
	press := func(k string) string {
		t.Helper()
		l.Update(keyMsg(k))
		return ansi.Strip(l.View())
	}
	press("f")
	v := press("k")
	if !strings.Contains(v, "ERROR e3") || strings.Contains(v, "ERROR e8") {
		t.Fatalf("k did not scroll the filtered lines back:\n%s", v)
	}
	fmt.Fprintf(buf, "ERROR e9\n")
	l.onOutput()
	v = ansi.Strip(l.View())
	if !strings.Contains(v, "ERROR e3") || strings.Contains(v, "new lines") {
		t.Fatalf("the filtered window moved or counts new lines:\n%s", v)
	}
	press("G")
	if v = ansi.Strip(l.View()); !strings.Contains(v, "ERROR e9") {
		t.Fatalf("G does not show the new error:\n%s", v)
	}
	press("/")
	for _, r := range "e2" {
		l.Update(keyMsg(string(r)))
	}
	if v = press("enter"); strings.Contains(v, "errors only") || !strings.Contains(v, "ok") {
		t.Fatalf("search did not turn the filter off:\n%s", v)
	}
}
