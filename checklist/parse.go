package checklist

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// Load reads and parses a runbook file (see Parse).
func Load(path string) (*Runbook, []Problem, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read runbook %s: %w", path, err)
	}
	return Parse(path, src)
}

// Parse parses a Markdown runbook. path is used in problems
// ("embedded:docs/runbook.md" for the default). It returns an error only
// when nothing usable comes out (an empty runbook, no "##" sections); every
// other issue is a Problem with a line number. The front matter variables
// are applied with ApplyVars.
func Parse(path string, src []byte) (*Runbook, []Problem, error) {
	b := &builder{path: path, src: src, anchors: newUniqueNames(1), targets: map[string]anchorTarget{},
		rb: &Runbook{Path: path, Vars: map[string]string{}, Meta: map[string]string{}}}
	body := src
	if yamlText, first, rest, ok, prob := splitFrontMatter(src); prob != nil {
		b.problem(*prob)
	} else if ok {
		body = rest
		fm, probs := parseFrontMatter(yamlText, first)
		for _, p := range probs {
			b.problem(p)
		}
		b.rb.Title, b.rb.Vars, b.rb.Meta, b.rb.Shell, b.rb.Dir = fm.Title, fm.Vars, fm.Meta, fm.Shell, fm.Dir
		b.rb.Approvals = fm.Approvals
		b.rb.Notify = fm.Notify
	}
	b.lineStarts = lineStarts(body)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, b.sorted(), fmt.Errorf("%s: empty runbook", path)
	}
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	doc := md.Parser().Parse(text.NewReader(body))
	b.src = body // identical line structure; front matter blanked
	b.walk(doc)
	if len(b.rb.Sections) == 0 {
		return nil, b.sorted(), fmt.Errorf("%s: empty runbook", path)
	}
	if b.secLevel != 2 && len(b.rb.Sections) == 1 && len(b.rb.Sections[0].Steps) == 0 && b.rb.Sections[0].Intro == "" {
		return nil, b.sorted(), fmt.Errorf("%s: only a title: no commands, checks or text under it", path)
	}
	b.finish()
	return b.rb, b.sorted(), nil
}

type anchorTarget struct {
	sec  *Section
	step *Step
}

type linkRef struct {
	line   int
	target string
}

// container gathers the prose blocks of a section intro or a step.
type container struct {
	blocks []ast.Node
	notes  map[int][]string // fence line -> note lines from comment-only shell groups
}

type builder struct {
	path       string
	src        []byte
	lineStarts []int
	rb         *Runbook
	probs      []Problem
	anchors    *uniqueNames
	targets    map[string]anchorTarget
	links      []linkRef

	sec       *Section
	secProse  *container
	implicit  *Step
	secLinks  []string
	step      *Step
	stepProse *container
	group     *Step // the current "###" step, a group when "####" follow
	grouped   map[*Step]bool

	exclude   map[int]bool // lines that are not prose: shell fences, task items, rules
	prose     map[*Step]*container
	fenceLine map[*Command]int
	altHead   map[*Command]*Command
	explicit  map[*Command]string

	// secLevel is the heading level of sections: 2 when the document has
	// a "##", else 1 (each "#" a section), else 0 (one section named after
	// the file). See walk.
	secLevel int
	// titleHead is the first "#" heading; titleTaken says whether its
	// anchor was handed out already (by a section opened for it).
	titleHead  *ast.Heading
	titleTaken bool
	pending    []ast.Node // prose blocks before any section
}

func (b *builder) problem(p Problem) {
	p.Path = b.path
	b.probs = append(b.probs, p)
}

func (b *builder) errorf(line int, format string, args ...any) {
	b.problem(Problem{Line: line, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) warnf(line int, format string, args ...any) {
	b.problem(Problem{Line: line, Severity: SeverityWarning, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) sorted() []Problem {
	for i := range b.probs {
		b.probs[i].Path = b.path
	}
	sort.SliceStable(b.probs, func(i, j int) bool { return b.probs[i].Line < b.probs[j].Line })
	return b.probs
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineOf turns a byte offset into a 1-based line number.
func (b *builder) lineOf(off int) int {
	return sort.Search(len(b.lineStarts), func(i int) bool { return b.lineStarts[i] > off })
}

func (b *builder) lineText(n int) string {
	if n < 1 || n > len(b.lineStarts) {
		return ""
	}
	start := b.lineStarts[n-1]
	end := len(b.src)
	if n < len(b.lineStarts) {
		end = b.lineStarts[n] - 1
	}
	return strings.TrimRight(string(b.src[start:end]), "\r")
}

// nodeLine is the first line of a block node.
func (b *builder) nodeLine(n ast.Node) int {
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return b.lineOf(n.Lines().At(0).Start)
	}
	if p := n.Pos(); p >= 0 {
		return b.lineOf(p)
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if l := b.nodeLine(c); l > 0 {
			return l
		}
	}
	return 0
}

// nodeSpan is the first and last line a block covers, closing fences
// included.
func (b *builder) nodeSpan(n ast.Node) (first, last int) {
	first, last = 1<<30, 0
	add := func(l int) {
		if l > 0 {
			first, last = min(first, l), max(last, l)
		}
	}
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if p := c.Pos(); p >= 0 && c.Type() == ast.TypeBlock {
			add(b.lineOf(p))
		}
		switch c := c.(type) {
		case *ast.FencedCodeBlock:
			open, close, _ := b.fence(c)
			add(open)
			add(close)
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			add(b.lineOf(c.Segment.Start))
		}
		if c.Type() == ast.TypeBlock {
			for i := 0; i < c.Lines().Len(); i++ {
				seg := c.Lines().At(i)
				add(b.lineOf(seg.Start))
				if seg.Stop > seg.Start {
					add(b.lineOf(seg.Stop - 1))
				}
			}
		}
		return ast.WalkContinue, nil
	})
	if last == 0 {
		return 0, 0
	}
	return first, last
}

// fence returns the opening and closing lines of a fenced block; closed is
// false when the document ended (or its container ended) before a closing
// fence, which goldmark accepts silently.
func (b *builder) fence(n *ast.FencedCodeBlock) (open, close int, closed bool) {
	open = b.lineOf(n.Pos())
	if n.Info != nil {
		open = b.lineOf(n.Info.Segment.Start)
	}
	openText := strings.TrimLeft(b.lineText(open), " \t>-*+0123456789.)")
	openText = strings.TrimLeft(openText, " \t")
	if openText == "" {
		return open, open, false
	}
	ch := openText[0]
	run := len(openText) - len(strings.TrimLeft(openText, string(ch)))
	cand := open + 1
	if n.Lines().Len() > 0 {
		cand = b.lineOf(n.Lines().At(n.Lines().Len()-1).Start) + 1
	}
	t := strings.TrimSpace(b.lineText(cand))
	if cand <= len(b.lineStarts) && len(t) >= run && strings.Trim(t, string(ch)) == "" {
		return open, cand, true
	}
	return open, cand - 1, false
}

func (b *builder) walk(doc ast.Node) {
	b.exclude = map[int]bool{}
	b.prose = map[*Step]*container{}
	b.fenceLine = map[*Command]int{}
	b.altHead = map[*Command]*Command{}
	b.explicit = map[*Command]string{}
	b.grouped = map[*Step]bool{}
	b.secLevel = b.sectionLevel(doc)
	if b.secLevel != 2 {
		// No "##": the "#" title (or the file) is the first section, and
		// everything before its heading belongs to it.
		b.openImplicit(1)
	}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level <= 4 {
			b.heading(h)
			continue
		}
		if h, ok := n.(*ast.Heading); ok {
			b.anchors.take(githubAnchor(b.plainText(h))) // deeper headings still have anchors
		}
		if _, ok := n.(*ast.ThematicBreak); ok {
			b.exclude[b.nodeLine(n)] = true
			continue
		}
		if b.sec == nil && b.hasWork(n) {
			// Commands or checks before the first "##": an implicit
			// first section holds them. Prose alone stays outside, as
			// the text under a title does.
			b.openImplicit(b.nodeLine(n))
		}
		if b.sec == nil && b.secLevel == 2 && len(b.rb.Sections) == 0 {
			// Prose before the first "##": the intro of an implicit
			// first section if one opens for commands or checks below.
			b.pending = append(b.pending, n)
		}
		b.block(n)
	}
	b.closeSection()
}

// sectionLevel is the level of the headings that make sections: "##" when
// the document has one at its top level, else "#" when it has one, else 0
// (no section heading: the file is one section).
func (b *builder) sectionLevel(doc ast.Node) int {
	level := 0
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		switch h.Level {
		case 2:
			return 2
		case 1:
			if b.titleHead == nil {
				b.titleHead = h
			}
			level = 1
		}
	}
	return level
}

// hasWork reports whether a block holds a shell fence or a task item.
func (b *builder) hasWork(n ast.Node) bool {
	found := false
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if found {
			return ast.WalkStop, nil
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.ListItem:
			found = taskBox(c) != nil
		case *ast.FencedCodeBlock:
			lang, _ := b.fenceInfo(c)
			found = shellLangs[strings.ToLower(lang)]
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}

// openImplicit opens the section that holds what comes before the first
// section heading: named after the "#" title when there is one (its
// anchor is the section's id), else the front matter title, else the
// file name.
func (b *builder) openImplicit(line int) {
	var title, id string
	switch {
	case b.titleHead != nil:
		title = strings.TrimSpace(b.plainText(b.titleHead))
		line = b.nodeLine(b.titleHead)
		id = githubAnchor(title)
		if !b.titleTaken {
			id = b.anchors.take(firstNonEmpty(id, "heading"))
			b.titleTaken = true
		}
	case b.rb.Title != "":
		title = b.rb.Title
		id = b.anchors.take(firstNonEmpty(githubAnchor(title), "runbook"))
	default:
		title = fileStem(b.path)
		id = b.anchors.take(firstNonEmpty(githubAnchor(title), "runbook"))
	}
	if b.rb.Title == "" {
		b.rb.Title = title
	}
	b.sec = &Section{ID: id, Title: title, Line: line}
	b.secProse = &container{blocks: b.pending}
	b.pending = nil
	b.rb.Sections = append(b.rb.Sections, b.sec)
	b.targets[id] = anchorTarget{sec: b.sec}
}

// fileStem is the name of a runbook file without directory and extension
// ("deploy" for "ops/deploy.md", "runbook" for "embedded:docs/runbook.md").
func fileStem(p string) string {
	base := filepath.Base(strings.TrimPrefix(p, "embedded:"))
	if stem := strings.TrimSuffix(base, filepath.Ext(base)); stem != "" && stem != "." && stem != "/" {
		return stem
	}
	return "runbook"
}

func (b *builder) heading(h *ast.Heading) {
	title := strings.TrimSpace(b.plainText(h))
	line := b.nodeLine(h)
	base := githubAnchor(title)
	if base == "" {
		base = "heading" // ids need a name; GitHub would use ""
	}
	if h == b.titleHead && b.titleTaken {
		return // the "#" title whose section is open already (openImplicit)
	}
	anchor := b.anchors.take(base)
	if h == b.titleHead {
		b.titleTaken = true
	}
	switch {
	case h.Level < b.secLevel:
		b.targets[anchor] = anchorTarget{}
		if b.rb.Title == "" {
			b.rb.Title = title
		}
		return
	case h.Level == b.secLevel:
		b.closeSection()
		b.sec = &Section{ID: anchor, Title: title, Line: line}
		b.secProse = &container{}
		b.rb.Sections = append(b.rb.Sections, b.sec)
		b.targets[anchor] = anchorTarget{sec: b.sec}
		return
	}
	if b.sec == nil {
		// A step heading before the first "##": the implicit first
		// section holds it.
		b.openImplicit(line)
	}
	b.closeStep()
	s := &Step{ID: b.sec.ID + "/" + anchor, Anchor: anchor, Title: title, Level: h.Level, Line: line}
	if h.Level == 3 {
		b.group = s
	} else if b.group != nil {
		s.Group = b.group.Title
		b.grouped[b.group] = true
	}
	b.step = s
	b.stepProse = &container{}
	b.prose[s] = b.stepProse
	b.sec.Steps = append(b.sec.Steps, s)
	b.targets[anchor] = anchorTarget{sec: b.sec, step: s}
}

func (b *builder) closeStep() {
	if b.step != nil {
		b.step.Body = b.render(b.stepProse, true)
	}
	b.step, b.stepProse = nil, nil
}

func (b *builder) closeSection() {
	b.closeStep()
	if b.sec == nil {
		return
	}
	b.sec.Intro = b.render(b.secProse, false)
	if b.implicit != nil {
		b.implicit.Links = append(b.implicit.Links, b.secLinks...)
		if notes := b.renderNotes(b.secProse); notes != "" {
			b.implicit.Body = notes
		}
	}
	// A "###" that holds only "####" steps is a group, not a step.
	steps := b.sec.Steps[:0]
	for i, s := range b.sec.Steps {
		if b.grouped[s] && s.Body == "" && len(s.Checks) == 0 && len(s.Commands) == 0 && len(s.Links) == 0 {
			if i+1 < len(b.sec.Steps) {
				b.targets[s.Anchor] = anchorTarget{sec: b.sec, step: b.sec.Steps[i+1]}
			}
			continue
		}
		steps = append(steps, s)
	}
	b.sec.Steps = steps
	b.sec, b.secProse, b.implicit, b.secLinks, b.group = nil, nil, nil, nil, nil
}

// target is the step that receives checks and commands of a block: the
// current step, else the section's implicit step.
func (b *builder) target() *Step {
	if b.step != nil {
		return b.step
	}
	if b.implicit == nil {
		b.implicit = &Step{ID: b.sec.ID, Anchor: b.sec.ID, Title: b.sec.Title, Level: 2, Line: b.sec.Line}
		b.sec.Steps = append([]*Step{b.implicit}, b.sec.Steps...)
	}
	return b.implicit
}

// block handles one top-level block other than a step heading: its task
// items become checks, its shell fences commands, its links navigation,
// and the rest stays prose.
func (b *builder) block(n ast.Node) {
	prose := b.stepProse
	if prose == nil {
		prose = b.secProse
	}
	if prose != nil {
		prose.blocks = append(prose.blocks, n)
	}
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.ListItem:
			if cb := taskBox(c); cb != nil {
				b.check(c, cb)
			}
		case *ast.FencedCodeBlock:
			b.fencedBlock(c, prose)
			return ast.WalkSkipChildren, nil
		case *ast.Link:
			dest := string(c.Destination)
			if !strings.HasPrefix(dest, "#") {
				return ast.WalkContinue, nil
			}
			line := b.lineOf(max(c.Pos(), 0))
			if c.Pos() < 0 {
				line = b.nodeLine(c.Parent())
			}
			b.links = append(b.links, linkRef{line: line, target: dest})
			if inTask(c) || b.sec == nil {
				return ast.WalkContinue, nil
			}
			if b.step != nil {
				b.step.Links = append(b.step.Links, dest)
			} else {
				b.secLinks = append(b.secLinks, dest)
			}
		}
		return ast.WalkContinue, nil
	})
}

// taskBox returns the checkbox of a task-list item, or nil.
func taskBox(item *ast.ListItem) *east.TaskCheckBox {
	first := item.FirstChild()
	if first == nil {
		return nil
	}
	cb, _ := first.FirstChild().(*east.TaskCheckBox)
	return cb
}

func inTask(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if li, ok := p.(*ast.ListItem); ok && taskBox(li) != nil {
			return true
		}
	}
	return false
}

func (b *builder) check(item *ast.ListItem, cb *east.TaskCheckBox) {
	first, last := b.nodeSpan(item)
	for l := first; l <= last && first > 0; l++ {
		b.exclude[l] = true
	}
	txt := strings.TrimSpace(b.plainText(item.FirstChild()))
	if b.sec == nil {
		b.warnf(first, "check %q is outside any \"##\" section: ignored", txt)
		return
	}
	ck := &Check{Text: txt, Line: first, Done: cb.IsChecked}
	_ = ast.Walk(item.FirstChild(), func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := c.(*ast.Link); ok && entering && ck.Link == "" && strings.HasPrefix(string(l.Destination), "#") {
			ck.Link = string(l.Destination)
		}
		return ast.WalkContinue, nil
	})
	st := b.target()
	st.Checks = append(st.Checks, ck)
}

// fenceInfo splits a fence's info string into its language and the
// attributes after it ("bash {id=x}", "sh{\"name\":\"y\"}").
func (b *builder) fenceInfo(n *ast.FencedCodeBlock) (lang, attrText string) {
	info := ""
	if n.Info != nil {
		info = strings.TrimSpace(string(n.Info.Segment.Value(b.src)))
	}
	lang, attrText, _ = strings.Cut(info, " ")
	if i := strings.IndexByte(lang, '{'); i >= 0 {
		lang, attrText = lang[:i], lang[i:]+" "+attrText
	}
	return lang, attrText
}

func (b *builder) fencedBlock(n *ast.FencedCodeBlock, prose *container) {
	open, close, closed := b.fence(n)
	if !closed {
		b.errorf(open, "code block is never closed (add a closing fence)")
	}
	lang, attrText := b.fenceInfo(n)
	if !shellLangs[strings.ToLower(lang)] {
		return // other fences are prose
	}
	for l := open; l <= close; l++ {
		b.exclude[l] = true
	}
	attrs, attrNotes := b.attributes(open, strings.TrimSpace(attrText))
	shell := shellFor(lang, b.rb.Shell)
	if in, ok := attrs["interpreter"]; ok {
		if shell = shellName(in); shell == "" {
			b.warnf(open, "interpreter=%q: planner-tui runs only %s: this block is not a command", in, strings.Join(namedShells, ", "))
			return
		}
	}
	if attrs["background"] == "true" {
		attrNotes = append(attrNotes, "background=true: the step keeps running until its process ends or is cancelled, and planner-tui runs one step at a time, so later steps wait for it")
	}
	if len(attrNotes) > 0 {
		b.warnf(open, "Runme attributes: %s", strings.Join(attrNotes, "; "))
	}
	var lines []srcLine
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		lines = append(lines, srcLine{n: b.lineOf(seg.Start), text: strings.TrimRight(string(seg.Value(b.src)), "\r\n")})
	}
	if cmdLines, ran, output, ok := promptLines(lines); ok {
		lines = cmdLines
		msg := fmt.Sprintf("commands written with a prompt: \"$ \" is removed from %d line(s)", ran)
		if output > 0 {
			msg += fmt.Sprintf("; the %d line(s) without it are output and do not run", output)
		}
		b.warnf(open, "%s", msg)
	} else {
		for _, l := range lines {
			if t := strings.TrimLeft(l.text, " \t"); strings.HasPrefix(t, "$ ") {
				b.warnf(l.n, "line starts with a prompt (\"$ \") but the block does not: it runs \"$\" as a command; start the block with the prompt, or remove it")
				break
			}
		}
	}
	raws, notes := splitShell(lines)
	if name, ok := attrs["name"]; ok && len(raws) > 0 {
		// A named block is one command, as it is one cell for Runme.
		raws, notes = []rawCommand{wholeBlock(lines, name)}, nil
	}
	if b.sec == nil {
		if len(raws) > 0 {
			b.warnf(open, "shell block is outside any \"##\" section: ignored")
		}
		return
	}
	if prose != nil {
		if prose.notes == nil {
			prose.notes = map[int][]string{}
		}
		for _, nt := range notes {
			prose.notes[open] = append(prose.notes[open], nt.text...)
		}
	}
	lead := b.boldLead(n)
	st := b.target()
	if _, ok := attrs["id"]; ok && len(raws) > 1 {
		b.errorf(open, "id=%q applies only to a block with one command; this block has %d", attrs["id"], len(raws))
	}
	for _, rc := range raws {
		cmd := &Command{Title: rc.title, Script: joinLines(rc.lines), Line: rc.lines[0].n, Lang: strings.ToLower(lang), Attrs: attrs,
			Shell: shell, Dir: joinDir(b.rb.Dir, attrs["cwd"]), Background: attrs["background"] == "true"}
		if lead != "" {
			cmd.Title = lead + ": " + cmd.Title
		}
		if id, ok := attrs["id"]; ok && len(raws) == 1 {
			b.explicit[cmd] = id
		} else if name, ok := attrs["name"]; ok {
			b.explicit[cmd] = Slug(name)
		}
		b.fenceLine[cmd] = open
		if d, ok := attrs["timeout"]; ok {
			cmd.Timeout, _ = time.ParseDuration(d)
		}
		cmd.Params = Placeholders(cmd.Script)
		if f, err := parseShellAs(cmd.Script, shell); err != nil {
			b.errorf(cmd.Line, "shell syntax%s: %v", shellNote(shell), err)
		} else {
			cmd.Sets, cmd.Uses = setsUses(f)
			cmd.Interactive = needsTerminal(f)
			cmd.Outcome = newOutcome(attrs, f)
		}
		if shell != DefaultShell {
			// What another shell sets stays in that shell: later commands
			// do not see it (the runner carries bash variables only).
			cmd.Sets = nil
		}
		if attrs["tty"] == "true" || attrs["interactive"] == "true" {
			cmd.Interactive = true
		}
		if rc.commented && isAlternative(rc.title) {
			if len(st.Commands) == 0 {
				b.warnf(cmd.Line, "%q reads as an alternative but there is no command before it in this step", rc.title)
			} else {
				prev := st.Commands[len(st.Commands)-1]
				head := prev
				if h, ok := b.altHead[prev]; ok {
					head = h
				}
				b.altHead[cmd] = head
			}
		}
		st.Commands = append(st.Commands, cmd)
	}
}

func isAlternative(title string) bool {
	return len(title) > 3 && strings.EqualFold(title[:3], "or ")
}

// boldLead is the bold text that opens the list item holding a fence
// ("API Test" in "3. **API Test**"), or "".
func (b *builder) boldLead(n ast.Node) string {
	li, ok := n.Parent().(*ast.ListItem)
	if !ok || li.FirstChild() == nil {
		return ""
	}
	if e, ok := li.FirstChild().FirstChild().(*ast.Emphasis); ok && e.Level == 2 {
		return strings.TrimSpace(b.plainText(e))
	}
	return ""
}

var knownAttrs = []string{"confirm", "timeout", "risk", "tty", "id", "fail-if", "warn-if", "ok-exit", "warn-exit", "approvals"}

// attributes parses the attributes of a fence info string: ours,
// {key=value ...}, and Runme's, as key=value or as JSON. Runme's cell
// identity (id=<ULID>) and the Runme attributes planner-tui does not use
// come back as notes for one lint warning.
func (b *builder) attributes(line int, s string) (attrs map[string]string, notes []string) {
	attrs = map[string]string{}
	if s == "" {
		return attrs, nil
	}
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		b.errorf(line, "fence attributes must be written {key=value ...}, got %q", s)
		return attrs, nil
	}
	var pairs []attrPair
	isJSON := isJSONAttrs(s)
	if isJSON {
		var err error
		if pairs, err = jsonAttrs(s); err != nil {
			b.errorf(line, "fence attributes written as JSON: %v", err)
			return attrs, nil
		}
	} else {
		pairs = b.keyValues(line, s)
	}
	for _, p := range pairs {
		key, val := p.key, p.val
		if key == "id" && (ulid.MatchString(val) || isJSON && Slug(val) != val) {
			notes = append(notes, fmt.Sprintf("id %s ignored: it is Runme's cell identity; the id here comes from name= or the title", val))
			continue
		}
		if !slices.Contains(knownAttrs, key) {
			if !isJSON && !slices.Contains(runmeMapped, key) && runmeIgnored[key] == "" {
				b.errorf(line, "unknown fence attribute %q (known: %s; Runme's: %s)", key, strings.Join(knownAttrs, ", "), strings.Join(runmeKnown(), ", "))
				continue
			}
			keep, ok, note := runmeAttr(key, val)
			if !ok {
				notes = append(notes, note)
				continue
			}
			val = keep
		}
		if _, dup := attrs[key]; dup {
			b.errorf(line, "fence attribute %s given twice", key)
		}
		switch key {
		case "timeout":
			if d, err := time.ParseDuration(val); err != nil || d <= 0 {
				b.errorf(line, "timeout=%q is not a positive duration (like 90s or 5m)", val)
				continue
			}
		case "risk":
			if _, err := ParseRisk(val); err != nil {
				b.errorf(line, "risk=%q: want safe, change or destructive", val)
				continue
			}
		case "tty":
			v, err := strconv.ParseBool(val)
			if err != nil {
				b.errorf(line, "tty=%q: want true or false", val)
				continue
			}
			val = strconv.FormatBool(v)
		case "confirm":
			if strings.TrimSpace(val) == "" {
				b.errorf(line, "confirm= must not be empty")
				continue
			}
		case "fail-if", "warn-if", "ok-exit", "warn-exit":
			if msg := checkOutcomeAttr(key, val); msg != "" {
				b.errorf(line, "%s", msg)
				continue
			}
		case "approvals":
			if msg := checkApprovalsAttr(val); msg != "" {
				b.errorf(line, "%s", msg)
				continue
			}
		case "id":
			if Slug(val) != val {
				b.errorf(line, "id=%q: use lowercase letters, digits and single dashes (like %q)", val, Slug(val))
				continue
			}
		}
		attrs[key] = val
	}
	if msg := checkOutcomeAttrs(attrs); msg != "" {
		b.errorf(line, "%s", msg)
	}
	return attrs, notes
}

// runmeKnown lists the Runme attributes planner-tui reads, sorted.
func runmeKnown() []string {
	out := slices.Clone(runmeMapped)
	for k := range runmeIgnored {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// keyValues splits {key=value key="quoted value" ...}; after an error,
// the pairs before it.
func (b *builder) keyValues(line int, s string) []attrPair {
	pairs := []attrPair{}
	s = strings.TrimSpace(s[1 : len(s)-1])
	for s != "" {
		key, rest, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t\"'") {
			b.errorf(line, "fence attribute %q has no value (want key=value)", strings.Fields(s)[0])
			return pairs
		}
		rest = strings.TrimLeft(rest, " \t")
		var val string
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			end := strings.IndexByte(rest[1:], rest[0])
			if end < 0 {
				b.errorf(line, "fence attribute %s: unclosed quote", key)
				return pairs
			}
			val, rest = rest[1:end+1], rest[end+2:]
		} else {
			val, rest, _ = strings.Cut(rest, " ")
		}
		s = strings.TrimSpace(rest)
		pairs = append(pairs, attrPair{key, val})
	}
	return pairs
}

// plainText is the text of a node's inlines, markup removed.
func (b *builder) plainText(n ast.Node) string {
	var buf strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			buf.Write(c.Segment.Value(b.src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				buf.WriteByte(' ')
			}
		case *ast.String:
			buf.Write(c.Value)
		case *ast.AutoLink:
			buf.Write(c.URL(b.src))
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return buf.String()
}

// render turns a container's blocks into Markdown prose: the source lines
// of each block minus shell fences, task items and rules; notes from
// comment-only shell lines go where their block was when withNotes is set.
func (b *builder) render(c *container, withNotes bool) string {
	if c == nil {
		return ""
	}
	var parts []string
	for _, n := range c.blocks {
		first, last := b.nodeSpan(n)
		if first == 0 {
			continue
		}
		var lines []string
		for l := first; l <= last; l++ {
			if notes, ok := c.notes[l]; ok && withNotes {
				lines = append(lines, "", noteText(notes), "")
			}
			if b.exclude[l] {
				continue
			}
			lines = append(lines, b.lineText(l))
		}
		if t := collapseBlank(lines); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

func (b *builder) renderNotes(c *container) string {
	var lines []int
	for l := range c.notes {
		lines = append(lines, l)
	}
	slices.Sort(lines)
	var parts []string
	for _, l := range lines {
		parts = append(parts, noteText(c.notes[l]))
	}
	return strings.Join(parts, "\n\n")
}

func noteText(lines []string) string {
	var out []string
	for _, l := range lines {
		out = append(out, strings.TrimRight("> "+l, " "))
	}
	return strings.Join(out, "\n")
}

func collapseBlank(lines []string) string {
	var out []string
	blank := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank = true
			continue
		}
		if blank && len(out) > 0 {
			out = append(out, "")
		}
		blank = false
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// finish gives ids to checks and commands, links alternatives, checks the
// links and applies the front matter variables.
func (b *builder) finish() {
	for _, sec := range b.rb.Sections {
		for _, st := range sec.Steps {
			checks := newUniqueNames(2)
			for _, ck := range st.Checks {
				ck.ID = st.ID + "/" + checks.take(firstNonEmpty(Slug(ck.Text), "check"))
			}
			ids := newUniqueNames(2)
			seen := map[string]int{}
			for _, cmd := range st.Commands {
				id, ok := b.explicit[cmd]
				if !ok {
					continue
				}
				if prev, dup := seen[id]; dup {
					if _, ours := cmd.Attrs["id"]; !ours {
						// A Runme name given twice: the repeat gets "-2".
						b.warnf(b.fenceLine[cmd], "name %q is also on line %d: this command's id gets a number", cmd.Attrs["name"], prev)
						delete(b.explicit, cmd)
						continue
					}
					b.errorf(b.fenceLine[cmd], "duplicate id %q (also on line %d)", id, prev)
					delete(b.explicit, cmd)
					continue
				}
				seen[id] = b.fenceLine[cmd]
				ids.reserve(id)
			}
			for _, cmd := range st.Commands {
				if id, ok := b.explicit[cmd]; ok {
					cmd.ID = st.ID + "/" + id
					continue
				}
				cmd.ID = st.ID + "/" + ids.take(firstNonEmpty(Slug(cmd.Title), "command"))
			}
			for _, cmd := range st.Commands {
				if head, ok := b.altHead[cmd]; ok {
					cmd.AltOf = head.ID
				}
			}
		}
	}
	for _, l := range b.links {
		if _, ok := b.targets[normAnchor(l.target)]; !ok {
			b.errorf(l.line, "link to %s: no heading has that anchor", l.target)
		}
	}
	b.rb.ApplyVars(b.rb.Vars)
	for _, cmd := range b.rb.Commands() {
		want, ok := cmd.Attrs["risk"]
		if !ok {
			continue
		}
		r, _ := ParseRisk(want)
		cl := Classify(cmd.Script, TargetOf(b.rb.Vars))
		if r < cl.Risk && cl.Risk == Destructive {
			b.warnf(b.fenceLine[cmd], "risk=%s ignored: command %q is destructive: %s", want, cmd.Title, cl.Reason)
		}
	}
}

func normAnchor(a string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(a), "#"))
}

// ApplyVars sets the runbook's variables and recomputes every command's
// risk, reason, confirmation phrase and what it destroys, since the phrase
// names the database and compose project the variables point at.
func (rb *Runbook) ApplyVars(vars map[string]string) {
	if vars == nil {
		vars = map[string]string{}
	}
	rb.Vars = vars
	t := TargetOf(vars).WithStepSet(rb.StepSet()) // a step's assignment reaches later steps
	for _, cmd := range rb.Commands() {
		cl := Judge(cmd.Script, cmd.Attrs, t)
		cmd.Risk, cmd.Reason, cmd.Confirm, cmd.Destroys = cl.Risk, cl.Reason, cl.Confirm, cl.Destroys
	}
}
