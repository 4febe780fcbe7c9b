package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// The random-key test: thousands of seeded key sequences drive the real
// screen over the real session (commands really run, in detached
// supervisors) on testdata/randomkeys.md, whose destructive commands touch
// marker files. It asserts that no key sequence panics, that every Update
// returns (a watchdog, not a sleep), and that a destructive command's
// marker appears only after its exact phrase was typed into its own
// confirmation dialog and enter pressed (a change's only after y on its
// question). It runs 3000 sequences, 1000 with -short, 300 under -race;
// PLANNER_TUI_KEYS_SEED=N replays a failing seed, PLANNER_TUI_KEYS_SEQS=N
// sets how many sequences.

const (
	keysSeqsDefault = 3000
	keysSeqsShort   = 1000
	keysSeqsRace    = 300 // under -race (make check runs -short -race)
	keysMaxLen      = 40
	// updateDeadline is how long one Update (or the wait for a started
	// command to end) may take before the test calls it a hang.
	updateDeadline = 10 * time.Second
	// keysOverallDeadline bounds the whole test: a slow machine fails
	// loudly instead of running on.
	keysOverallDeadline = 5 * time.Minute
)

// destructive commands of randomkeys.md: their marker and phrase.
var keysGuarded = []struct{ id, marker, phrase string }{
	{"deploy/step-3-wipe/wipe-the-data", "wiped", "wipe-it-now"},
	{"deploy/step-4-drop/drop-the-database", "dropped", "drop_db"},
}

const keysChangeID = "deploy/step-2-change/touch-the-change-marker"

// keyAlphabet are the keys a sequence draws from; phrases are typed whole.
var keyAlphabet = []string{
	"enter", "enter", "enter", "esc", "esc", "ctrl+c", "q", "y", "y", "n", "N", "x", "space",
	"tab", "shift+tab", "up", "down", "down", "left", "right", "j", "k", "l", "h",
	"/", "?", "e", "r", "g", "s", "d", "R", "G", "w", "alt+d", "alt+d", "backspace",
	"home", "end", "pgup", "pgdown", "ctrl+a", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+w", "alt+b", "alt+f",
	"delete", "alt+backspace", "f", ">", "<", "o", "z", "]", "[", "alt+q",
	"phrase:wipe-it-now", "phrase:drop_db", "phrase:wipe-it-no", "phrase:drop_db ", "phrase:DROP_DB",
	"phrase:yes", "phrase:hello world", "rune:é", "rune:日", "rune:🙂", "rune:-", "rune: ",
	"letter", "letter", "letter",
}

func fuzzKey(s string) tea.KeyPressMsg {
	switch s {
	case "alt+d":
		return tea.KeyPressMsg{Code: 'd', Mod: tea.ModAlt}
	case "alt+b":
		return tea.KeyPressMsg{Code: 'b', Mod: tea.ModAlt}
	case "alt+f":
		return tea.KeyPressMsg{Code: 'f', Mod: tea.ModAlt}
	case "alt+backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace, Mod: tea.ModAlt}
	case "alt+q": // esc then q typed fast
		return tea.KeyPressMsg{Code: 'q', Mod: tea.ModAlt}
	case "ctrl+a", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+w":
		return tea.KeyPressMsg{Code: rune(s[5]), Mod: tea.ModCtrl}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "delete":
		return tea.KeyPressMsg{Code: tea.KeyDelete}
	}
	return keyMsg(s)
}

// keySequence draws one sequence: key names, phrases expanded to runes.
// Two in three start by walking to a command (opening Deploy and moving
// down, or searching for a destructive one), so that the guards are
// reached often; the rest of the sequence is random.
func keySequence(r *rand.Rand) []string {
	n := 1 + r.IntN(keysMaxLen)
	var out []string
	switch r.IntN(3) {
	case 0:
		out = append(out, "enter")
		for range r.IntN(8) {
			out = append(out, "down")
		}
		out = append(out, "enter")
	case 1:
		// search, open, run; maybe y (to "Run again?", or typed into the
		// phrase), maybe a phrase (right or wrong, for either command)
		out = append(out, "/")
		for _, c := range []string{"wipe", "drop", "change", "hi"}[r.IntN(4)] {
			out = append(out, string(c))
		}
		// enter picks the result (once the search has answered), enter
		// opens it, enter runs it
		out = append(out, "enter", "enter", "enter")
		if r.IntN(2) == 0 {
			out = append(out, "y")
		}
		if r.IntN(3) > 0 {
			for _, c := range []string{"wipe-it-now", "drop_db", "drop_db", "wipe-it-now", "drop-db"}[r.IntN(5)] {
				out = append(out, "rune:"+string(c))
			}
			out = append(out, "enter")
		}
	}
	for len(out) < n {
		k := keyAlphabet[r.IntN(len(keyAlphabet))]
		switch {
		case k == "letter":
			out = append(out, string(rune('a'+r.IntN(26))))
		case strings.HasPrefix(k, "phrase:"):
			for _, c := range strings.TrimPrefix(k, "phrase:") {
				out = append(out, "rune:"+string(c))
			}
		default:
			out = append(out, k)
		}
	}
	return out
}

func keyPress(k string) tea.KeyPressMsg {
	if r, ok := strings.CutPrefix(k, "rune:"); ok {
		rs := []rune(r)
		if r == " " {
			return keyMsg("space")
		}
		return tea.KeyPressMsg{Code: rs[0], Text: r}
	}
	return fuzzKey(k)
}

// keysLoop is one screen's event loop, like driver but ending at quit and
// bounded by its context.
type keysLoop struct {
	m    *Model
	ctx  context.Context
	msgs chan tea.Msg
	quit chan struct{}
}

func (l *keysLoop) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if msg == nil {
			return
		}
		if _, ok := msg.(tea.QuitMsg); ok {
			select {
			case l.quit <- struct{}{}:
			default:
			}
			return
		}
		select {
		case l.msgs <- msg:
		case <-l.ctx.Done():
		}
	}()
}

func (l *keysLoop) send(msg tea.Msg) {
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			l.exec(c)
		}
		return
	}
	_, cmd := l.m.Update(msg)
	l.exec(cmd)
}

func (l *keysLoop) pump() {
	for {
		select {
		case msg := <-l.msgs:
			l.send(msg)
		default:
			return
		}
	}
}

// keysReport is what one sequence did, for the failure message.
type keysReport struct {
	seq     int
	keys    []string
	step    int
	phrased map[string]bool // destructive command ids whose phrase was typed and entered
	changed bool            // y on the change's question
	stats   *keysStats
}

// keysProgress is where the sequences are, for the watchdog (a copy: the
// keys are never changed once drawn).
type keysProgress struct {
	seq, step int
	keys      []string
}

// keysStats say what the sequences reached, so that a run that never gets
// to a guard shows it.
type keysStats struct {
	phraseDialogs, wrongPhrases, destructiveRuns, changeRuns int
}

func TestRandomKeys(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("PLANNER_TUI_KEYS_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("PLANNER_TUI_KEYS_SEED=%q: %v", v, err)
		}
	}
	seqs := keysSeqsDefault
	if testing.Short() {
		seqs = keysSeqsShort
	}
	if raceEnabled {
		seqs = keysSeqsRace
	}
	if v := os.Getenv("PLANNER_TUI_KEYS_SEQS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("PLANNER_TUI_KEYS_SEQS=%q: want a positive number", v)
		}
		seqs = n
	}
	t.Logf("seed %d (replay: PLANNER_TUI_KEYS_SEED=%d go test -run TestRandomKeys ./ui/)", seed, seed)

	tmp := t.TempDir()
	marks := filepath.Join(tmp, "marks")
	for _, d := range []string{filepath.Join(marks, "data"), filepath.Join(tmp, "planner")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	waitSupervisors(t, filepath.Join(tmp, "state"))
	s, err := session.Open(context.Background(), session.Options{
		RunbookPath: "testdata/randomkeys.md",
		Dir:         filepath.Join(tmp, "planner"),
		StateDir:    filepath.Join(tmp, "state"),
		Sets:        map[string]string{"MARKS": marks},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	progress := make(chan keysProgress, 1)
	done := make(chan error, 1)
	start := time.Now()
	keysSent := 0
	var stats keysStats
	go func() {
		var rep *keysReport
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v\n%s\nsequence %d, key %d of %q", p, debug.Stack(), rep.seq, rep.step, rep.keys)
			}
		}()
		for i := range seqs {
			rep = &keysReport{seq: i, keys: keySequence(r), phrased: map[string]bool{}, stats: &stats}
			select {
			case progress <- keysProgress{rep.seq, 0, rep.keys}:
			default:
			}
			if err := runKeySequence(s, rep, marks, progress); err != nil {
				done <- fmt.Errorf("%w\nsequence %d: %q", err, i, rep.keys)
				return
			}
			keysSent += len(rep.keys)
		}
		done <- nil
	}()

	// The watchdog: every step reports progress; none may take longer
	// than updateDeadline.
	last := keysProgress{step: -1}
	timer := time.NewTimer(updateDeadline)
	defer timer.Stop()
	overall := time.After(keysOverallDeadline)
	for {
		select {
		case <-overall:
			t.Fatalf("seed %d: not done after %s (at sequence %d of %d)", seed, keysOverallDeadline, last.seq, seqs)
		case err := <-done:
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			el := time.Since(start)
			t.Logf("%d sequences, %d keys in %s: %.0f sequences/s, %.0f keys/s", seqs, keysSent, el.Round(time.Millisecond),
				float64(seqs)/el.Seconds(), float64(keysSent)/el.Seconds())
			t.Logf("reached: %d phrase dialogs, %d wrong phrases entered, %d destructive runs with their phrase, %d change runs after y",
				stats.phraseDialogs, stats.wrongPhrases, stats.destructiveRuns, stats.changeRuns)
			if seqs >= keysSeqsRace && stats.phraseDialogs == 0 {
				t.Errorf("seed %d: no sequence reached a phrase dialog: the test does not test the guard", seed)
			}
			return
		case p := <-progress:
			if p.seq != last.seq || p.step != last.step {
				last = p
				timer.Reset(updateDeadline)
			}
		case <-timer.C:
			t.Fatalf("seed %d: hang: no progress for %s in sequence %d at key %d of %q", seed, updateDeadline, last.seq, last.step, last.keys)
		}
	}
}

// runKeySequence drives a fresh screen with one sequence, waits for any
// command it started to end, and checks the markers.
func runKeySequence(s *session.Session, rep *keysReport, marks string, progress chan<- keysProgress) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := &keysLoop{m: newModel(engineBackend{s}, Options{NoColor: true}).withContext(ctx), ctx: ctx, msgs: make(chan tea.Msg, 1024), quit: make(chan struct{}, 1)}
	l.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	l.exec(l.m.Init())
	for i, k := range rep.keys {
		rep.step = i
		select {
		case progress <- keysProgress{rep.seq, i, rep.keys}:
		default:
		}
		select {
		case <-l.quit:
			goto settle
		default:
		}
		press := keyPress(k)
		wasPhrase := noteAuthorization(l.m, press, rep)
		l.send(press)
		l.pump()
		if _, ok := l.m.dlg.(*phraseDialog); ok && !wasPhrase {
			rep.stats.phraseDialogs++
		}
		if i%4 == 3 {
			_ = l.m.View()
		}
	}
settle:
	_ = l.m.View()
	// Let what was started finish: the loop keeps running until the
	// screen has no job and the run nothing running.
	deadline := time.After(updateDeadline)
	for l.m.starting > 0 || l.m.c.active != nil || runningIn(s.Snapshot().Run) {
		select {
		case msg := <-l.msgs:
			l.send(msg)
		case <-s.Snapshot().Replaced():
		case <-deadline:
			return fmt.Errorf("a command started by the sequence did not end within %s", updateDeadline)
		}
	}
	for _, g := range keysGuarded {
		p := filepath.Join(marks, g.marker)
		if _, err := os.Stat(p); err == nil {
			if !rep.phrased[g.id] {
				return fmt.Errorf("%s ran without its phrase %q being typed", g.id, g.phrase)
			}
			rep.stats.destructiveRuns++
			os.Remove(p)
		}
	}
	if _, err := os.Stat(filepath.Join(marks, "change")); err == nil {
		if !rep.changed {
			return fmt.Errorf("%s ran without a y on its question", keysChangeID)
		}
		rep.stats.changeRuns++
		os.Remove(filepath.Join(marks, "change"))
	}
	return os.MkdirAll(filepath.Join(marks, "data"), 0o755)
}

// noteAuthorization records, before the key reaches the screen, whether it
// authorizes a guarded command: enter in a command's phrase dialog holding
// exactly its phrase, or y on the change's question.
// It says whether a phrase dialog was open.
func noteAuthorization(m *Model, k tea.KeyPressMsg, rep *keysReport) bool {
	switch d := m.dlg.(type) {
	case *phraseDialog:
		if k.String() == "enter" && d.input.Value() != d.plan.Confirm && d.input.Value() != "" {
			rep.stats.wrongPhrases++
		}
		if k.String() == "enter" && d.input.Value() == d.plan.Confirm {
			for _, g := range keysGuarded {
				if d.plan.Command.ID == g.id && d.plan.Confirm == g.phrase {
					rep.phrased[g.id] = true
				}
			}
		}
	case *confirmDialog:
		if k.String() == "y" || k.String() == "Y" {
			if st, ok := d.onYes.(startReqMsg); ok && st.plan.Command.ID == keysChangeID {
				rep.changed = true
			}
		}
	}
	return m.dlg != nil && isPhraseDialog(m.dlg)
}

func isPhraseDialog(d dialog) bool {
	_, ok := d.(*phraseDialog)
	return ok
}

func runningIn(run *checklist.Run) bool {
	for _, cr := range run.Commands {
		if cr.Status == checklist.Running {
			return true
		}
	}
	return false
}
