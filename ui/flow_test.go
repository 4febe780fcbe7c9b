package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
)

const flowRunbook = `# Flow

## Deploy

### Step 1: Prepare

- [ ] Window announced

` + "```bash" + `
# First
echo one

# Second
echo two
` + "```" + `

### Step 2: Pull

` + "```bash" + `
# Pull latest code
echo pulled

# Or checkout specific version
echo checkout
` + "```" + `

### Step 3: Migrate

See [Migrations](#migrations).

### Step 4: Finish

` + "```bash" + `
# Last
echo last
` + "```" + `

## Migrations

### Migrate

` + "```bash" + `
# Upgrade
echo upgrade
` + "```" + `
`

// The rows of flowRunbook's Deploy: 0 Step 1, 1 the check, 2 First,
// 3 Second, 4 Step 2, 5 Pull, 6 Or checkout, 7 Step 3, 8 Step 4, 9 Last.
func TestNextPending(t *testing.T) {
	rb, _, err := checklist.Parse("flow.md", []byte(flowRunbook))
	if err != nil {
		t.Fatal(err)
	}
	sec := rb.SectionByTitle("Deploy")
	rows := procRows(sec)
	upgrade := rb.SectionByTitle("Migrations").Steps[0].Commands[0].ID
	if len(rows) != 10 || rows[1].kind != rowCheck || rows[6].cmd.AltOf == "" {
		t.Fatalf("fixture rows changed: %d rows", len(rows))
	}
	const (
		ok      = checklist.OK
		failed  = checklist.Failed
		warned  = checklist.Warning
		skipped = checklist.Skipped
		running = checklist.Running
	)
	tests := []struct {
		name     string
		statuses map[int]checklist.Status // by row
		ticked   bool
		from     int
		dir      int
		want     int
	}{
		{"a check not ticked is the next item", nil, false, 0, 1, 1},
		{"from its heading, a step's first command", nil, true, 0, 1, 2},
		{"from the step's last check, its heading: its commands start there", nil, false, 1, 1, 0},
		{"from a check, the heading of a step with a command run is passed", map[int]checklist.Status{3: ok}, false, 1, 1, 2},
		{"after an ok command, the next command", map[int]checklist.Status{2: ok}, true, 2, 1, 3},
		{"a step with nothing run is entered at its heading", map[int]checklist.Status{2: ok, 3: ok}, true, 3, 1, 4},
		{"from the heading, into the step", map[int]checklist.Status{2: ok, 3: ok}, true, 4, 1, 5},
		{"an open group stops on its first command only; a step leading to work left is a stop", nil, true, 5, 1, 7},
		{"a step whose linked procedure is done is passed", map[int]checklist.Status{-1: ok}, true, 5, 1, 8},
		{"a group whose first failed is not pending", map[int]checklist.Status{5: failed, -1: ok}, true, 3, 1, 8},
		{"the first of a group whose alternative ran is not chosen", map[int]checklist.Status{6: ok, -1: ok}, true, 3, 1, 8},
		{"a running command is not pending", map[int]checklist.Status{5: running, -1: ok}, true, 3, 1, 8},
		{"skipped is passed", map[int]checklist.Status{3: skipped}, true, 2, 1, 4},
		{"a warning is passed (it waits for a look, not a run)", map[int]checklist.Status{3: warned}, true, 2, 1, 4},
		{"the first thing to do (from -1)", nil, true, -1, 1, 0},
		{"back: the step leading to work left", nil, true, 9, -1, 7},
		{"back: the group's first command", nil, true, 7, -1, 5},
		{"back: the previous command", nil, true, 5, -1, 3},
		{"back: nothing before the first item", nil, false, 1, -1, -1},
		{"nothing left", map[int]checklist.Status{2: ok, 3: ok, 5: ok, 9: skipped, -1: ok}, true, 0, 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			byID := map[string]checklist.Status{}
			for i, s := range tt.statuses {
				if i == -1 { // the linked procedure's command
					byID[upgrade] = s
					continue
				}
				byID[rows[i].cmd.ID] = s
			}
			v := flowView{
				status: func(id string) checklist.CommandRun {
					if s, ok := byID[id]; ok {
						return checklist.CommandRun{Status: s}
					}
					return checklist.CommandRun{Status: checklist.Pending}
				},
				ticked: func(*checklist.Check) bool { return tt.ticked },
				group:  rb.Alternatives,
				linked: func(r procRow) []procRow { return linkedRows(rb, sec, r) },
			}
			if got := nextPending(rows, tt.from, tt.dir, v); got != tt.want {
				t.Errorf("nextPending(from %d, dir %d) = %d, want %d", tt.from, tt.dir, got, tt.want)
			}
		})
	}
}

func TestStripText(t *testing.T) {
	tests := []struct {
		p    progress
		want string
	}{
		{progress{step: 1, steps: 7}, "Step 1/7 · not started"},
		{progress{step: 4, steps: 7, started: true, elapsed: 3*time.Minute + 12*time.Second}, "Step 4/7 · 3:12 elapsed"},
		{progress{step: 2, steps: 7, started: true, elapsed: 42 * time.Second}, "Step 2/7 · 42.0s elapsed"},
		{progress{steps: 7, started: true, done: true, elapsed: 12*time.Minute + 5*time.Second}, "7 steps · nothing pending · took 12:05"},
		{progress{step: 7, steps: 7, started: true, elapsed: time.Hour + 2*time.Second}, "Step 7/7 · 1:00:02 elapsed"},
	}
	for _, tt := range tests {
		if got := stripText(tt.p); got != tt.want {
			t.Errorf("stripText(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestStepSpan(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	a, b := &checklist.Command{ID: "a"}, &checklist.Command{ID: "b"}
	tests := []struct {
		name string
		runs map[string]checklist.CommandRun
		want time.Duration
		ok   bool
	}{
		{"none ran", nil, 0, false},
		{"first start to last end", map[string]checklist.CommandRun{
			"a": {Status: checklist.OK, Started: t0, Ended: t0.Add(10 * time.Second)},
			"b": {Status: checklist.OK, Started: t0.Add(time.Minute), Ended: t0.Add(90 * time.Second)},
		}, 90 * time.Second, true},
		{"one still running counts to now", map[string]checklist.CommandRun{
			"a": {Status: checklist.OK, Started: t0, Ended: t0.Add(10 * time.Second)},
			"b": {Status: checklist.Running, Started: t0.Add(20 * time.Second)},
		}, 2 * time.Minute, true},
		{"a skipped one has no time", map[string]checklist.CommandRun{
			"a": {Status: checklist.Skipped},
			"b": {Status: checklist.Failed, Started: t0, Ended: t0.Add(3 * time.Second)},
		}, 3 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := func(id string) checklist.CommandRun { return tt.runs[id] }
			got, ok := stepSpan([]*checklist.Command{a, b}, st, t0.Add(2*time.Minute))
			if got != tt.want || ok != tt.ok {
				t.Errorf("stepSpan = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func (d *driver) selectedCmd() string {
	if d.m.proc == nil {
		return ""
	}
	if r, ok := d.m.proc.selected(); ok && r.kind == rowCmd {
		return r.cmd.ID
	}
	return ""
}

func (d *driver) wantSelected(id string) {
	d.t.Helper()
	if got := d.selectedCmd(); got != id {
		d.t.Fatalf("selection on %q, want %q; screen:\n%s", got, id, d.view())
	}
}

// An ok end moves on to the next pending command; ] and [ jump between the
// pending items of the procedure; a failure keeps the selection.
func TestFlowMovesOnAfterOK(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 120, 40)
	openCmd(d, e, idHello)
	d.waitText("Step 1/5 · not started")
	d.keys("enter")
	v := d.waitText("✓ Say hello: ok (exit 0)")
	d.wantSelected("deploy/step-1-hello/count-lines")
	if !strings.Contains(v, "$ seq 1 20000") {
		t.Fatalf("the detail is not the next command's:\n%s", v)
	}
	if !regexp.MustCompile(`Step 1/5 · [0-9.:]+s? elapsed`).MatchString(v) {
		t.Errorf("no progress strip with the elapsed time:\n%s", v)
	}
	if !regexp.MustCompile(`Step 1: Hello +[0-9.:]+s? *│`).MatchString(v) {
		t.Errorf("the step row shows no duration:\n%s", v)
	}
	if regexp.MustCompile(`Step 2: Pull Latest Code +[0-9]`).MatchString(v) {
		t.Errorf("a step that did not run shows a duration:\n%s", v)
	}

	// ] walks the pending items: a step with nothing run is entered at its
	// heading (enter there runs its commands), the unchosen alternative is
	// passed; Step 4 leads to the rollback procedure, whose command is still
	// to do: a stop ("Step …" is a step row)
	for _, want := range []string{idFail, "deploy/step-1-hello/slow-output", "deploy/step-1-hello/sleep-a-while",
		"deploy/step-1-hello/million-lines", "Step 2: Pull Latest Code", idPull, "Step 3: Wipe Scratch", idWipe,
		"Step 4: Run Database Migrations", "Step 5: Edit Env", "deploy/step-5-edit-env/update-env"} {
		d.keys("]")
		if strings.HasPrefix(want, "Step ") {
			if r, _ := d.m.proc.selected(); r.kind != rowStep || d.m.proc.sec.Steps[r.step].Title != want {
				t.Fatalf("] did not stop on %q:\n%s", want, d.view())
			}
			continue
		}
		d.wantSelected(want)
	}
	d.keys("]")
	d.waitText("nothing left to do after this in Deploy")
	d.wantSelected("deploy/step-5-edit-env/update-env")
	d.keys("[")
	if r, _ := d.m.proc.selected(); r.kind != rowStep || d.m.proc.sec.Steps[r.step].Title != "Step 4: Run Database Migrations" {
		t.Fatalf("[ did not stop on the linking step:\n%s", d.view())
	}
	d.keys("[", "[")
	d.wantSelected(idPull)
	d.keys("[", "[", "[", "[", "[")
	d.wantSelected("deploy/step-1-hello/count-lines")
	d.keys("[") // Say hello ran: nothing pending before
	d.waitText("nothing left to do before this in Deploy")
	d.wantSelected("deploy/step-1-hello/count-lines")

	// a failure keeps the selection, so the operator reads it
	d.keys("]")
	d.wantSelected(idFail)
	d.keys("enter")
	d.waitText("✗ Fail on purpose: failed, exit 3")
	d.wantSelected(idFail)
	if v := d.view(); !strings.Contains(v, "about-to-fail") {
		t.Fatalf("the failure's output is not shown:\n%s", v)
	}
}

// z shows the output over the whole screen while the command streams, and
// esc or z puts the procedure back.
func TestZoomOutput(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, "deploy/step-1-hello/slow-output")
	d.keys("enter")
	d.waitText("│slow-5")
	d.keys("z")
	v := d.view()
	lines := strings.Split(v, "\n")
	if strings.Contains(v, "Step 1: Hello") || !strings.Contains(lines[1], "output · Slow output · z/esc: back") {
		t.Fatalf("not zoomed:\n%s", v)
	}
	if !strings.HasPrefix(lines[1], "╭") || !strings.HasSuffix(lines[1], "╮") || len([]rune(lines[1])) != 100 {
		t.Fatalf("the output box is not full width:\n%s", v)
	}
	if last := strings.TrimRight(lines[len(lines)-1], " "); !strings.Contains(last, "z/esc unzoom") || !strings.HasSuffix(last, "? help") {
		t.Fatalf("the key line does not say how to unzoom: %q", last)
	}
	checkSize(t, v, 100, 30)
	// it keeps streaming, zoomed; the end does not take the output away
	d.waitText("│slow-400")
	d.waitIdle(e)
	d.wantSelected("deploy/step-1-hello/slow-output")
	d.keys("esc")
	v = d.waitText("Step 1: Hello")
	if d.m.proc == nil || d.m.proc.zoom {
		t.Fatalf("esc did not just unzoom:\n%s", v)
	}
	d.keys("z")
	if !d.m.proc.zoom {
		t.Fatal("z did not zoom")
	}
	d.keys("z")
	v = d.waitText("Step 1: Hello")
	if d.m.proc.zoom || !strings.Contains(v, "slow-400") {
		t.Fatalf("z did not unzoom:\n%s", v)
	}
}

// The key line ends with "? help" on every screen, also at 80 columns where
// the rest is cut; help lists the flow keys.
func TestKeyLineEndsWithHelp(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 80, 24)
	last := func(what string) {
		t.Helper()
		lines := strings.Split(d.view(), "\n")
		if l := strings.TrimRight(lines[len(lines)-1], " "); !strings.HasSuffix(l, "? help") {
			t.Errorf("%s: key line %q does not end with ? help", what, l)
		}
	}
	last("home")
	openCmd(d, e, idHello)
	last("procedure")
	d.keys("tab")
	last("output pane")
	d.keys("z")
	last("zoomed output")
	d.keys("z", "s")
	last("stack")
	d.keys("d")
	last("database")
	d.keys("esc", "?")
	v := d.view()
	for _, w := range []string{"]", "next to do", "[", "prev to do", "z", "zoom output"} {
		if !strings.Contains(v, w) {
			t.Errorf("help lacks %q:\n%s", w, v)
		}
	}
}
