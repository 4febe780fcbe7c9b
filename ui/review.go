package ui

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
	"planner-tui/ops/changes"
	"planner-tui/ops/sqllint"
)

// Review is the "Review changes" page (c): what `planner-tui op plan` says a
// deployment will change, before anything changes: the commits and files
// between the running version and the target, the .env key names against
// the target's example, and the pending migrations with only their SQL,
// linted. The plan is built in a tea.Cmd through Options.Review (git, pgx,
// alembic in a one-off container: seconds); the page says "rendering pending
// SQL…" meanwhile, and formats the result in pure functions (reviewBody).
type Review struct {
	c *Context
	owns
	w, h int
	off  int    // lines scrolled down from the top
	ref  string // the target asked for; "" is op plan's default
	seq  int    // the request the page waits for; older answers are dropped
	busy bool
	from time.Time // when the request was made
	plan *changes.Plan
	err  error
	took time.Duration
	// cancel stops the request under way (the page was closed).
	cancel context.CancelFunc
}

type (
	reviewResultMsg struct {
		seq  int
		plan changes.Plan
		err  error
		took time.Duration
	}
	reviewTargetsMsg struct {
		choices []changes.TargetChoice
		err     error
	}
	reviewTargetMsg struct{ ref string }
)

var (
	reviewTargetKey = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose target"))
	reviewFreshKey  = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "render again"))
	reviewTopKey    = key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "top"))
	reviewEndKey    = key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "end"))
)

func newReview(c *Context) *Review { return &Review{c: c, owns: owns{c.newOwner()}} }

func (r *Review) Title() string    { return "Review changes" }
func (r *Review) Capturing() bool  { return false }
func (r *Review) WantsEsc() bool   { return false }
func (r *Review) SetSize(w, h int) { r.w, r.h = w, h }
func (r *Review) onSnap() tea.Cmd  { return nil }
func (r *Review) close() {
	if r.cancel != nil {
		r.cancel()
	}
}
func (r *Review) FullHelp() [][]key.Binding { return fullHelp(r) }

// ShortHelp is the bottom line while the page is shown.
func (r *Review) ShortHelp() []key.Binding {
	k := r.c.keys
	return []key.Binding{reviewTargetKey, reviewFreshKey, k.Back, k.Up, k.Down, k.PageUp, k.PageDn, reviewTopKey, reviewEndKey}
}

// openReview shows the page and starts building the plan.
func (m *Model) openReview() tea.Cmd {
	r := newReview(m.c)
	return tea.Batch(m.openPage(r), r.build(false))
}

// build asks for the plan of the target in a Cmd; fresh renders the SQL
// again rather than reuse what op plan kept.
func (r *Review) build(fresh bool) tea.Cmd {
	f := r.c.opts.Review
	if f == nil {
		r.busy, r.err = false, fmt.Errorf("not available here (no planner dir to compare)")
		return nil
	}
	r.close()
	ctx, cancel := context.WithTimeout(r.c.ctx, 3*time.Minute)
	r.cancel = cancel
	r.seq++
	r.busy, r.from = true, time.Now()
	seq, ref, mask, from := r.seq, r.ref, r.c.eng.Mask, r.from
	return ownedCmd(r.id, func() tea.Msg {
		defer cancel()
		p, err := f(ctx, ref, fresh)
		maskPlan(&p, mask)
		return reviewResultMsg{seq: seq, plan: p, err: err, took: time.Since(from)}
	})
}

// maskPlan masks what git and alembic said: a secret committed to a
// message or a migration is not shown in clear.
func maskPlan(p *changes.Plan, mask func(string) string) {
	if mask == nil {
		return
	}
	for i := range p.Commits {
		p.Commits[i].Subject = mask(p.Commits[i].Subject)
	}
	for i := range p.Reverted {
		p.Reverted[i].Subject = mask(p.Reverted[i].Subject)
	}
	p.Migrations.SQL = mask(p.Migrations.SQL)
	for i := range p.Problems {
		p.Problems[i] = mask(p.Problems[i])
	}
}

// onAnswer takes the page's own answers (owner.go: they reach it only
// while it is open).
func (r *Review) onAnswer(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case reviewResultMsg:
		if msg.seq != r.seq {
			return nil
		}
		r.busy, r.err, r.took = false, msg.err, msg.took
		if msg.err == nil {
			p := msg.plan
			r.plan = &p
		}
	case reviewTargetsMsg:
		if msg.err != nil && len(msg.choices) == 0 {
			r.c.emit(flashMsg{text: "no versions to choose from: " + msg.err.Error(), err: true})
			return nil
		}
		var items []pickItem
		sel := 0
		for i, ch := range msg.choices {
			if ch.Ref == r.ref {
				sel = i
			}
			items = append(items, pickItem{label: ch.Label, title: ch.Ref, pick: ownedMsg{owner: r.id, msg: reviewTargetMsg{ref: ch.Ref}}})
		}
		d := newPicker("Review against", "The version to compare with what runs now (as of the last git fetch):", items, true)
		d.sel = sel
		r.c.emit(openDialogMsg{d})
	case reviewTargetMsg:
		r.ref, r.off, r.plan = msg.ref, 0, nil
		return r.build(false)
	}
	return nil
}

// Update is the Component's: the Review's handling is update.
func (r *Review) Update(msg tea.Msg) (Component, tea.Cmd) { return r, r.update(msg) }

// Init asks for nothing: what the Review shows comes with the snapshot.
func (r *Review) Init() tea.Cmd { return nil }

func (r *Review) update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r.onAnswer(msg)
	}
	k := r.c.keys
	page := max(1, r.h-2)
	switch {
	case key.Matches(km, k.Up):
		r.off--
	case key.Matches(km, k.Down):
		r.off++
	case key.Matches(km, k.PageUp):
		r.off -= page
	case key.Matches(km, k.PageDn):
		r.off += page
	case key.Matches(km, reviewTopKey):
		r.off = 0
	case key.Matches(km, reviewEndKey):
		r.off = 1 << 30
	case key.Matches(km, reviewTargetKey):
		f, ctx := r.c.opts.Targets, r.c.ctx
		if f == nil {
			return nil
		}
		return ownedCmd(r.id, func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			ch, err := f(ctx)
			return reviewTargetsMsg{choices: ch, err: err}
		})
	case key.Matches(km, reviewFreshKey):
		if r.busy {
			return nil
		}
		return r.build(true)
	}
	r.off = max(0, r.off)
	return nil
}

// headLine says what is shown: the target, and whether it is being built.
func (r *Review) headLine() string {
	st := r.c.styles
	target := "the default target (the branch's upstream, else the newest tag)"
	if r.ref != "" {
		target = r.ref
	}
	if r.busy {
		el := r.c.now.Sub(r.from)
		if r.c.now.IsZero() || el < 0 {
			el = 0
		}
		return st.Running.Render(fmt.Sprintf(" rendering pending SQL… (%s, against %s)", fmtDuration(el), target))
	}
	if r.err != nil {
		return st.Error.Render(" no plan against " + target + ": " + r.err.Error())
	}
	how := ""
	if r.plan != nil && r.plan.Migrations.Cached {
		how = ", the SQL rendered earlier (r renders again)"
	}
	return st.Faint.Render(fmt.Sprintf(" as op plan says it, built in %s%s", fmtDuration(r.took), how))
}

func (r *Review) View() string {
	w := max(20, r.w)
	head := wrapText(r.headLine(), w)
	var body []string
	if r.plan != nil {
		body = reviewBody(r.c.styles, *r.plan, w)
	} else if r.busy {
		body = []string{"", r.c.styles.Faint.Render(" git log, the .env keys, the database's revision, then alembic --sql in the running app container (else a one-off)")}
	}
	rows := max(1, r.h-len(head))
	r.off = min(r.off, max(0, len(body)-rows))
	end := min(len(body), r.off+rows)
	lines := append(head, body[r.off:end]...)
	if len(body) > rows {
		lines[0] = fit(lines[0], max(1, w-24)) + r.c.styles.Faint.Render(fmt.Sprintf("%24s", scrollPos(r.off, rows, len(body))))
	}
	return padLines(lines, w, max(1, r.h))
}

// reviewBody is the plan as the page shows it, w cells wide: the same
// parts as op plan's text, long lines wrapped (never cut), the SQL with
// line numbers and each finding's mark and message under its line.
func reviewBody(st Styles, p changes.Plan, w int) []string {
	b := &reviewText{w: w}
	add := b.add
	from := map[string]string{"flag": "chosen here", "upstream": "the branch's upstream, as of the last fetch", "newest tag": "the newest tag"}[p.TargetFrom]
	add(plain, "running  "+reviewRef(p.Running), 1)
	add(st.Bold.Render, "target   "+reviewRef(p.Target)+", "+from, 1)

	b.blank()
	head := fmt.Sprintf("Commits: %d new", len(p.Commits))
	if len(p.Reverted) > 0 {
		head += fmt.Sprintf(", %d taken back (the target is older)", len(p.Reverted))
	}
	add(st.Bold.Render, head, 1)
	for _, c := range p.Commits {
		add(plain, "+ "+c.Short+" "+reviewDate(c.Date)+" "+c.Subject, 3)
	}
	for _, c := range p.Reverted {
		add(st.Warn.Render, "- "+c.Short+" "+reviewDate(c.Date)+" "+c.Subject, 3)
	}
	added, deleted := 0, 0
	for _, f := range p.Files {
		added += f.Added
		deleted += f.Deleted
	}
	add(st.Bold.Render, fmt.Sprintf("Files: %d changed, +%d -%d", len(p.Files), added, deleted), 1)
	for _, f := range p.Files {
		n := fmt.Sprintf("+%d -%d", f.Added, f.Deleted)
		if f.Binary {
			n = "binary"
		}
		add(plain, fmt.Sprintf("%-10s %s", n, f.Path), 3)
	}

	if e := p.Env; e.Example != "" {
		b.blank()
		add(st.Bold.Render, ".env against the target's "+e.Example+" (names only)", 1)
		keys := func(style func(...string) string, what string, ks []string) {
			if len(ks) > 0 {
				add(style, what+": "+strings.Join(ks, ", "), 3)
			}
		}
		keys(plain, "the target's example adds", e.Added)
		keys(plain, "the target's example drops", e.Removed)
		keys(st.Warn.Render, "⚠ MISSING from .env (add before deploying)", e.Missing)
		keys(st.Faint.Render, "only in .env", e.Extra)
		if len(e.Added)+len(e.Removed)+len(e.Missing)+len(e.Extra) == 0 {
			add(plain, "same keys", 3)
		}
	}

	b.blank()
	reviewMigrations(st, p.Migrations, b)
	for _, pr := range p.Problems {
		b.blank()
		add(st.Warn.Render, "⚠ not read: "+pr, 1)
	}
	return b.out
}

// reviewText collects the page's lines, w cells wide.
type reviewText struct {
	out []string
	w   int
}

// add wraps text under indent (continuations two cells further), never
// cutting it, each row in style.
func (b *reviewText) add(style func(...string) string, text string, indent int) {
	pad := strings.Repeat(" ", indent)
	for i, l := range wrapText(text, max(10, b.w-indent-3)) {
		if i > 0 {
			l = "  " + l
		}
		b.out = append(b.out, pad+style(l))
	}
}

func (b *reviewText) blank() { b.out = append(b.out, "") }

func plain(s ...string) string { return strings.Join(s, "") }

// reviewMigrations is the migrations part of reviewBody: the revisions, the
// verdict, then the SQL.
func reviewMigrations(st Styles, m changes.Migrations, b *reviewText) {
	addOut := b.add
	cur := m.Current
	if cur == "" {
		cur = "no revision (empty database)"
	}
	addOut(st.Bold.Render, fmt.Sprintf("Migrations: database at %s, %d pending", cur, len(m.Pending)), 1)
	for _, r := range m.Pending {
		line := fmt.Sprintf("%s -> %s  %s", cmp.Or(r.From, "(base)"), r.To, r.Message)
		style := plain
		if n := countSeverity(r.Findings, sqllint.Destructive); n > 0 {
			line, style = "✗ "+line, st.Destructive.Render
		} else if len(r.Findings) > 0 {
			line, style = "⚠ "+line, st.Warn.Render
		}
		addOut(style, line, 3)
	}
	for _, f := range m.Findings {
		addOut(findingStyle(st, f), findingText(f, true), 3)
	}
	switch {
	case len(m.Destructive) > 0:
		addOut(st.Destructive.Render, "✗ DESTRUCTIVE: the upgrade will "+strings.Join(m.Destructive, ", "), 1)
	case len(m.Pending) > 0 && len(m.Findings) == 0 && strings.TrimSpace(m.SQL) != "":
		addOut(st.Faint.Render, "lint: no findings in the pending SQL", 3)
	}
	for _, n := range m.Notes {
		addOut(st.Warn.Render, "⚠ note: "+n, 1)
	}
	if strings.TrimSpace(m.SQL) == "" || len(m.Pending) == 0 {
		return
	}
	b.blank()
	how := ""
	if m.Cached {
		how = ", rendered earlier for the same scripts and revision"
	} else if m.RenderedIn != "" {
		how = ", rendered in " + m.RenderedIn
	}
	rng := "head"
	if m.Current != "" {
		rng = m.Current + ":head"
	}
	addOut(st.Bold.Render, fmt.Sprintf("Pending SQL (alembic upgrade %s --sql%s):", rng, how), 1)
	b.out = append(b.out, sqlLines(st, m.SQL, m.Findings, b.w)...)
}

// sqlLines numbers the SQL, wraps each line at w (continuations indented
// under its text, nothing cut), marks the lines with findings (✗
// destructive, ⚠ warning) and puts each finding's message under its line.
func sqlLines(st Styles, sql string, fs []sqllint.Finding, w int) []string {
	at := map[int][]sqllint.Finding{}
	for _, f := range fs {
		at[f.Line] = append(at[f.Line], f)
	}
	const gutter = 9 // " ✗ 1234  "
	text := max(10, w-gutter-1)
	var out []string
	for i, l := range strings.Split(strings.TrimRight(sql, "\n"), "\n") {
		n := i + 1
		mark, style := "  ", plain
		if f := at[n]; len(f) > 0 {
			mark, style = "⚠ ", st.Warn.Render
			if countSeverity(f, sqllint.Destructive) > 0 {
				mark, style = "✗ ", st.Destructive.Render
			}
		}
		for j, part := range wrapText(strings.ReplaceAll(l, "\t", "    "), text) {
			lead := fmt.Sprintf(" %s%4d  ", mark, n)
			if j > 0 {
				lead = strings.Repeat(" ", gutter)
			}
			out = append(out, style(lead)+style(part))
		}
		for _, f := range at[n] {
			for _, part := range wrapText(findingText(f, false), text-2) {
				out = append(out, strings.Repeat(" ", gutter+2)+findingStyle(st, f)(part))
			}
		}
	}
	return out
}

func findingStyle(st Styles, f sqllint.Finding) func(...string) string {
	if f.Severity == sqllint.Destructive {
		return st.Destructive.Render
	}
	return st.Warn.Render
}

// findingText is one finding: "✗ line 9 ban-drop-column: message".
func findingText(f sqllint.Finding, line bool) string {
	mark := "⚠"
	if f.Severity == sqllint.Destructive {
		mark = "✗"
	}
	where := ""
	if line {
		where = fmt.Sprintf("line %d ", f.Line)
	}
	return fmt.Sprintf("%s %s%s: %s", mark, where, f.Rule, f.Message)
}

func countSeverity(fs []sqllint.Finding, s sqllint.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

func reviewRef(r changes.Ref) string {
	short := r.Commit
	if len(short) > 7 {
		short = short[:7]
	}
	if r.Describe != "" && r.Describe != r.Name && !strings.HasPrefix(short, r.Describe) {
		return fmt.Sprintf("%s = %s (%s)", r.Name, r.Describe, short)
	}
	return fmt.Sprintf("%s (%s)", r.Name, short)
}

func reviewDate(iso string) string {
	if len(iso) >= 10 {
		return iso[:10]
	}
	return iso
}

// reviewOffered says whether the step is about migrations (a command of it
// runs alembic upgrade, or it links to the migration procedure): there the
// screen offers the review (c) in its key line and detail.
func reviewOffered(step *checklist.Step) bool {
	if step == nil {
		return false
	}
	for _, cmd := range step.Commands {
		if strings.Contains(cmd.Script, "alembic upgrade") {
			return true
		}
	}
	for _, l := range step.Links {
		if strings.Contains(strings.ToLower(l), "migration") {
			return true
		}
	}
	return false
}

// reviewHint is the line a migration command's detail gets: the review
// shows the pending SQL, linted, before it runs.
func (c *Context) reviewHint(cmd *checklist.Command) []string {
	if c.opts.Review == nil || !strings.Contains(cmd.Script, "alembic upgrade") && !strings.Contains(cmd.Script, "migration-preview") {
		return nil
	}
	h := c.keys.Review.Help()
	return []string{c.styles.Key.Render(h.Key) + c.styles.Faint.Render(" Review changes: the pending migrations' SQL, linted, the commits and .env keys (as op plan)")}
}
