package ui

import (
	"strings"
	"testing"
)

func TestHelpColumns(t *testing.T) {
	groups := [][][2]string{
		{{"↑/k", "up"}, {"enter", "open / run"}},
		{{"/", "search"}},
		{{"s", "stack"}, {"d", "database"}},
	}
	tests := []struct {
		name string
		w    int
		want []string
	}{
		{"side by side when they fit", 80, []string{
			"↑/k    up           /  search   s  stack",
			"enter  open / run               d  database",
		}},
		{"fewer columns when narrow", 31, []string{
			"↑/k    up           s  stack",
			"enter  open / run   d  database",
			"",
			"/      search",
		}},
		{"one column at last", 12, []string{
			"↑/k    up", "enter  open / run", "", "/      search", "", "s      stack", "d      database",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := helpColumns(groups, tt.w)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("helpColumns at %d:\n%s\nwant\n%s", tt.w, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// At 120 columns every key group is a column of its own and no entry
// wraps; at 80×24 the overlay scrolls and still shows the legend.
func TestHelpOverlayLayoutAndScroll(t *testing.T) {
	d := newDriver(t, newTestEngine(t), 120, 40)
	d.keys("?")
	v := d.view()
	for _, want := range []string{"↑/k", "up", "/", "search", "s", "stack", "z", "zoom output", "Marks in the step list", "✗ exit N"} {
		if !strings.Contains(v, want) {
			t.Errorf("help at 120 lacks %q:\n%s", want, v)
		}
	}
	// the four groups side by side: the first row holds up, search, stack and zoom
	first := ""
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "↑/k") {
			first = l
		}
	}
	for _, want := range []string{"up", "search", "stack", "zoom output"} {
		if !strings.Contains(first, want) {
			t.Errorf("the first row of keys lacks %q: %q", want, first)
		}
	}
	d.keys("esc")
	if strings.Contains(d.view(), "Marks in the step list") {
		t.Fatal("esc did not close the help")
	}

	d.send(resize(80, 24))
	d.keys("?")
	v = d.view()
	if !strings.Contains(v, "rows 1–") || strings.Contains(v, "Marks in the step list") {
		t.Fatalf("help at 80×24 should start at the top and scroll:\n%s", v)
	}
	for range 10 {
		d.keys("pgdown")
	}
	v = d.view()
	if !strings.Contains(v, "re-attached next") {
		t.Fatalf("pgdn did not reach the end of the help:\n%s", v)
	}
	d.keys("k")
	if !strings.Contains(d.view(), "Keys · rows") {
		t.Fatal("k closed the help instead of scrolling")
	}
	d.keys("q")
	if strings.Contains(d.view(), "Keys · rows") {
		t.Fatal("q did not close the help")
	}
}

// The key line ends with "? help" at 120 columns too (80: flow_test.go).
func TestKeyLineEndsWithHelpAt120(t *testing.T) {
	for _, w := range []int{120} {
		d := newDriver(t, newTestEngine(t), w, 30)
		check := func(where string) {
			t.Helper()
			lines := strings.Split(d.view(), "\n")
			if last := strings.TrimRight(lines[len(lines)-1], " "); !strings.HasSuffix(last, "? help") {
				t.Errorf("%d cols, %s: key line %q", w, where, last)
			}
		}
		check("home")
		d.keys("enter")
		check("a procedure")
		d.keys("tab")
		check("the output pane")
		d.keys("z")
		check("zoomed output")
		d.keys("z", "s")
		check("the stack pane")
	}
}

// Watching, the overlay lists the watcher's a and says that the keys
// which would act are refused; the operator's overlay says neither.
func TestHelpBodyWatch(t *testing.T) {
	tests := []struct {
		name  string
		watch bool
		want  bool
	}{
		{"operator", false, false},
		{"watcher", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Join(helpBody(DefaultKeyMap(), 100, tt.watch), "\n")
			for _, s := range []string{"a  approve / reject the request", "are refused"} {
				if strings.Contains(body, s) != tt.want {
					t.Errorf("help (watch=%v) has %q: %v, want %v:\n%s", tt.watch, s, !tt.want, tt.want, body)
				}
			}
			if !strings.Contains(body, "Marks in the step list") {
				t.Errorf("help (watch=%v) lost the legend:\n%s", tt.watch, body)
			}
		})
	}
}
