package checklist

import (
	"bytes"
	"fmt"
	"os"
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
		b.rb.Title, b.rb.Vars, b.rb.Meta = fm.Title, fm.Vars, fm.Meta
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
		return nil, b.sorted(), fmt.Errorf(`%s: no "##" sections: a runbook needs at least one section`, path)
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
		b.block(n)
	}
	b.closeSection()
}

func (b *builder) heading(h *ast.Heading) {
	title := strings.TrimSpace(b.plainText(h))
	line := b.nodeLine(h)
	base := githubAnchor(title)
	if base == "" {
		base = "heading" // ids need a name; GitHub would use ""
	}
	anchor := b.anchors.take(base)
	switch h.Level {
	case 1:
		b.targets[anchor] = anchorTarget{}
		if b.rb.Title == "" {
			b.rb.Title = title
		}
		return
	case 2:
		b.closeSection()
		b.sec = &Section{ID: anchor, Title: title, Line: line}
		b.secProse = &container{}
		b.rb.Sections = append(b.rb.Sections, b.sec)
		b.targets[anchor] = anchorTarget{sec: b.sec}
		return
	}
	if b.sec == nil {
		b.warnf(line, "heading %q is outside any \"##\" section: ignored", title)
		b.targets[anchor] = anchorTarget{}
		return
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

var shellLangs = map[string]bool{"bash": true, "sh": true, "shell": true}

func (b *builder) fencedBlock(n *ast.FencedCodeBlock, prose *container) {
	open, close, closed := b.fence(n)
	if !closed {
		b.errorf(open, "code block is never closed (add a closing fence)")
	}
	info := ""
	if n.Info != nil {
		info = strings.TrimSpace(string(n.Info.Segment.Value(b.src)))
	}
	lang, attrText, _ := strings.Cut(info, " ")
	if i := strings.IndexByte(lang, '{'); i >= 0 {
		lang, attrText = lang[:i], lang[i:]+" "+attrText
	}
	if !shellLangs[strings.ToLower(lang)] {
		return // other fences are prose
	}
	for l := open; l <= close; l++ {
		b.exclude[l] = true
	}
	attrs := b.attributes(open, strings.TrimSpace(attrText))
	var lines []srcLine
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		lines = append(lines, srcLine{n: b.lineOf(seg.Start), text: strings.TrimRight(string(seg.Value(b.src)), "\r\n")})
	}
	raws, notes := splitShell(lines)
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
		cmd := &Command{Title: rc.title, Script: joinLines(rc.lines), Line: rc.lines[0].n, Lang: strings.ToLower(lang), Attrs: attrs}
		if lead != "" {
			cmd.Title = lead + ": " + cmd.Title
		}
		if id, ok := attrs["id"]; ok && len(raws) == 1 {
			b.explicit[cmd] = id
		}
		b.fenceLine[cmd] = open
		if d, ok := attrs["timeout"]; ok {
			cmd.Timeout, _ = time.ParseDuration(d)
		}
		cmd.Params = Placeholders(cmd.Script)
		if f, err := parseShell(cmd.Script); err != nil {
			b.errorf(cmd.Line, "shell syntax: %v", err)
		} else {
			cmd.Sets, cmd.Uses = setsUses(f)
			cmd.Interactive = needsTerminal(f)
			cmd.Outcome = newOutcome(attrs, f)
		}
		if attrs["tty"] == "true" {
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

var knownAttrs = []string{"confirm", "timeout", "risk", "tty", "id", "fail-if", "warn-if", "ok-exit", "warn-exit"}

// attributes parses the {key=value ...} part of a fence info string.
func (b *builder) attributes(line int, s string) map[string]string {
	attrs := map[string]string{}
	if s == "" {
		return attrs
	}
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		b.errorf(line, "fence attributes must be written {key=value ...}, got %q", s)
		return attrs
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	for s != "" {
		key, rest, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t\"'") {
			b.errorf(line, "fence attribute %q has no value (want key=value)", strings.Fields(s)[0])
			return attrs
		}
		rest = strings.TrimLeft(rest, " \t")
		var val string
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			end := strings.IndexByte(rest[1:], rest[0])
			if end < 0 {
				b.errorf(line, "fence attribute %s: unclosed quote", key)
				return attrs
			}
			val, rest = rest[1:end+1], rest[end+2:]
		} else {
			val, rest, _ = strings.Cut(rest, " ")
		}
		s = strings.TrimSpace(rest)
		if !slices.Contains(knownAttrs, key) {
			b.errorf(line, "unknown fence attribute %q (known: %s)", key, strings.Join(knownAttrs, ", "))
			continue
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
	return attrs
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
