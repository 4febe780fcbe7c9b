package checklist

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseOriginalStructure(t *testing.T) {
	rb := loadOriginal(t)
	if rb.Title != "Deployment Runbook" {
		t.Errorf("title %q", rb.Title)
	}
	var titles []string
	for _, s := range rb.Sections {
		titles = append(titles, s.Title)
	}
	want := []string{"Overview", "Table of Contents", "Pre-Deployment Checklist", "Standard Deployment Procedure",
		"Database Migration Procedure", "Rollback Procedure", "Emergency Procedures", "Post-Deployment Verification",
		"Deployment Checklist Summary", "Contact Information", "Revision History"}
	if !slices.Equal(titles, want) {
		t.Errorf("sections\n got %q\nwant %q", titles, want)
	}
	if got := rb.Sections[0].Intro; !strings.HasPrefix(got, "This runbook provides") {
		t.Errorf("overview intro %q", got)
	}

	// Rollback: "### Rollback Steps" only holds "####" steps, so it is a group.
	rbk := rb.SectionByTitle("rollback procedure")
	var steps []string
	for _, st := range rbk.Steps {
		steps = append(steps, st.Title+"|"+st.Group)
	}
	wantSteps := []string{"When to Rollback|", "Step 1: Stop Current Services|Rollback Steps", "Step 2: Revert Code|Rollback Steps",
		"Step 3: Rollback Database (if migrations were run)|Rollback Steps", "Step 4: Rebuild and Restart|Rollback Steps", "Step 5: Verify Rollback|Rollback Steps"}
	if !slices.Equal(steps, wantSteps) {
		t.Errorf("rollback steps\n got %q\nwant %q", steps, wantSteps)
	}
	if st := rbk.Steps[1]; st.Level != 4 || st.Line != 189 || st.ID != "rollback-procedure/step-1-stop-current-services" {
		t.Errorf("rollback step 1: level %d line %d id %s", st.Level, st.Line, st.ID)
	}
	if _, st := rb.Anchor("#rollback-steps"); st == nil || st.Title != "Step 1: Stop Current Services" {
		t.Errorf("group anchor resolves to %+v", st)
	}

	// Alternatives.
	pull, err := rb.Command("step-2-pull-latest-code/pull-latest-code")
	if err != nil {
		t.Fatal(err)
	}
	alt, err := rb.Command("or-checkout-specific-version")
	if err != nil {
		t.Fatal(err)
	}
	if alt.AltOf != pull.ID || pull.AltOf != "" {
		t.Errorf("AltOf: %q / %q", alt.AltOf, pull.AltOf)
	}
	if got := rb.Alternatives(alt.ID); len(got) != 2 || got[0] != pull || got[1] != alt {
		t.Errorf("Alternatives(%s) = %v", alt.ID, got)
	}
	if got := rb.Alternatives("fetch-latest-changes"); got != nil {
		t.Errorf("Alternatives with a suffix, not an id, = %v (want nil)", got)
	}
	down, _ := rb.Command("downgrade-to-previous-version")
	restore, _ := rb.Command("or-restore-from-backup")
	if restore.AltOf != down.ID {
		t.Errorf("restore AltOf %q, want %q", restore.AltOf, down.ID)
	}
	// "If restart fails, ..." is a follow-up, not an alternative.
	recreate, _ := rb.Command("if-restart-fails-recreate-containers")
	if recreate.AltOf != "" || !strings.Contains(recreate.Script, "down\n") || !strings.HasSuffix(recreate.Script, "up -d") {
		t.Errorf("recreate: AltOf %q script %q", recreate.AltOf, recreate.Script)
	}

	// Placeholders.
	params := map[string]string{
		"checkout-previous-version":       "previous-commit-hash",
		"downgrade-to-previous-version":   "revision-id",
		"or-restore-from-backup":          "timestamp",
		"api-test-test-programs-endpoint": "token",
	}
	for id, p := range params {
		c, err := rb.Command(id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Params, []string{p}) {
			t.Errorf("%s params %v, want [%s]", id, c.Params, p)
		}
	}

	// Variables across commands.
	set, _ := rb.Command("set-backup-timestamp")
	if !slices.Equal(set.Sets, []string{"BACKUP_TIMESTAMP"}) || set.Script != "BACKUP_TIMESTAMP=$(date +%Y%m%d-%H%M%S)" {
		t.Errorf("set-backup-timestamp: sets %v script %q", set.Sets, set.Script)
	}
	for _, id := range []string{"step-1-create-backup/backup-database", "verify-backup", "backup-environment-configuration"} {
		c, _ := rb.Command(id)
		if !slices.Equal(c.Uses, []string{"BACKUP_TIMESTAMP"}) {
			t.Errorf("%s uses %v", id, c.Uses)
		}
	}
	if !slices.Equal(restore.Sets, []string{"BACKUP_FILE"}) || len(restore.Uses) != 0 {
		t.Errorf("restore sets %v uses %v", restore.Sets, restore.Uses)
	}

	// Comment-only lines stay in the step as a note.
	sec, _ := rb.Step("security-incident")
	for _, line := range []string{"Rotate all secrets", "1. Generate new SECRET_KEY", "4. Regenerate SSL certificates if compromised"} {
		if !strings.Contains(sec.Body, line) {
			t.Errorf("security incident body lacks %q: %q", line, sec.Body)
		}
	}
	var secTitles []string
	for _, c := range sec.Commands {
		secTitles = append(secTitles, c.Title)
	}
	if !slices.Equal(secTitles, []string{"Immediately stop all services", "Preserve logs for investigation", "Review and update .env file", "Rebuild and restart with new secrets"}) {
		t.Errorf("security incident commands %q", secTitles)
	}
	if nano := sec.Commands[2]; !nano.Interactive || nano.Risk != Change {
		t.Errorf("nano .env: interactive %v risk %s", nano.Interactive, nano.Risk)
	}
	mem, _ := rb.Step("high-memory-usage")
	if !strings.Contains(mem.Body, "If issue persists, increase memory limits") {
		t.Errorf("trailing comment lost: %q", mem.Body)
	}

	// Commands inside a list item, continuation kept whole.
	mv, _ := rb.Step("manual-verification")
	if len(mv.Commands) != 4 {
		t.Fatalf("manual verification has %d commands", len(mv.Commands))
	}
	login := mv.Commands[0]
	if login.Title != "API Test: Test authentication endpoint" || login.Line != 372 ||
		login.Script != "curl -X POST https://your-domain.com/api/v1/auth/login \\\n  -H \"Content-Type: application/json\" \\\n  -d '{\"username\":\"test\",\"password\":\"test\"}'" {
		t.Errorf("API test command: %q line %d\n%s", login.Title, login.Line, login.Script)
	}
	if !strings.Contains(mv.Body, "**Login Test**") || strings.Contains(mv.Body, "curl") {
		t.Errorf("manual verification body keeps prose, drops code: %q", mv.Body)
	}

	// The resources command keeps its three lines and trailing comments.
	res, _ := rb.Command("check-system-resources")
	if res.Script != "df -h  # Disk space\nfree -h  # Memory\ndocker stats --no-stream  # Container resources" || res.Line != 38 {
		t.Errorf("check-system-resources line %d: %q", res.Line, res.Script)
	}

	// Summary checks.
	sum := rb.SectionByTitle("Deployment Checklist Summary")
	var groups []string
	n := 0
	for _, st := range sum.Steps {
		groups = append(groups, st.Title)
		n += len(st.Checks)
	}
	if !slices.Equal(groups, []string{"Pre-Deployment", "Deployment", "Post-Deployment", "If Issues Occur"}) || n != 20 {
		t.Errorf("summary groups %q, %d checks", groups, n)
	}
	if ck := sum.Steps[3].Checks[0]; ck.Text != "Execute rollback procedure" || ck.ID != "deployment-checklist-summary/if-issues-occur/execute-rollback-procedure" || ck.Line != 431 || ck.Done {
		t.Errorf("first check of If Issues Occur: %+v", ck)
	}

	// Links from steps.
	s5, _ := rb.Step("step-5-run-database-migrations-if-applicable")
	if !slices.Equal(s5.Links, []string{"#database-migration-procedure"}) {
		t.Errorf("step 5 links %v", s5.Links)
	}
	if sec, st := rb.Anchor(s5.Links[0]); sec == nil || st != nil || sec.Title != "Database Migration Procedure" {
		t.Errorf("Anchor(%s) = %v %v", s5.Links[0], sec, st)
	}
	if got := rb.SectionOf(s5.ID); got == nil || got.Title != "Standard Deployment Procedure" {
		t.Errorf("SectionOf(%s) = %v", s5.ID, got)
	}
	if got := rb.StepOf(pull.ID); got == nil || got.Title != "Step 2: Pull Latest Code" {
		t.Errorf("StepOf(%s) = %v", pull.ID, got)
	}
	if n := len(rb.Commands()); n != 69 {
		t.Errorf("%d commands, want 69", n)
	}
}

func TestLookupErrors(t *testing.T) {
	rb := loadOriginal(t)
	if _, err := rb.Command("restart-application"); err != nil {
		t.Errorf("unique suffix: %v", err)
	}
	_, err := rb.Command("verify-migration-completed")
	if err != nil {
		t.Errorf("unique suffix: %v", err)
	}
	_, err = rb.Command("check-logs")
	if err != nil {
		t.Errorf("check-logs is unique: %v", err)
	}
	_, err = rb.Command("start-new-container")
	if err == nil || !strings.Contains(err.Error(), "did you mean standard-deployment-procedure/step-6-deploy-new-version/start-new-containers") {
		t.Errorf("close match error: %v", err)
	}
	_, err = rb.Step("step-1-create-backup")
	if err != nil {
		t.Error(err)
	}
	// "restart-app" matches no id; "rebuild-images" is unique.
	if _, err := rb.Command("art-application"); err == nil {
		t.Error("a suffix that does not start at a / boundary matched")
	}
	_, err = rb.Step("step-7-verify-deployment")
	if err != nil {
		t.Error(err)
	}
	// An ambiguous suffix lists the candidates.
	rb2, _, err := Parse("x.md", []byte("## A\n\n### Go\n\n```bash\nls\n```\n\n## B\n\n### Go\n\n```bash\nls\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = rb2.Command("ls")
	if err == nil || !strings.Contains(err.Error(), "ambiguous: a/go/ls, b/go-1/ls") {
		t.Errorf("ambiguous: %v", err)
	}
	if c, err := rb2.Command("b/go-1/ls"); err != nil || c.ID != "b/go-1/ls" {
		t.Errorf("exact id: %v %v", c, err)
	}
}

func TestParseTestdata(t *testing.T) {
	t.Run("front matter and attributes", func(t *testing.T) {
		rb, probs, err := Load("testdata/frontmatter-attrs.md")
		if err != nil {
			t.Fatal(err)
		}
		if rb.Title != "Nightly cache rebuild" || rb.Vars["DB_NAME"] != "cache_db" || rb.Meta["summary"] != "Checklist" || rb.Meta["emergency"] != "Break Glass" {
			t.Errorf("front matter: title %q vars %v meta %v", rb.Title, rb.Vars, rb.Meta)
		}
		wantProbs := []string{`testdata/frontmatter-attrs.md:40: warning: risk=safe ignored: command "Stop the stack anyway" is destructive: compose down stops and removes the stack's containers`}
		if got := problemStrings(probs); !slices.Equal(got, wantProbs) {
			t.Errorf("problems\n got %q\nwant %q", got, wantProbs)
		}
		drop, err := rb.Command("drop-cache")
		if err != nil {
			t.Fatal(err)
		}
		if drop.ID != "rebuild/drop-the-cache-table/drop-cache" || drop.Timeout != 90*time.Second || drop.Risk != Destructive || drop.Confirm != "cache_db" || drop.Line != 25 {
			t.Errorf("drop: %+v", drop)
		}
		warm, _ := rb.Command("warm-the-cache-from-the-api")
		if warm.Risk != Destructive || warm.Confirm != "plannerapp" || warm.Timeout != 5*time.Minute || warm.Lang != "sh" {
			t.Errorf("warm (raised by risk=destructive): %+v", warm)
		}
		watch, _ := rb.Command("watch-it-fill")
		if !watch.Interactive || watch.Risk != Safe {
			t.Errorf("watch: interactive %v risk %s", watch.Interactive, watch.Risk)
		}
		stop, _ := rb.Command("stop-the-stack-anyway")
		if stop.Risk != Destructive || stop.Confirm != "plannerapp" {
			t.Errorf("risk=safe must not lower a destructive command: %+v", stop)
		}
		report, _ := rb.Command("make-a-report")
		if report.Risk != Change || !strings.Contains(report.Reason, "unknown command ./scripts/report.sh") {
			t.Errorf("report: %s %s", report.Risk, report.Reason)
		}
		// ApplyVars recomputes the phrases for other variables.
		rb.ApplyVars(map[string]string{"COMPOSE_PROJECT_NAME": "blue", "DB_NAME": "other"})
		if stop.Confirm != "blue" || drop.Confirm != "cache_db" {
			t.Errorf("after ApplyVars: stop %q drop %q (confirm= attribute wins)", stop.Confirm, drop.Confirm)
		}
		if chk := rb.Sections[0].Steps[0]; chk.Level != 2 || len(chk.Checks) != 2 || !chk.Checks[1].Done {
			t.Errorf("implicit checklist step: %+v", chk)
		}
	})
	t.Run("heredocs and compound commands", func(t *testing.T) {
		rb, probs, err := Load("testdata/heredoc-if.md")
		if err != nil || len(probs) != 0 {
			t.Fatal(err, probs)
		}
		var got []string
		for _, c := range rb.Commands() {
			got = append(got, c.Title+"|"+c.Risk.String()+"|"+strings.ReplaceAll(c.Script, "\n", "⏎"))
		}
		want := []string{
			"Write the maintenance page config|change|cat > /etc/nginx/conf.d/maint.conf <<EOF⏎server {⏎    listen 8080;⏎⏎    # served while we work⏎    return 503;⏎}⏎EOF",
			"Restart only when the config is valid|change|if nginx -t; then⏎  systemctl reload nginx⏎else⏎  echo \"bad config\" >&2⏎⏎  exit 1⏎fi",
			"retry() {|safe|retry() {⏎  local n=0⏎  until \"$@\"; do⏎    n=$((n+1))⏎    [ \"$n\" -ge 5 ] && return 1⏎    sleep 2⏎  done⏎}⏎retry curl -fsS http://127.0.0.1:8000/health",
			"Count rows per table|safe|for t in programs projects; do⏎  psql -d planner -c \"SELECT count(*) FROM $t\"⏎done",
			"Long message|change|echo \"first line⏎second line\" | tee -a /tmp/notes.txt",
			"Rotate the session secret|destructive|NEW=$(openssl rand -hex 32)⏎sed -i \"s/^SECRET_KEY=.*/SECRET_KEY=$NEW/\" .env",
		}
		if !slices.Equal(got, want) {
			t.Errorf("commands\n got %q\nwant %q", got, want)
		}
		rot, _ := rb.Command("rotate-the-session-secret")
		if !slices.Equal(rot.Sets, []string{"NEW"}) || len(rot.Uses) != 0 {
			t.Errorf("rotate sets %v uses %v", rot.Sets, rot.Uses)
		}
		loop, _ := rb.Command("count-rows-per-table")
		if len(loop.Sets) != 0 || len(loop.Uses) != 0 {
			t.Errorf("a loop variable is neither set nor used from outside: %v %v", loop.Sets, loop.Uses)
		}
	})
	t.Run("no ### headings", func(t *testing.T) {
		rb, probs, err := Load("testdata/no-h3.md")
		if err != nil || len(probs) != 0 {
			t.Fatal(err, probs)
		}
		prep := rb.Sections[0]
		if prep.Intro != "Everything here runs from the project directory." || len(prep.Steps) != 1 {
			t.Fatalf("prepare: intro %q, %d steps", prep.Intro, len(prep.Steps))
		}
		st := prep.Steps[0]
		if st.ID != "prepare" || st.Level != 2 || st.Title != "Prepare" || len(st.Checks) != 1 || len(st.Commands) != 1 || st.Commands[0].ID != "prepare/show-what-runs" {
			t.Errorf("implicit step: %+v", st)
		}
		ship := rb.Sections[1].Steps[0]
		if len(ship.Commands) != 2 || ship.Commands[0].Title != "docker compose pull" || ship.Commands[0].Script != "docker compose pull\ndocker compose up -d" || ship.Commands[1].Line != 20 {
			t.Errorf("ship commands: %+v %+v", ship.Commands[0], ship.Commands[1])
		}
	})
	t.Run("links", func(t *testing.T) {
		rb, probs, err := Load("testdata/links.md")
		if err != nil || len(probs) != 0 {
			t.Fatal(err, probs)
		}
		before := rb.Sections[0].Steps[0]
		if before.Checks[0].Link != "#backup-the-database" || before.Checks[0].Text != "Take a backup first" || len(before.Links) != 0 {
			t.Errorf("check link: %+v, step links %v", before.Checks[0], before.Links)
		}
		sec, st := rb.Anchor(before.Checks[0].Link)
		if sec == nil || st == nil || st.ID != "procedures/backup-the-database" {
			t.Errorf("anchor to a step: %v %v", sec, st)
		}
		// "Checks" appears twice: the step gets "checks", the section "checks-1".
		if _, st := rb.Anchor("checks"); st == nil || st.ID != "procedures/checks" {
			t.Errorf("checks -> %v", st)
		}
		if sec, st := rb.Anchor("#checks-1"); sec == nil || st != nil || sec.ID != "checks-1" {
			t.Errorf("checks-1 -> %v %v", sec, st)
		}
		bk, _ := rb.Step("backup-the-database")
		if !slices.Equal(bk.Links, []string{"#summary", "#restore"}) {
			t.Errorf("step links %v", bk.Links)
		}
		if sec, st := rb.Anchor("nope"); sec != nil || st != nil {
			t.Error("unknown anchor resolved")
		}
	})
}

func problemStrings(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func TestLintMalformed(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unclosed-fence.md", []string{"testdata/bad/unclosed-fence.md:7: code block is never closed (add a closing fence)"}},
		{"duplicate-ids.md", []string{`testdata/bad/duplicate-ids.md:11: duplicate id "same" (also on line 7)`}},
		{"missing-anchor.md", []string{
			"testdata/bad/missing-anchor.md:5: link to #no-such-place: no heading has that anchor",
			"testdata/bad/missing-anchor.md:9: link to #also-missing: no heading has that anchor"}},
		{"unknown-attr.md", []string{`testdata/bad/unknown-attr.md:5: unknown fence attribute "color" (known: confirm, timeout, risk, tty, id, fail-if, warn-if, ok-exit, warn-exit, approvals; Runme's: background, category, closeTerminalOnSuccess, cwd, excludeFromRunAll, interactive, interpreter, mimeType, name, promptEnv, tag, terminalRows, transform)`}},
		{"bad-timeout.md", []string{
			`testdata/bad/bad-timeout.md:5: timeout="soon" is not a positive duration (like 90s or 5m)`,
			`testdata/bad/bad-timeout.md:5: risk="maybe": want safe, change or destructive`,
			`testdata/bad/bad-timeout.md:5: tty="perhaps": want true or false`}},
		{"empty.md", []string{"testdata/bad/empty.md:1: empty runbook"}},
		{"bad-yaml.md", []string{"testdata/bad/bad-yaml.md:4: front matter: did not find expected ',' or ']'"}},
	}
	for _, tt := range tests {
		path := filepath.Join("testdata", "bad", tt.file)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := problemStrings(Lint(path, src)); !slices.Equal(got, tt.want) {
			t.Errorf("Lint(%s)\n got %q\nwant %q", tt.file, got, tt.want)
		}
	}
}

func TestLintUndefinedVariable(t *testing.T) {
	src := "---\nvars:\n  DB_NAME: d\n---\n## S\n\n```bash\necho $DB_NAME $HOME $LATER\nLATER=1\n```\n\n```bash\necho $LATER\n```\n"
	want := []string{`r.md:8: warning: command "echo $DB_NAME $HOME $LATER" uses $LATER, which no earlier command and no front matter variable sets`}
	if got := problemStrings(Lint("r.md", []byte(src))); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	if _, _, err := Load("testdata/does-not-exist.md"); err == nil || !strings.Contains(err.Error(), "testdata/does-not-exist.md") {
		t.Errorf("unreadable file: %v", err)
	}
	for _, src := range []string{"", "   \n\n", "---\ntitle: x\n---\n", "# Title only\n"} {
		if _, _, err := Parse("p.md", []byte(src)); err == nil || !strings.HasPrefix(err.Error(), "p.md: ") {
			t.Errorf("Parse(%q) error %v", src, err)
		}
	}
	// An unclosed fence inside a list item is caught too.
	_, probs, err := Parse("l.md", []byte("## S\n\n1. **Try**\n   ```bash\n   echo hi\n\nafter\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := problemStrings(probs); !slices.Equal(got, []string{"l.md:4: code block is never closed (add a closing fence)"}) {
		t.Errorf("got %q", got)
	}
	// A shell syntax error is reported and the command is treated as destructive.
	rb, probs, err := Parse("s.md", []byte("## S\n\n```bash\necho 'x\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || probs[0].Line != 4 || !strings.Contains(probs[0].Message, "shell syntax") || rb.Commands()[0].Risk != Destructive {
		t.Errorf("got %q", problemStrings(probs))
	}
}

func TestSplitShell(t *testing.T) {
	tests := []struct {
		name  string
		block string
		want  []string // title|script
		notes int
	}{
		{"comment groups", "# a\nls\n\n# b\nls -l\nls -a", []string{"a|ls", "b|ls -l\nls -a"}, 0},
		{"comment ends a command", "ls\n# b\npwd", []string{"ls|ls", "b|pwd"}, 0},
		{"several comment lines", "# first\n# second\nls", []string{"first|# second\nls"}, 0},
		{"comment-only group", "# note one\n# note two\n\n# run\nls\n# trailing", []string{"run|ls"}, 2},
		{"blank inside a quote", "echo 'a\n\nb'\n\nls", []string{"echo 'a|echo 'a\n\nb'", "ls|ls"}, 0},
		{"continuation", "curl \\\n  -X POST \\\n  https://x", []string{"curl|curl \\\n  -X POST \\\n  https://x"}, 0},
		{"shebang", "#!/bin/bash\nset -e\nls", []string{"set -e|set -e\nls"}, 0},
	}
	for _, tt := range tests {
		var lines []srcLine
		for i, l := range strings.Split(tt.block, "\n") {
			lines = append(lines, srcLine{n: i + 1, text: l})
		}
		cmds, notes := splitShell(lines)
		var got []string
		for _, c := range cmds {
			got = append(got, c.title+"|"+joinLines(c.lines))
		}
		if !slices.Equal(got, tt.want) || len(notes) != tt.notes {
			t.Errorf("%s:\n got %q (%d notes)\nwant %q (%d notes)", tt.name, got, len(notes), tt.want, tt.notes)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		script string
		want   []string
	}{
		{"git checkout <previous-commit-hash>", []string{"previous-commit-hash"}},
		{"cat <<EOF\nx\nEOF", nil},
		{"cat <<eof>out\nx\neof", nil},
		{"psql < dump.sql 2>&1", nil},
		{"diff <(ls a) <(ls b)", nil},
		{"echo <a> <b_2> <a>", []string{"a", "b_2"}},
		{"echo <Upper>", nil},
	}
	for _, tt := range tests {
		if got := Placeholders(tt.script); !slices.Equal(got, tt.want) {
			t.Errorf("Placeholders(%q) = %q, want %q", tt.script, got, tt.want)
		}
	}
}

func TestSlugAndAnchor(t *testing.T) {
	for in, want := range map[string]string{
		"Update .env if new variables added":                                   "update-env-if-new-variables-added",
		"  Ünïcode -- and   spaces ":                                           "n-code-and-spaces",
		"docker-compose -f docker-compose.yml -f docker-compose.prod.yml down": "docker-compose-f-docker-compose-yml-f-docker",
		"???": "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"Step 3: Update Environment Variables (if needed)": "step-3-update-environment-variables-if-needed",
		"Pre-Deployment Checklist":                         "pre-deployment-checklist",
		"C++ & Go_lang":                                    "c--go_lang",
	} {
		if got := githubAnchor(in); got != want {
			t.Errorf("githubAnchor(%q) = %q, want %q", in, got, want)
		}
	}
	u := newUniqueNames(1)
	var got []string
	for _, s := range []string{"a", "a", "a-1", "a"} {
		got = append(got, u.take(s))
	}
	if !slices.Equal(got, []string{"a", "a-1", "a-1-1", "a-2"}) {
		t.Errorf("anchors %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/original-runbook.md", "testdata/frontmatter-attrs.md", "testdata/heredoc-if.md", "testdata/links.md"} {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("---\nvars: [\n---\n## x\n```bash {id=a}\n<<EOF\n"))
	f.Add([]byte("## a\n- [ ] [x](#a)\n1. **b**\n   ```sh\n   # Or c\n   ls \\\n"))
	for _, p := range []string{"testdata/wild/runme-attrs.md", "testdata/wild/prompts.md", "testdata/wild/before-first-section.md"} {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("x\n```console {\"name\":\"a\",\"cwd\":1}\n$ ls \\\n> -l\nout\n```\n# T\n### s\n```zsh\nprint ${(U)x}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		rb, probs, err := Parse("f.md", src)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Parse took %v", d)
		}
		for _, p := range probs {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %s", p)
			}
		}
		if err != nil {
			return
		}
		for _, c := range rb.Commands() {
			if c.Risk == Destructive && c.Confirm == "" {
				t.Fatalf("destructive without a phrase: %+v", c)
			}
			if got, err := rb.Command(c.ID); err != nil || got != c {
				t.Fatalf("Command(%q) = %v, %v", c.ID, got, err)
			}
		}
	})
}

func BenchmarkParseOriginal(b *testing.B) {
	src, err := os.ReadFile("testdata/original-runbook.md")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := Parse("x", src); err != nil {
			b.Fatal(err)
		}
	}
}
