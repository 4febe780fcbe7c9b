package session

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops"
)

// Command ids of testdata/risk.md.
const (
	idAct    = "filled/act/act-on-the-stack"
	idTool   = "filled/tool/use-a-tool-on-the-scratch-dir"
	idShow   = "filled/commit/show-a-commit"
	idReset  = "filled/commit/reset-to-a-commit"
	idNext   = "gate/words/say-what-comes-next"
	idCountR = "gate/words/count-restores-in-a-log"
)

func openRisk(t *testing.T) (*fixture, *Session) {
	t.Helper()
	f := newFixture(t)
	rb, err := filepath.Abs(filepath.Join("..", "..", "testdata", "risk.md"))
	if err != nil {
		t.Fatal(err)
	}
	f.runbook = rb
	return f, f.open(t)
}

// start plans with params and starts; it returns the refusal, if any, or
// waits for the command and returns its output.
func start(t *testing.T, s *Session, id string, params map[string]string, confirmation string) (string, *RefusedError) {
	t.Helper()
	var out syncBuffer
	e, err := s.Start(context.Background(), plan(t, s, id, params), confirmation, &out)
	var refused *RefusedError
	if errors.As(err, &refused) {
		return "", refused
	}
	if err != nil {
		t.Fatalf("Start(%s): %v", id, err)
	}
	if _, err := e.Wait(); err != nil {
		t.Fatalf("Wait(%s): %v", id, err)
	}
	return out.String(), nil
}

// The risk, the phrase and what is destroyed are those of the command that
// will run, not of its template.
func TestPlanJudgesTheFilledCommand(t *testing.T) {
	f, s := openRisk(t)
	scratch := filepath.Join(f.marks, "x")

	unfilled := plan(t, s, idAct, nil)
	if unfilled.Risk != checklist.Destructive || !strings.Contains(unfilled.Reason, "<action> decides what runs") {
		t.Errorf("docker-compose <action> unfilled: %s (%s), want destructive until filled", unfilled.Risk, unfilled.Reason)
	}

	tests := []struct {
		id      string
		params  map[string]string
		risk    checklist.Risk
		confirm string
		display string
	}{
		{idAct, map[string]string{"action": "down"}, checklist.Destructive, "testproj", "docker-compose down"},
		{idAct, map[string]string{"action": "ps"}, checklist.Safe, "", "docker-compose ps"},
		{idTool, map[string]string{"tool": "rm"}, checklist.Destructive, scratch, `rm -rf "$MARK_DIR/x"`},
		{idTool, map[string]string{"tool": "ls"}, checklist.Safe, "", `ls -rf "$MARK_DIR/x"`},
	}
	for _, tt := range tests {
		p := plan(t, s, tt.id, tt.params)
		if p.Risk != tt.risk || p.Confirm != tt.confirm || !strings.Contains(p.Display, tt.display) {
			t.Errorf("%s %v: %s, phrase %q, display %q; want %s, phrase %q, display with %q", tt.id, tt.params, p.Risk, p.Confirm, p.Display, tt.risk, tt.confirm, tt.display)
		}
		if tt.risk == checklist.Destructive && !strings.Contains(p.Destroys, tt.confirm) {
			t.Errorf("%s %v: destroys %q does not name %q", tt.id, tt.params, p.Destroys, tt.confirm)
		}
	}

	// down with "yes" (what --yes gives) is refused and runs nothing; with
	// the project's name it runs.
	if _, refused := start(t, s, idAct, map[string]string{"action": "down"}, "yes"); refused == nil || !strings.Contains(refused.Reason, `"testproj"`) {
		t.Fatalf("compose down confirmed with yes: refusal %v, want one asking for testproj", refused)
	}
	if out, refused := start(t, s, idAct, map[string]string{"action": "down"}, "testproj"); refused != nil || !strings.Contains(out, "fake compose down") {
		t.Errorf("compose down with the phrase: %v, output %q", refused, out)
	}

	// rm -rf through <tool>: the path is the phrase.
	if err := os.Mkdir(scratch, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, refused := start(t, s, idTool, map[string]string{"tool": "rm"}, "yes"); refused == nil {
		t.Fatal("<tool>=rm -rf ran with yes")
	}
	if _, err := os.Stat(scratch); err != nil {
		t.Fatalf("the refused rm deleted %s: %v", scratch, err)
	}
	if _, refused := start(t, s, idTool, map[string]string{"tool": "rm"}, scratch); refused != nil {
		t.Fatalf("rm -rf with the path as phrase: %v", refused)
	}
	if _, err := os.Stat(scratch); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("rm -rf with its phrase: %s still there (%v)", scratch, err)
	}
}

// A value from earlier in the run is shown, and a command that needs a
// phrase does not run with it until it is given again.
func TestReusedParamIsGivenAgainForADestructiveCommand(t *testing.T) {
	_, s := openRisk(t)
	if out, refused := start(t, s, idShow, map[string]string{"commit": "abc123"}, ""); refused != nil || !strings.Contains(out, "commit abc123") {
		t.Fatalf("show a commit: %v %q", refused, out)
	}
	// A safe command reuses it as before.
	if p := plan(t, s, idShow, nil); p.Reused["commit"] != idShow || p.Params["commit"] != "abc123" {
		t.Errorf("safe reuse: Reused %v Params %v", p.Reused, p.Params)
	}
	p := plan(t, s, idReset, nil)
	if p.Reused["commit"] != idShow || !strings.Contains(p.Display, "abc123") || p.Confirm != "testproj" {
		t.Fatalf("reset with a reused commit: Reused %v, display %q, phrase %q", p.Reused, p.Display, p.Confirm)
	}
	_, refused := start(t, s, idReset, nil, "testproj")
	if refused == nil || !strings.Contains(refused.Reason, "<commit>=abc123 (from "+idShow+")") || !strings.Contains(refused.Reason, "--param commit=abc123") {
		t.Fatalf("reset with the phrase but a reused commit: refusal %v", refused)
	}
	if cr := s.Run().Commands[idReset]; cr != nil {
		t.Errorf("the refused reset has state %+v", cr)
	}
	if !hasEvent(auditEvents(t, s.opts.StateDir), "refuse", idReset) {
		t.Error("the refusal was not audited")
	}
	out, refused := start(t, s, idReset, map[string]string{"commit": "abc123"}, "testproj")
	if refused != nil || !strings.Contains(out, "fake git reset --hard abc123") {
		t.Errorf("reset with the commit given again: %v %q", refused, out)
	}
}

func TestCheckParams(t *testing.T) {
	_, s := openRisk(t)
	cmd, err := s.Runbook().Command(idReset)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		params map[string]string
		want   string // "" = no error
	}{
		{map[string]string{"commit": "abc"}, ""},
		{nil, ""},
		{map[string]string{"comit": "abc"}, "parameter <comit>: unknown parameter: its parameters are <commit>"},
		{map[string]string{"commit": ""}, "parameter <commit>: empty value"},
	}
	for _, tt := range tests {
		err := CheckParams(cmd, tt.params)
		var pe *ParamError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckParams(%v) = %v", tt.params, err)
		case tt.want != "" && (!errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckParams(%v) = %v, want a ParamError with %q", tt.params, err, tt.want)
		}
	}
	greet, _ := s.Runbook().Command(idNext)
	if err := CheckParams(greet, map[string]string{"x": "1"}); err == nil || !strings.Contains(err.Error(), "it has no parameters") {
		t.Errorf("param for a command without any: %v", err)
	}
}

// The backup gate comes from the classifier: words in an echo or a grep
// pattern are not a migration or a restore.
func TestBackupGateIgnoresWords(t *testing.T) {
	_, s := openRisk(t)
	for _, id := range []string{idNext, idCountR} {
		if p := plan(t, s, id, nil); p.Gate != "" || p.Confirm != "" || p.Risk != checklist.Safe {
			t.Errorf("%s: gate %q, phrase %q, risk %s; want a safe command without a gate", id, p.Gate, p.Confirm, p.Risk)
		}
	}
}

// Without PLANNER_DIR the stack is the working directory's: the phrase of
// `docker-compose down` is the project compose derives there, and the text
// says the same name.
func TestPhraseWithoutPlannerDirIsTheWorkingDirectorysProject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My Stack.2")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	rb := filepath.Join(t.TempDir(), "nodir.md")
	src := "---\ntitle: No dir\nvars:\n  DB_NAME: testdb\n---\n\n# No dir\n\n## Stack\n\n### Down\n\n```bash\n# Take it down\ndocker-compose down\n```\n"
	if err := os.WriteFile(rb, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("COMPOSE_PROJECT_NAME", "")
	t.Setenv("PLANNER_DIR", "")
	for _, tt := range []struct{ env, dotenv, want string }{
		{"", "", "mystack2"},
		{"fromenv", "", "fromenv"},
		{"", "COMPOSE_PROJECT_NAME=fromdotenv\n", "fromdotenv"}, // compose reads the .env there too
		{"fromenv", "COMPOSE_PROJECT_NAME=fromdotenv\n", "fromenv"},
	} {
		t.Setenv("COMPOSE_PROJECT_NAME", tt.env)
		if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(tt.dotenv), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(context.Background(), Options{RunbookPath: rb, StateDir: t.TempDir(), Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		p := plan(t, s, "stack/down/take-it-down", nil)
		if p.Confirm != tt.want || !strings.Contains(p.Destroys, "compose project "+tt.want) || s.Target().Project != tt.want {
			t.Errorf("COMPOSE_PROJECT_NAME=%q in %s: phrase %q, destroys %q, target project %q; want %s in all", tt.env, dir, p.Confirm, p.Destroys, s.Target().Project, tt.want)
		}
		s.Close()
	}
}

// A variable a step assigns is not its front matter value when a later
// command is judged: TOOL is "ls" in the front matter, a step sets TOOL=rm,
// and `$TOOL -rf` must need its phrase, never run on a y (or on nothing,
// as a "safe ls" would).
func TestPlanDoesNotTrustAVariableAStepSets(t *testing.T) {
	f, s := openRisk(t)
	victim := filepath.Join(f.marks, "y")
	if err := os.MkdirAll(victim, 0o755); err != nil {
		t.Fatal(err)
	}
	if p := plan(t, s, "shadow/use-the-picked-tool", nil); p.Risk != checklist.Destructive || strings.Contains(p.Reason, "ls") {
		t.Fatalf("before any step: %s (%s), want destructive and no word of ls", p.Risk, p.Reason)
	}
	if _, refused := start(t, s, "shadow/pick-a-tool", nil, "yes"); refused != nil {
		t.Fatalf("pick a tool: %v", refused)
	}
	for _, conf := range []string{"", "yes"} {
		if _, refused := start(t, s, "shadow/use-the-picked-tool", nil, conf); refused == nil {
			t.Fatalf("$TOOL -rf ran with confirmation %q after a step set TOOL=rm", conf)
		}
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("%s is gone: %v", victim, err)
	}
}

// What the operator typed is recorded only when it is the phrase or a typo
// of it: a password typed into the phrase field never reaches the audit
// log or the refusal.
func TestWrongConfirmationNotRecordedUnlessATypo(t *testing.T) {
	for _, tt := range []struct{ typed, want string }{
		{"", ""},
		{"yes", "yes"},
		{"testproj", "testproj"},
		{"testpoj", "testpoj"},
		{"testproj ", "testproj "},
		{"TESTPROJ", "<8 characters, not shown: not the phrase nor a typo of it>"},
		{"hunter2-S3cret!", "<15 characters, not shown: not the phrase nor a typo of it>"},
	} {
		if got := recordedConfirmation(tt.typed, "testproj"); got != tt.want {
			t.Errorf("recordedConfirmation(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}

	f, s := openRisk(t)
	const password = "hunter2-S3cret!pw"
	_, refused := start(t, s, idTool, map[string]string{"tool": "rm"}, password)
	if refused == nil {
		t.Fatal("rm -rf ran with a password for a phrase")
	}
	if strings.Contains(refused.Error(), password) {
		t.Errorf("the refusal shows what was typed: %v", refused)
	}
	b, err := os.ReadFile(filepath.Join(f.state, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), password) || !strings.Contains(string(b), "not the phrase nor a typo of it") {
		t.Errorf("audit log:\n%s", b)
	}
}

// With restore-drill: required, a verified backup is not enough for the
// fresh-backup gate: its restore drill must have passed.
func TestBackupGateRequiresADrill(t *testing.T) {
	now := time.Now().UTC()
	verified := checklist.Backup{Path: "/b/x.sql", Verified: true, At: now}
	drilled := verified
	drilled.DrillPassed = now
	tests := []struct {
		name     string
		meta     map[string]string
		backups  []checklist.Backup
		wantGate string // "" for no gate
	}{
		{"no drill asked, verified backup", nil, []checklist.Backup{verified}, ""},
		{"no drill asked, no backup", nil, nil, "no verified backup"},
		{"drill required, verified only", map[string]string{"restore-drill": "required"}, []checklist.Backup{verified}, "restore drill passed"},
		{"drill required, drilled", map[string]string{"restore-drill": "required"}, []checklist.Backup{verified, drilled}, ""},
		{"drill required, old drilled backup", map[string]string{"restore-drill": "required"},
			[]checklist.Backup{{Path: "/b/old.sql", Verified: true, At: now.Add(-48 * time.Hour), DrillPassed: now}}, "restore drill passed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &planner{runbook: &checklist.Runbook{Meta: tt.meta}, target: ops.Target{DBName: "planner_production"}}
			gate := p.backupGateIn(&checklist.Run{Backups: tt.backups})
			if (gate == "") != (tt.wantGate == "") || !strings.Contains(gate, tt.wantGate) {
				t.Errorf("gate = %q, want one containing %q", gate, tt.wantGate)
			}
		})
	}
}
